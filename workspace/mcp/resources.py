"""MCP resources: read-only views an assistant can attach as context, under `workspace://`.
Each returns the same JSON as the matching list tool or API route."""

from workspace.core.apps import APPS
from workspace.core.services import envelopes, invoices, records
from workspace.core.services.accounts import get_organization, list_members
from workspace.mcp.business_apps import list_app_records
from workspace.mcp.invoices import list_invoices
from workspace.mcp.server import as_json, mcp, read_data
from workspace.mcp.templates import list_packages, list_templates
from workspace.mcp.webhooks import list_webhooks

JSON = "application/json"


@mcp.resource(
    "workspace://organization/stats",
    name="organization-stats",
    description="The organization, its members, envelopes by status, invoice totals and "
    "business records by status.",
    mime_type=JSON,
)
def organization_stats() -> str:
    def work(session, actor):
        org = get_organization(session, actor=actor)
        return {
            "organization": {"id": org.id, "name": org.name},
            "mode": "test" if actor.test_mode else "live",
            "memberCount": len(list_members(session, actor=actor)),
            "envelopes": envelopes.status_counts(session, actor=actor),
            "invoices": invoices.invoice_totals(session, actor=actor),
            "businessApps": {
                slug: records.count_by_status(session, actor=actor, app_slug=slug) for slug in APPS
            },
        }

    return as_json(read_data(work))


@mcp.resource(
    "workspace://templates",
    name="templates",
    description="Templates that can be sent, with their roles and field counts.",
    mime_type=JSON,
)
def templates_resource() -> str:
    return list_templates()


@mcp.resource(
    "workspace://packages",
    name="packages",
    description="Template packages (several documents signed in one session).",
    mime_type=JSON,
)
def packages_resource() -> str:
    return list_packages()


@mcp.resource(
    "workspace://webhooks", name="webhooks", description="Webhook endpoints.", mime_type=JSON
)
def webhooks_resource() -> str:
    return list_webhooks()


@mcp.resource(
    "workspace://envelopes/{envelope_id}/audit",
    name="envelope-audit",
    description="An envelope's audit trail: who did what, when, from which IP.",
    mime_type=JSON,
)
def envelope_audit(envelope_id: str) -> str:
    return as_json(
        read_data(
            lambda session, actor: envelopes.audit_entries(
                session, actor=actor, envelope_id=envelope_id
            )
        )
    )


@mcp.resource(
    "workspace://invoices",
    name="invoices",
    description="The 50 newest invoices.",
    mime_type=JSON,
)
def invoices_resource() -> str:
    return list_invoices()


def _register_app_resource(slug: str) -> None:
    app = APPS[slug]

    def read() -> str:
        return list_app_records(slug, None, "", 50)

    mcp.resource(
        f"workspace://{slug}",
        name=slug,
        description=f"{app.name}: the 50 newest records with checklist readiness and counts.",
        mime_type=JSON,
    )(read)


for _slug in APPS:
    _register_app_resource(_slug)
