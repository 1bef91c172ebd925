"""MCP tools for envelopes: the same services and response shapes as /api/v1/envelopes."""

from typing import Any

from workspace.core.errors import ValidationFailed
from workspace.core.schemas.envelopes import EnvelopeCreate
from workspace.core.services import envelopes as service
from workspace.mcp.server import mcp, run_tool


@mcp.tool(
    name="list-envelopes",
    description="List envelopes, newest first. status: draft, scheduled, sent, viewed, signed, "
    "completed, declined, cancelled or expired; search matches the title or a signer.",
)
def list_envelopes(status: str | None = None, search: str = "", limit: int = 50) -> str:
    def work(session, actor):
        rows, _total = service.list_envelopes(
            session, actor=actor, status=status, search=search, limit=min(max(limit, 1), 100)
        )
        signers = service.signers_by_envelope(session, rows)
        return [service.envelope_summary(e, signers[e.id]) for e in rows]

    return run_tool(work)


@mcp.tool(
    name="get-envelope",
    description="One envelope: status, signers with their progress and signing links, "
    "documents, times.",
)
def get_envelope(envelope_id: str) -> str:
    def work(session, actor):
        envelope = service.get_envelope(session, actor=actor, envelope_id=envelope_id)
        return service.envelope_detail(envelope, service.envelope_signers(session, envelope))

    return run_tool(work)


@mcp.tool(
    name="send-envelope",
    description="Send a template or a package for signature: exactly one of template_id or "
    "package_id. signers: [{name, email, role, signingOrder, phone, requirePassword, "
    "passwordDelivery}] (same signingOrder = in parallel). options takes any other field of "
    "POST /api/v1/envelopes: ccRecipients, scheduledAt, expiresInHours, placeholderValues, "
    "prefilledFields, labels, metadata, reminderIntervalDays, emailSubject, saveAsDraft.",
)
def send_envelope(
    signers: list[dict[str, Any]],
    template_id: str | None = None,
    package_id: str | None = None,
    title: str | None = None,
    message: str = "",
    options: dict[str, Any] | None = None,
) -> str:
    def work(session, actor):
        if bool(template_id) == bool(package_id):
            raise ValidationFailed(
                "Provide exactly one of templateId or packageId.", field="templateId"
            )
        extra = dict(options or {})
        for key in ("document", "fields"):
            if key in extra:
                raise ValidationFailed(
                    "send-envelope sends a template or a package; upload one-off documents "
                    "with POST /api/v1/envelopes.",
                    field=f"options.{key}",
                )
        body = EnvelopeCreate.model_validate(
            {
                **extra,
                "templateId": template_id,
                "packageId": package_id,
                "title": title,
                "message": message,
                "signers": signers,
            }
        )
        envelope, created = service.create_envelope(session, actor=actor, data=body)
        return service.created_payload(envelope, created)

    return run_tool(work)


@mcp.tool(
    name="cancel-envelope",
    description="Cancel an envelope that is not finished (drafts included); signers who were "
    "invited are told by email.",
)
def cancel_envelope(envelope_id: str) -> str:
    def work(session, actor):
        envelope = service.cancel_envelope(session, actor=actor, envelope_id=envelope_id)
        return {"id": envelope.id, "status": envelope.status}

    return run_tool(work)


@mcp.tool(
    name="send-reminder",
    description="Email the signers whose turn it is again (or only signer_id), with an "
    "optional message.",
)
def send_reminder(
    envelope_id: str, signer_id: str | None = None, message: str | None = None
) -> str:
    def work(session, actor):
        count = service.remind_envelope(
            session, actor=actor, envelope_id=envelope_id, signer_id=signer_id, message=message
        )
        return {"success": True, "remindedCount": count}

    return run_tool(work)


@mcp.tool(
    name="download-envelope",
    description="Links to the sealed PDF and the certificate of completion of a completed "
    "envelope, valid for one hour. type: document, certificate or all.",
)
def download_envelope(envelope_id: str, type: str = "all") -> str:
    return run_tool(
        lambda session, actor: service.download_links(
            session, actor=actor, envelope_id=envelope_id, type=type
        )
    )


@mcp.tool(
    name="get-envelope-audit-log",
    description="The envelope's audit trail, oldest first: who did what, when, from which IP.",
)
def get_envelope_audit_log(envelope_id: str, limit: int = 500) -> str:
    return run_tool(
        lambda session, actor: service.audit_entries(
            session, actor=actor, envelope_id=envelope_id, limit=min(max(limit, 1), 5000)
        )
    )


@mcp.tool(name="get-envelope-signers", description="The envelope's signers and their status.")
def get_envelope_signers(envelope_id: str) -> str:
    def work(session, actor):
        envelope = service.get_envelope(session, actor=actor, envelope_id=envelope_id)
        return [service.signer_payload(s) for s in service.envelope_signers(session, envelope)]

    return run_tool(work)
