"""MCP tools and resources about the organization itself."""

from workspace.core.db import session_scope
from workspace.core.services.accounts import get_organization, list_members
from workspace.mcp.server import as_json, current_actor, mcp


@mcp.tool(name="get-organization", description="The organization and key mode behind the API key.")
def get_organization_tool() -> str:
    actor = current_actor()
    with session_scope() as session:
        org = get_organization(session, actor=actor)
        members = list_members(session, actor=actor)
    return as_json(
        {
            "id": org.id,
            "name": org.name,
            "mode": "test" if actor.test_mode else "live",
            "memberCount": len(members),
        }
    )
