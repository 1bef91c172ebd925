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


def _call(client, headers, name, arguments, id_=10):
    response = _rpc(client, headers, "tools/call", {"name": name, "arguments": arguments}, id_)
    assert response.status_code == 200, response.text
    return json.loads(response.json()["result"]["content"][0]["text"])


def test_invoice_tools_share_the_api_services(client, org):
    headers = org.headers()
    created = _call(
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
    assert _call(client, headers, "send-invoice", {"invoice_id": created["id"]})["status"] == "sent"
    paid = _call(
        client,
        headers,
        "record-payment",
        {"invoice_id": created["id"], "payment": {"amountKobo": 1000000}},
    )
    assert paid == {"success": True, "status": "paid"}
    over = _call(
        client,
        headers,
        "record-payment",
        {"invoice_id": created["id"], "payment": {"amountKobo": 1}},
    )
    assert over["error"] == "conflict"
    listed = _call(client, headers, "list-invoices", {"status": "paid"})
    assert [row["id"] for row in listed] == [created["id"]]
    # the REST API sees the same invoice
    assert (
        client.get(f"/api/v1/invoices/{created['id']}", headers=headers).json()["data"]["status"]
        == "paid"
    )


def test_tools_are_scoped_to_the_key_organization(client, org, other_org):
    created = _call(
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
    other = _call(client, other_org.headers(), "get-invoice", {"invoice_id": created["id"]})
    assert other["error"] == "not_found"
    bad = _call(client, org.headers(), "create-invoice", {"invoice": {"clientName": "A"}})
    assert bad["error"] == "validation_error"
