"""Importing this package registers every MCP tool, resource and prompt."""

from workspace.mcp import account, business_apps, invoices, templates  # noqa: F401
from workspace.mcp.server import mcp, mcp_endpoint, mcp_lifespan

__all__ = ["mcp", "mcp_endpoint", "mcp_lifespan"]
