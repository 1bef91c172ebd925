"""MCP prompts: ready-made requests an assistant starts from, filled with the organization's
own templates, packages and envelopes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from workspace.core.actor import Actor
from workspace.core.apps import APPS
from workspace.core.clock import now_ms
from workspace.core.models import Envelope, EnvelopeSigner
from workspace.core.money import format_money
from workspace.core.pdf.certificate import format_time
from workspace.core.services import envelopes, invoices, records, templates
from workspace.mcp.server import mcp, read_data

WEEK_MS = 7 * 24 * 3600 * 1000
MAX_LISTED = 25


def _bullets(lines: Sequence[str], empty: str) -> str:
    return "\n".join(f"- {line}" for line in lines) if lines else f"- {empty}"


def _template_line(template) -> str:
    roles = ", ".join(template.roles) or "no roles yet"
    return f"{template.name} (id {template.id}; roles: {roles}; {len(template.fields)} fields)"


@mcp.prompt(
    name="send-for-signature",
    description="Send a template for signature: pick the template, collect a signer per role, "
    "then call send-envelope.",
)
def send_for_signature(template_id: str | None = None) -> str:
    def work(session: Session, actor: Actor) -> str:
        if template_id:
            template = templates.get_template(session, actor=actor, template_id=template_id)
            summary = templates.template_summary(session, template)
            placeholders = ", ".join(summary["placeholderKeys"]) or "none"
            return (
                f"I want to send the template “{template.name}” (id {template.id}) for "
                f"signature. Its signer roles are: {', '.join(template.roles) or 'none'}. "
                f"Placeholders to fill: {placeholders}.\n\n"
                "Ask me for the name and email of the signer for each role, the signing order "
                "(same number = in parallel), any CC recipients and whether a signer needs a "
                "password (sent by email, SMS or WhatsApp). Then call send-envelope with "
                f"template_id={template.id}, show me the signing links it returns and tell me "
                "who was emailed first."
            )
        active = templates.list_templates(session, actor=actor, limit=MAX_LISTED)
        return (
            "I want to send a document for signature. These are my templates:\n"
            + _bullets([_template_line(t) for t in active], "no templates yet")
            + "\n\nAsk me which one to send, then the name and email of the signer for each of "
            "its roles and the signing order. Then call send-envelope with that template_id "
            "and show me the signing links it returns."
        )

    return read_data(work)


@mcp.prompt(
    name="send-package-for-signature",
    description="Send a package of templates for signature in one session: pick the package, "
    "collect a signer per package role, then call send-envelope with package_id.",
)
def send_package_for_signature(package_id: str | None = None) -> str:
    def work(session: Session, actor: Actor) -> str:
        if package_id:
            package = templates.get_package(session, actor=actor, package_id=package_id)
            data = templates.package_public(session, package)
            documents = [t["name"] for t in data["templates"]]
            roles = [m["packageRoleName"] for m in package.role_mappings]
            return (
                f"I want to send the package “{package.name}” (id {package.id}): "
                f"{len(documents)} documents ({', '.join(documents)}), signed in one session. "
                f"Its signer roles are: {', '.join(roles) or 'none'}.\n\n"
                "Ask me for the name and email of the signer for each role and the signing "
                f"order, then call send-envelope with package_id={package.id} and show me the "
                "signing links it returns."
            )
        packages = templates.list_packages(session, actor=actor, limit=MAX_LISTED)
        lines = [
            f"{p.name} (id {p.id}; {len(p.template_ids)} documents; roles: "
            f"{', '.join(m['packageRoleName'] for m in p.role_mappings) or 'none'})"
            for p in packages
        ]
        return (
            "I want to send several documents for signature in one session. These are my "
            "template packages:\n"
            + _bullets(lines, "no packages yet (create one with create-package)")
            + "\n\nAsk me which package to send, then a signer for each of its roles. Then "
            "call send-envelope with that package_id and show me the signing links."
        )

    return read_data(work)


def _waiting_line(envelope: Envelope, signers: Sequence[EnvelopeSigner]) -> str:
    turn = [f"{s.name} <{s.email}> ({s.status})" for s in signers if s.status in ("sent", "viewed")]
    done = sum(1 for s in signers if s.status == "signed")
    return (
        f"“{envelope.title}” (id {envelope.id}; status {envelope.status}; sent "
        f"{format_time(envelope.sent_at)}; expires {format_time(envelope.expires_at)}): "
        f"{done}/{len(signers)} signed, waiting for {', '.join(turn) or 'nobody'}"
    )


@mcp.prompt(
    name="check-pending",
    description="Review the envelopes still waiting for signatures and decide whom to remind.",
)
def check_pending() -> str:
    def work(session: Session, actor: Actor) -> str:
        waiting = envelopes.waiting_envelopes(session, actor=actor, limit=MAX_LISTED)
        signers = envelopes.signers_by_envelope(session, waiting)
        return (
            f"These envelopes are waiting for signatures (as of {format_time(now_ms())}), "
            "the longest waiting first:\n"
            + _bullets([_waiting_line(e, signers[e.id]) for e in waiting], "none, all done")
            + "\n\nSummarise who is holding things up and for how long, and flag anything that "
            "expires within three days. Suggest which signers to remind; when I agree, call "
            "send-reminder with the envelope_id (and signer_id for one person)."
        )

    return read_data(work)


def _app_line(name: str, counts: dict[str, int]) -> str:
    parts = [f"{n} {status.replace('_', ' ')}" for status, n in counts.items() if n]
    return f"{name}: {', '.join(parts) or 'no records'}"


@mcp.prompt(
    name="weekly-report",
    description="A weekly report: signatures, invoices and business records of the last 7 days.",
)
def weekly_report() -> str:
    def work(session: Session, actor: Actor) -> str:
        since = now_ms() - WEEK_MS
        activity = envelopes.activity_since(session, actor=actor, since_ms=since)
        counts = envelopes.status_counts(session, actor=actor)
        totals = invoices.invoice_totals(session, actor=actor)
        currency = totals["currency"]
        lines = [
            f"Envelopes this week: {activity['created']} created, {activity['sent']} sent, "
            f"{activity['completed']} completed, {activity['declined']} declined, "
            f"{activity['cancelled']} cancelled, {activity['expired']} expired.",
            f"Out for signature now: {sum(counts[s] for s in envelopes.ACTIVE)}; drafts: "
            f"{counts['draft']}; scheduled: {counts['scheduled']}.",
            f"Invoices ({currency}): {format_money(totals['outstandingKobo'], currency)} "
            f"outstanding, {format_money(totals['overdueKobo'], currency)} overdue, "
            f"{format_money(totals['paidThisMonthKobo'], currency)} paid this month; "
            f"{totals['counts']['overdue']} overdue invoices.",
            *[
                _app_line(app.name, records.count_by_status(session, actor=actor, app_slug=slug))
                for slug, app in APPS.items()
            ],
        ]
        return (
            f"Write my weekly report for {format_time(since)} to {format_time(now_ms())}. "
            "The figures:\n"
            + _bullets(lines, "")
            + "\n\nKeep it short: what went well, what needs my attention (stalled or expiring "
            "envelopes, overdue invoices, records waiting on documents) and three concrete "
            "next steps. Use check-pending, list-invoices or the business app tools if you need "
            "details."
        )

    return read_data(work)
