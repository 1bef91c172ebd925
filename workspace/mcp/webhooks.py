"""MCP tools for webhooks: the same services and response shapes as /api/v1/webhooks."""

from typing import Any

from workspace.core.schemas.webhooks import WebhookCreate
from workspace.core.services import webhooks as service
from workspace.mcp.server import mcp, run_tool


@mcp.tool(name="list-webhooks", description="List webhook endpoints of the key's mode.")
def list_webhooks(limit: int = 50) -> str:
    def work(session, actor):
        rows, _total = service.list_webhooks(session, actor=actor, limit=min(max(limit, 1), 100))
        return [service.webhook_public(row) for row in rows]

    return run_tool(work)


@mcp.tool(
    name="get-webhook",
    description="One webhook endpoint: URL, events, active flag, failures, last delivery.",
)
def get_webhook(webhook_id: str) -> str:
    return run_tool(
        lambda session, actor: service.webhook_public(
            service.get_webhook(session, actor=actor, webhook_id=webhook_id)
        )
    )


@mcp.tool(
    name="create-webhook",
    description="Create a webhook. `webhook` takes the body of POST /api/v1/webhooks: url, "
    "events (e.g. envelope.completed, signer.signed, invoice.paid), description, "
    "authHeaderName, authHeaderValue. The signing secret is in this result only: keep it.",
)
def create_webhook(webhook: dict[str, Any]) -> str:
    def work(session, actor):
        endpoint, secret = service.create_webhook(
            session, actor=actor, request=WebhookCreate.model_validate(webhook)
        )
        return service.webhook_public(endpoint, secret=secret)

    return run_tool(work)


@mcp.tool(name="delete-webhook", description="Delete a webhook endpoint permanently.")
def delete_webhook(webhook_id: str) -> str:
    def work(session, actor):
        service.delete_webhook(session, actor=actor, webhook_id=webhook_id)
        return {"id": webhook_id, "deleted": True}

    return run_tool(work)
