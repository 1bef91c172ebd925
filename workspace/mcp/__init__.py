"""Importing this package registers every MCP tool, resource and prompt."""

from workspace.mcp import (  # noqa: F401
    account,
    business_apps,
    envelopes,
    invoices,
    prompts,
    resources,
    templates,
    webhooks,
)
from workspace.mcp.server import mcp, mcp_endpoint, mcp_lifespan

__all__ = ["mcp", "mcp_endpoint", "mcp_lifespan"]
