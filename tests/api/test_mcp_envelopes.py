"""Envelope and webhook tools, resources and prompts through the real MCP endpoint."""

import json

from tests.api.mcp_client import call_tool, rpc
from tests.envelope_samples import make_template, sign_as, token_of
from workspace.core.db import session_scope
from workspace.core.services.templates import create_package

SIGNERS = [
    {"name": "John Doe", "email": "john@example.com", "role": "employee", "signingOrder": 1},
    {"name": "Jane Smith", "email": "jane@company.com", "role": "employer", "signingOrder": 2},
    {"name": "Legal Team", "email": "legal@company.com", "role": "approver", "signingOrder": 3},
]
ENVELOPE_TOOLS = {
    "list-envelopes",
    "get-envelope",
    "send-envelope",
    "cancel-envelope",
    "send-reminder",
    "download-envelope",
    "get-envelope-audit-log",
    "get-envelope-signers",
}
WEBHOOK_TOOLS = {"list-webhooks", "get-webhook", "create-webhook", "delete-webhook"}


def _rpc(client, headers, method, params=None):
    response = rpc(client, headers, method, params)
    assert response.status_code == 200, response.text
    return response.json()


def _call(client, org, name, arguments=None):
    return call_tool(client, org.headers(), name, arguments)


def _read(client, org, uri):
    return _rpc(client, org.headers(), "resources/read", {"uri": uri})


def _prompt(client, org, name, arguments=None):
    answer = _rpc(
        client, org.headers(), "prompts/get", {"name": name, "arguments": arguments or {}}
    )
    return answer["result"]["messages"][0]["content"]["text"]


def test_the_contract_tools_resources_and_prompts_are_listed(client, org):
    tools = {t["name"] for t in _rpc(client, org.headers(), "tools/list")["result"]["tools"]}
    assert tools >= ENVELOPE_TOOLS | WEBHOOK_TOOLS
    resources = {
        r["uri"] for r in _rpc(client, org.headers(), "resources/list")["result"]["resources"]
    }
    assert resources == {
        "workspace://organization/stats",
        "workspace://templates",
        "workspace://packages",
        "workspace://webhooks",
        "workspace://invoices",
        "workspace://business-intake",
        "workspace://hiring-packets",
        "workspace://renewals-compliance",
    }
    templates = _rpc(client, org.headers(), "resources/templates/list")["result"]
    assert [t["uriTemplate"] for t in templates["resourceTemplates"]] == [
        "workspace://envelopes/{envelope_id}/audit"
    ]
    prompts = {p["name"] for p in _rpc(client, org.headers(), "prompts/list")["result"]["prompts"]}
    assert prompts == {
        "send-for-signature",
        "send-package-for-signature",
        "check-pending",
        "weekly-report",
    }


