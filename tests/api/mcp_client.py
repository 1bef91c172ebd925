"""Calls to the MCP endpoint as a client makes them (JSON-RPC over streamable HTTP)."""

from __future__ import annotations

import json

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def rpc(client, headers: dict, method: str, params: dict | None = None, id_: int = 1):
    body = {"jsonrpc": "2.0", "id": id_, "method": method, "params": params or {}}
    return client.post("/api/mcp", headers={**MCP_HEADERS, **headers}, json=body)


def tool_result(client, headers: dict, name: str, arguments: dict | None = None) -> dict:
    """The raw `tools/call` result: `content`, and `isError` for a failed call."""
    response = rpc(client, headers, "tools/call", {"name": name, "arguments": arguments or {}})
    assert response.status_code == 200, response.text
    return response.json()["result"]


def call_tool(client, headers: dict, name: str, arguments: dict | None = None):
    """A tool's JSON answer; for a failed call (`isError`), the error in the API's format
    (its text reads "Error executing tool <name>: {…}")."""
    result = tool_result(client, headers, name, arguments)
    text = result["content"][0]["text"]
    if result.get("isError"):
        text = text[text.index("{") :]
    return json.loads(text)
