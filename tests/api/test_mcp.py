"""The MCP endpoint speaks streamable HTTP JSON-RPC and authenticates with API keys."""

import json

MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def _rpc(client, headers, method, params=None, id_=1):
    body = {"jsonrpc": "2.0", "id": id_, "method": method, "params": params or {}}
    return client.post("/api/mcp", headers={**MCP_HEADERS, **headers}, json=body)


def _initialize(client, headers):
    return _rpc(
        client,
        headers,
        "initialize",
        {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "pytest", "version": "1"},
        },
    )


def test_requires_an_api_key(client):
    response = _initialize(client, {})
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"


def test_lists_and_calls_tools_as_the_key_owner(client, org):
    headers = org.headers()
    init = _initialize(client, headers)
    assert init.status_code == 200, init.text
    assert init.json()["result"]["serverInfo"]["name"] == "Workspace"
    tools = _rpc(client, headers, "tools/list", id_=2).json()["result"]["tools"]
    assert "get-organization" in {tool["name"] for tool in tools}
    called = _rpc(client, headers, "tools/call", {"name": "get-organization", "arguments": {}}, 3)
    result = json.loads(called.json()["result"]["content"][0]["text"])
    assert result["id"] == org.org_id and result["mode"] == "live" and result["memberCount"] == 1