def test_envelope_lifecycle_through_mcp(client, org):
    template_id = make_template(org)
    sent = _call(
        client,
        org,
        "send-envelope",
        {
            "template_id": template_id,
            "title": "Employment Contract - John Doe",
            "signers": SIGNERS,
            "options": {"ccRecipients": [{"name": "HR", "email": "hr@company.com"}]},
        },
    )
    assert sent["status"] == "sent" and sent["id"].startswith("env_")
    assert [s["status"] for s in sent["signers"]] == ["sent", "pending", "pending"]
    envelope_id = sent["id"]
    # the REST API sees the same envelope
    rest = client.get(f"/api/v1/envelopes/{envelope_id}", headers=org.headers()).json()["data"]
    assert rest["ccRecipients"] == [{"name": "HR", "email": "hr@company.com"}]

    listed = _call(client, org, "list-envelopes", {"status": "sent"})
    assert [e["id"] for e in listed] == [envelope_id]
    detail = _call(client, org, "get-envelope", {"envelope_id": envelope_id})
    assert detail["title"] == "Employment Contract - John Doe" and len(detail["signers"]) == 3
    reminded = _call(
        client, org, "send-reminder", {"envelope_id": envelope_id, "message": "Please sign."}
    )
    assert reminded == {"success": True, "remindedCount": 1}
    too_early = _call(client, org, "download-envelope", {"envelope_id": envelope_id})
    assert too_early["error"] == "conflict"

    for signer, role in zip(sent["signers"], ("employee", "employer", "approver"), strict=True):
        sign_as(token_of(signer["signingUrl"]), role)
    signers = _call(client, org, "get-envelope-signers", {"envelope_id": envelope_id})
    assert [s["status"] for s in signers] == ["signed", "signed", "signed"]
    links = _call(client, org, "download-envelope", {"envelope_id": envelope_id})
    assert links["expiresIn"] == "1 hour" and links["status"] == "completed"
    pdf = client.get(links["documentUrl"].removeprefix("http://testserver"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    log = _call(client, org, "get-envelope-audit-log", {"envelope_id": envelope_id})
    actions = [entry["action"] for entry in log]
    assert actions[0] == "envelope_created" and "envelope_completed" in actions
    assert "reminder_sent" in actions and "document_downloaded" in actions

    resource = _read(client, org, f"workspace://envelopes/{envelope_id}/audit")
    content = resource["result"]["contents"][0]
    assert content["mimeType"] == "application/json"
    assert [e["action"] for e in json.loads(content["text"])] == actions
    cancelled = _call(client, org, "cancel-envelope", {"envelope_id": envelope_id})
    assert cancelled["error"] == "conflict"


def test_send_envelope_takes_exactly_one_source(client, org):
    template_id = make_template(org)
    neither = _call(client, org, "send-envelope", {"signers": SIGNERS})
    assert neither["error"] == "validation_error" and neither["details"]["field"] == "templateId"
    both = _call(
        client,
        org,
        "send-envelope",
        {"template_id": template_id, "package_id": "pkg_x", "signers": SIGNERS},
    )
    assert both["error"] == "validation_error"
    upload = _call(
        client,
        org,
        "send-envelope",
        {"template_id": template_id, "signers": SIGNERS, "options": {"document": {"data": "x"}}},
    )
    assert upload["details"]["field"] == "options.document"
    bad_signer = _call(
        client,
        org,
        "send-envelope",
        {"template_id": template_id, "signers": [{**SIGNERS[0], "email": "nope"}, *SIGNERS[1:]]},
    )
    assert bad_signer["details"]["field"] == "signers[0].email"
    assert _call(client, org, "list-envelopes") == []


def test_package_send_draft_and_cancel(client, org):
    first = make_template(org, roles=("employee",), name="Offer letter")
    second = make_template(org, roles=("employee",), name="NDA")
    with session_scope() as session:
        package_id = create_package(
            session, actor=org.actor, name="New Hire", description="", template_ids=[first, second]
        ).id
    draft = _call(
        client,
        org,
        "send-envelope",
        {
            "package_id": package_id,
            "signers": [{"name": "Ada", "email": "ada@example.com", "role": "employee"}],
            "options": {"saveAsDraft": True},
        },
    )
    assert draft["status"] == "draft"
    detail = _call(client, org, "get-envelope", {"envelope_id": draft["id"]})
    assert [d["name"] for d in detail["documents"]] == ["Offer letter", "NDA"]
    assert _call(client, org, "cancel-envelope", {"envelope_id": draft["id"]}) == {
        "id": draft["id"],
        "status": "cancelled",
    }
    text = _prompt(client, org, "send-package-for-signature", {"package_id": package_id})
    assert "New Hire" in text and "Offer letter, NDA" in text and package_id in text


def test_envelope_tools_are_scoped_to_the_key_organization(client, org, other_org):
    sent = _call(
        client, org, "send-envelope", {"template_id": make_template(org), "signers": SIGNERS}
    )
    for name in ("get-envelope", "get-envelope-signers", "get-envelope-audit-log"):
        assert _call(client, other_org, name, {"envelope_id": sent["id"]})["error"] == "not_found"
    assert _call(client, other_org, "cancel-envelope", {"envelope_id": sent["id"]})["error"] == (
        "not_found"
    )
    foreign = _read(client, other_org, f"workspace://envelopes/{sent['id']}/audit")
    assert foreign["error"]["code"] == -32602 and "not found" in foreign["error"]["message"]
    assert _call(client, other_org, "list-envelopes") == []


def test_webhook_tools_show_the_secret_once(client, org, receiver):
    created = _call(
        client,
        org,
        "create-webhook",
        {
            "webhook": {
                "url": receiver.url,
                "events": ["envelope.completed", "signer.signed"],
                "description": "From MCP",
            }
        },
    )
    assert created["id"].startswith("whk_") and created["secret"].startswith("whsec_")
    fetched = _call(client, org, "get-webhook", {"webhook_id": created["id"]})
    assert fetched["events"] == ["envelope.completed", "signer.signed"] and "secret" not in fetched
    listed = _call(client, org, "list-webhooks")
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]
    rest = client.get("/api/v1/webhooks", headers=org.headers()).json()["data"]
    assert [w["id"] for w in rest] == [created["id"]]
    resource = json.loads(
        _read(client, org, "workspace://webhooks")["result"]["contents"][0]["text"]
    )
    assert resource == listed
    bad = _call(client, org, "create-webhook", {"webhook": {"url": receiver.url, "events": ["x"]}})
    assert bad["error"] == "validation_error" and bad["details"]["field"] == "events[0]"
    deleted = _call(client, org, "delete-webhook", {"webhook_id": created["id"]})
    assert deleted == {"id": created["id"], "deleted": True}
    assert _call(client, org, "get-webhook", {"webhook_id": created["id"]})["error"] == "not_found"


def test_list_resources_match_the_tools(client, org):
    make_template(org, name="Lease")
    for uri, tool in (
        ("workspace://templates", "list-templates"),
        ("workspace://packages", "list-packages"),
        ("workspace://invoices", "list-invoices"),
    ):
        text = _read(client, org, uri)["result"]["contents"][0]["text"]
        assert json.loads(text) == _call(client, org, tool), uri
    assert [
        t["name"]
        for t in json.loads(
            _read(client, org, "workspace://templates")["result"]["contents"][0]["text"]
        )
    ] == ["Lease"]
    client.post(
        "/api/v1/hiring-packets",
        json={"candidateName": "Avery Johnson", "candidateEmail": "avery@example.com"},
        headers=org.headers(),
    )
    packets = json.loads(
        _read(client, org, "workspace://hiring-packets")["result"]["contents"][0]["text"]
    )
    assert [p["packet"]["title"] for p in packets] == ["Avery Johnson"]
    stats = json.loads(
        _read(client, org, "workspace://organization/stats")["result"]["contents"][0]["text"]
    )
    assert stats["organization"]["id"] == org.org_id and stats["memberCount"] == 1
    assert sum(stats["businessApps"]["hiring-packets"].values()) == 1
    assert sum(stats["businessApps"]["business-intake"].values()) == 0
    assert stats["envelopes"]["sent"] == 0 and stats["invoices"]["outstandingKobo"] == 0


def test_prompts_are_built_from_the_organization_data(client, org):
    template_id = make_template(org, name="Lease Agreement")
    text = _prompt(client, org, "send-for-signature")
    assert "Lease Agreement" in text and template_id in text and "employee" in text
    one = _prompt(client, org, "send-for-signature", {"template_id": template_id})
    assert f"template_id={template_id}" in one and "employer" in one
    unknown = _rpc(
        client,
        org.headers(),
        "prompts/get",
        {"name": "send-for-signature", "arguments": {"template_id": "tpl_nothing"}},
    )
    assert "not found" in unknown["error"]["message"].lower()

    assert "none, all done" in _prompt(client, org, "check-pending")
    sent = _call(
        client,
        org,
        "send-envelope",
        {"template_id": template_id, "title": "Lease - Flat 4", "signers": SIGNERS},
    )
    pending = _prompt(client, org, "check-pending")
    assert "Lease - Flat 4" in pending and sent["id"] in pending
    assert "John Doe <john@example.com> (sent)" in pending and "0/3 signed" in pending

    report = _prompt(client, org, "weekly-report")
    assert "1 created, 1 sent, 0 completed" in report
    assert "Out for signature now: 1" in report and "Hiring Packets: no records" in report
