"""The MCP endpoint speaks streamable HTTP JSON-RPC and authenticates with API keys."""

import json

from tests.api.mcp_client import call_tool, rpc, tool_result


def _initialize(client, headers):
    return rpc(
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
    tools = rpc(client, headers, "tools/list", id_=2).json()["result"]["tools"]
    assert "get-organization" in {tool["name"] for tool in tools}
    called = rpc(client, headers, "tools/call", {"name": "get-organization", "arguments": {}}, 3)
    result = json.loads(called.json()["result"]["content"][0]["text"])
    assert result["id"] == org.org_id and result["mode"] == "live" and result["memberCount"] == 1


def test_invoice_tools_share_the_api_services(client, org):
    headers = org.headers()
    created = call_tool(
        client,
        headers,
        "create-invoice",
        {
            "invoice": {
                "clientName": "John Smith",
                "clientEmail": "john@example.com",
                "title": "Consulting",
                "currency": "NGN",
                "lineItems": [{"description": "Session", "quantity": 2, "unitPriceKobo": 500000}],
            }
        },
    )
    assert created["status"] == "draft" and created["totalKobo"] == 1000000
    assert (
        call_tool(client, headers, "send-invoice", {"invoice_id": created["id"]})["status"]
        == "sent"
    )
    paid = call_tool(
        client,
        headers,
        "record-payment",
        {"invoice_id": created["id"], "payment": {"amountKobo": 1000000}},
    )
    assert paid == {"success": True, "status": "paid"}
    over = call_tool(
        client,
        headers,
        "record-payment",
        {"invoice_id": created["id"], "payment": {"amountKobo": 1}},
    )
    assert over["error"] == "conflict"
    listed = call_tool(client, headers, "list-invoices", {"status": "paid"})
    assert [row["id"] for row in listed] == [created["id"]]
    # the REST API sees the same invoice
    assert (
        client.get(f"/api/v1/invoices/{created['id']}", headers=headers).json()["data"]["status"]
        == "paid"
    )


def test_tools_are_scoped_to_the_key_organization(client, org, other_org):
    created = call_tool(
        client,
        org.headers(),
        "create-invoice",
        {
            "invoice": {
                "clientName": "A",
                "clientEmail": "a@example.com",
                "title": "T",
                "currency": "USD",
                "lineItems": [{"description": "x", "quantity": 1, "unitPriceKobo": 100}],
            }
        },
    )
    other = call_tool(client, other_org.headers(), "get-invoice", {"invoice_id": created["id"]})
    assert other["error"] == "not_found"
    bad = call_tool(client, org.headers(), "create-invoice", {"invoice": {"clientName": "A"}})
    assert bad["error"] == "validation_error"


def test_a_failed_tool_call_is_a_tool_error_in_the_api_format(client, org):
    result = tool_result(client, org.headers(), "get-invoice", {"invoice_id": "inv_nope"})
    assert result["isError"] is True
    text = result["content"][0]["text"]
    assert text.startswith("Error executing tool get-invoice: ")
    assert json.loads(text[text.index("{") :])["error"] == "not_found"
    assert tool_result(client, org.headers(), "get-organization").get("isError") is not True


def test_mcp_calls_count_against_the_keys_rate_limit(client, org, monkeypatch):
    from workspace.core import clock
    from workspace.core.config import get_settings

    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    get_settings.cache_clear()
    window_start = clock.now_ms() // 60_000 * 60_000
    try:
        with clock.travel(to_ms=window_start + 60_000 + 1_000):
            first = rpc(client, org.headers(), "tools/list")
            statuses = [client.get("/api/v1/me", headers=org.headers()).status_code for _ in "ab"]
            limited = rpc(client, org.headers(), "tools/list")
            after = client.get("/api/v1/me", headers=org.headers())
    finally:
        monkeypatch.delenv("RATE_LIMIT_PER_MINUTE")
        get_settings.cache_clear()
    assert first.status_code == 200 and first.headers["X-RateLimit-Remaining"] == "2"
    assert statuses == [200, 200]
    assert limited.status_code == 429 and limited.json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert after.status_code == 429
