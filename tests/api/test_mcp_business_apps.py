"""The business-app MCP tools carry the contract's names and call the same services."""

import base64
import json

from sqlmodel import select

from tests.api.mcp_client import call_tool, rpc
from workspace.core.db import session_scope
from workspace.core.models import VaultItem
from workspace.mcp.business_apps import TOOL_NAMES

PDF = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()


def test_every_contract_tool_is_listed(client, org):
    tools = rpc(client, org.headers(), "tools/list").json()["result"]["tools"]
    names = {tool["name"] for tool in tools}
    expected = {name for ops in TOOL_NAMES.values() for name in ops.values()} | {
        "list-business-records",
        "get-business-record",
        "create-business-record",
        "update-business-record-status",
        "list-business-record-documents",
        "attach-business-record-document",
        "list-business-record-approvals",
        "request-business-record-approval",
        "create-business-record-portal-link",
    }
    assert expected <= names and len(expected) == 45


def test_intake_flow_through_mcp(client, org):
    headers = org.headers()
    created = call_tool(
        client,
        headers,
        "create-business-intake",
        {"fields": {"title": "Acme Catering", "intakeType": "vendor", "contactEmail": "s@x.io"}},
    )
    record_id = created["id"]
    doc = call_tool(
        client,
        headers,
        "attach-business-intake-document",
        {
            "record_id": record_id,
            "requirement_key": "tax_form",
            "document": {"filename": "w9.pdf", "contentType": "application/pdf", "data": PDF},
        },
    )
    reviewed = call_tool(
        client,
        headers,
        "review-business-intake-document",
        {"record_id": record_id, "document_id": doc["id"], "status": "approved"},
    )
    assert reviewed["status"] == "approved"
    vault = call_tool(
        client,
        headers,
        "set-business-intake-vault-field",
        {"record_id": record_id, "field_key": "bank_account", "value": "1234567890"},
    )
    assert vault["redactedPreview"] == "****7890" and "1234567890" not in json.dumps(vault)
    replaced = call_tool(
        client,
        headers,
        "set-business-intake-vault-field",
        {
            "record_id": record_id,
            "field_key": "bank_account",
            "value": "555566667777",
            "replace": True,
        },
    )
    assert replaced["redactedPreview"] == "****7777"
    task = call_tool(
        client, headers, "create-business-intake-task", {"record_id": record_id, "title": "Call"}
    )
    done = call_tool(
        client,
        headers,
        "update-business-intake-task",
        {"record_id": record_id, "task_id": task["id"], "status": "completed"},
    )
    assert done["status"] == "completed"
    status = call_tool(
        client,
        headers,
        "update-business-intake-status",
        {"record_id": record_id, "status": "pending_review"},
    )
    assert status == {"success": True, "status": "pending_review"}
    rows = call_tool(client, headers, "list-business-intakes", {"status": "pending_review"})
    assert rows[0]["checklistSummary"]["approvedRequired"] == 1
    generic = call_tool(client, headers, "list-business-records", {"app_slug": "business-intake"})
    assert generic[0]["record"]["id"] == record_id
    bad = call_tool(client, headers, "list-business-records", {"app_slug": "payroll"})
    assert bad["error"] == "not_found"
    with session_scope() as session:
        assert session.exec(select(VaultItem)).one().redacted_preview == "****7777"


def test_compliance_and_hiring_tools(client, org):
    headers = org.headers()
    item = call_tool(
        client,
        headers,
        "create-renewal-compliance-item",
        {
            "fields": {
                "title": "COI",
                "trackingType": "insurance_coi",
                "expirationDate": "2027-08-01",
            }
        },
    )
    assert item["expirationDate"] == "2027-08-01"
    link = call_tool(
        client,
        headers,
        "create-renewal-compliance-portal-link",
        {"record_id": item["id"], "recipient_name": "Northstar"},
    )
    assert "/intake/" in link["url"]
    packet = call_tool(
        client,
        headers,
        "create-hiring-packet",
        {"fields": {"candidateName": "Avery Johnson", "workerType": "contractor"}},
    )
    approval = call_tool(
        client,
        headers,
        "request-hiring-packet-approval",
        {
            "record_id": packet["id"],
            "title": "Hiring manager",
            "approvers": [{"approverEmail": "boss@example.com"}],
        },
    )
    assert approval["status"] == "pending" and approval["steps"][0]["status"] == "pending"
    view = call_tool(client, headers, "get-hiring-packet", {"record_id": packet["id"]})
    assert view["packet"]["recordType"] == "contractor_hire"
