"""MCP tools and resources about the organization itself."""

from workspace.core.services.accounts import get_organization, list_members
from workspace.mcp.server import mcp, run_tool


@mcp.tool(name="get-organization", description="The organization and key mode behind the API key.")
def get_organization_tool() -> str:
    def work(session, actor):
        org = get_organization(session, actor=actor)
        return {
            "id": org.id,
            "name": org.name,
            "mode": "test" if actor.test_mode else "live",
            "memberCount": len(list_members(session, actor=actor)),
        }

    return run_tool(work)
