"""Business apps over HTTP: the seed's examples for the generic routes, Business Intake,
Hiring Packets and Renewals & Compliance."""

import base64

import pytest
from sqlmodel import select

from workspace.core import clock
from workspace.core.db import session_scope
from workspace.core.jobs import run_due_jobs
from workspace.core.models import Event, OutboxMessage, TextMessage, VaultItem

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_B64 = base64.b64encode(PDF).decode()


def _events() -> list[str]:
    with session_scope() as session:
        return [e.type for e in session.exec(select(Event).order_by(Event.created_at))]


def _create_intake(client, org, **extra):
    body = {
        "title": "Acme Catering",
        "intakeType": "vendor",
        "contactName": "Sam Lee",
        "contactEmail": "sam@example.com",
        "companyName": "Acme Catering",
        "serviceCategory": "Catering",
        "taxClassification": "LLC",
        "paymentTerms": "Net 30",
        "riskLevel": "standard",
        "targetStartDate": "2026-05-15",
        **extra,
    }
    response = client.post("/api/v1/business-intake", json=body, headers=org.headers())
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def _attach(client, org, path, key, **extra):
    body = {
        "requirementKey": key,
        "document": {"filename": f"{key}.pdf", "contentType": "application/pdf", "data": PDF_B64},
        **extra,
    }
    response = client.post(f"{path}/documents", json=body, headers=org.headers())
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def test_generic_records_seed_examples(client, org):
    response = client.post(
        "/api/v1/apps/business-intake/records",
        json={
            "title": "Acme Catering",
            "recordType": "vendor_onboarding",
            "status": "pending_review",
            "metadata": {"contactEmail": "sam@example.com"},
        },
        headers=org.headers(),
    )
    assert response.status_code == 201
    record_id = response.json()["data"]["id"]
    assert record_id.startswith("rec_")

    listed = client.get(
        "/api/v1/apps/business-intake/records?status=pending_review&limit=10",
        headers=org.headers(),
    ).json()["data"]
    assert listed[0]["record"] == {**listed[0]["record"], "id": record_id}
    assert listed[0]["record"]["appSlug"] == "business-intake"
    assert listed[0]["record"]["recordType"] == "vendor_onboarding"
    assert listed[0]["checklistSummary"]["requiredCount"] == 4

    got = client.get(f"/api/v1/apps/business-intake/records/{record_id}", headers=org.headers())
    assert got.json()["data"]["record"]["title"] == "Acme Catering"

    path = f"/api/v1/apps/business-intake/records/{record_id}"
    link = client.post(
        f"{path}/portal-links",
        json={
            "recipientName": "Sam Lee",
            "recipientEmail": "sam@example.com",
            "notificationChannels": ["email"],
        },
        headers=org.headers(),
    ).json()["data"]
    assert link["id"].startswith("portal_") and "/intake/" in link["url"]
    links = client.get(f"{path}/portal-links", headers=org.headers()).json()["data"]
    assert links[0]["status"] == "active" and links[0]["recipientEmail"] == "sam@example.com"
    revoked = client.delete(f"{path}/portal-links/{link['id']}", headers=org.headers())
    assert revoked.json()["data"]["status"] == "revoked"

    updated = client.patch(
        f"/api/v1/apps/business-intake/records/{record_id}",
        json={"status": "approved", "metadata": {"reviewedBy": "finance"}},
        headers=org.headers(),
    )
    assert updated.status_code == 200 and updated.json()["data"]["success"] is True
    record = updated.json()["data"]["record"]
    assert record["status"] == "approved" and record["metadata"]["reviewedBy"] == "finance"

    doc = client.post(
        f"{path}/documents",
        json={
            "requirementKey": "tax_form",
            "label": "Signed W-9",
            "document": {
                "filename": "acme-w9.pdf",
                "contentType": "application/pdf",
                "data": PDF_B64,
            },
        },
        headers=org.headers(),
    )
    assert doc.status_code == 201 and doc.json()["data"]["id"].startswith("doc_")
    docs = client.get(f"{path}/documents", headers=org.headers()).json()["data"]
    assert docs[0]["entityType"] == "vendor_onboarding"
    assert docs[0]["fileName"] == "acme-w9.pdf" and docs[0]["status"] == "pending_review"

    approval = client.post(
        f"{path}/approvals",
        json={
            "title": "Finance approval",
            "mode": "sequential",
            "approvers": [{"approverEmail": "finance@example.com", "stepNumber": 1}],
        },
        headers=org.headers(),
    )
    assert approval.status_code == 201 and approval.json()["data"]["id"].startswith("appr_")
    approvals = client.get(f"{path}/approvals", headers=org.headers()).json()["data"]
    assert approvals[0]["entityType"] == "vendor_onboarding" and approvals[0]["status"] == "pending"

    events = _events()
    for name in (
        "app.record.created",
        "business_intake.record.created",
        "app.record.status_changed",
        "business_intake.record.status_changed",
        "app.document.attached",
        "business_intake.document.attached",
        "app.portal.link_created",
    ):
        assert name in events
    with session_scope() as session:
        subjects = [m.subject for m in session.exec(select(OutboxMessage))]
    assert any("Approval requested" in s for s in subjects)
    assert any("documents requested" in s for s in subjects)


def test_unknown_app_slug_is_404(client, org):
    response = client.get("/api/v1/apps/payroll/records", headers=org.headers())
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    response = client.post(
        "/api/v1/apps/payroll/records", json={"title": "x"}, headers=org.headers()
    )
    assert response.status_code == 404


def test_business_intake_list_and_full_view(client, org):
    record_id = _create_intake(client, org)
    path = f"/api/v1/business-intake/{record_id}"
    for key in ("tax_form", "certificate_of_insurance", "signed_agreement"):
        doc_id = _attach(client, org, path, key, accessLevel="finance", isSensitive=True)
        reviewed = client.patch(
            f"{path}/documents/{doc_id}", json={"status": "approved"}, headers=org.headers()
        )
        assert reviewed.status_code == 200 and reviewed.json()["data"]["status"] == "approved"
    client.post(
        f"{path}/approvals",
        json={"title": "Finance approval", "approvers": [{"approverEmail": "f@example.com"}]},
        headers=org.headers(),
    )
    for field_key, value in (("bank_account", "1234567890"), ("tax_id", "98-7654321")):
        vault = client.post(
            f"{path}/vault",
            json={
                "fieldKey": field_key,
                "label": "Bank account",
                "value": value,
                "accessLevel": "finance",
            },
            headers=org.headers(),
        )
        assert vault.status_code == 201
        assert vault.json()["data"]["id"].startswith("vault_")
        assert value not in vault.text
    client.post(
        f"/api/v1/business-intake/{record_id}/status",
        json={"status": "pending_review"},
        headers=org.headers(),
    )

    rows = client.get(
        "/api/v1/business-intake?status=pending_review", headers=org.headers()
    ).json()["data"]
    assert len(rows) == 1
    row = rows[0]
    assert row["record"]["metadata"]["intakeType"] == "vendor"
    assert row["record"]["relatedParty"] == {
        "name": "Sam Lee",
        "email": "sam@example.com",
        "phone": "",
        "company": "Acme Catering",
    }
    assert row["checklistSummary"] == {
        "requiredCount": 4,
        "approvedRequired": 3,
        "pendingReviewRequired": 0,
        "missingRequired": 1,
        "completionPercent": 75,
    }
    assert row["pendingApprovalCount"] == 1 and row["vaultItemCount"] == 2

    view = client.get(path, headers=org.headers()).json()["data"]
    assert view["record"]["status"] == "pending_review"
    assert view["checklistSummary"]["completionPercent"] == 75
    assert [c["status"] for c in view["checklist"]] == [
        "approved",
        "approved",
        "approved",
        "missing",
    ]
    assert len(view["documents"]) == 3 and len(view["approvals"]) == 1
    vault_items = {v["fieldKey"]: v for v in view["vaultItems"]}
    assert vault_items["bank_account"]["redactedPreview"] == "****7890"
    assert "1234567890" not in str(view)
    assert any(a["action"] == "vault_set" for a in view["activity"])
    events = _events()
    assert "business_intake.vault.updated" in events
    assert "business_intake.payment_details.updated" in events
    assert "business_intake.document.reviewed" in events


def test_tasks_team_and_task_updates(client, org):
    record_id = _create_intake(client, org)
    path = f"/api/v1/business-intake/{record_id}"
    task = client.post(
        f"{path}/tasks",
        json={
            "title": "Verify payment details",
            "description": "Confirm remittance details with finance",
            "dueDate": 1778803200000,
        },
        headers=org.headers(),
    )
    assert task.status_code == 201
    task_id = task.json()["data"]["id"]
    assert task_id.startswith("action_")
    done = client.patch(
        f"{path}/tasks/{task_id}", json={"status": "completed"}, headers=org.headers()
    )
    assert done.json()["data"]["status"] == "completed"
    assert "business_intake.task.completed" in _events() and "app.action.completed" in _events()
    reopened = client.put(f"{path}/tasks/{task_id}", json={"status": "open"}, headers=org.headers())
    assert reopened.json()["data"]["status"] == "open"

    with session_scope() as session:
        from workspace.core.models import User

        owner = session.exec(select(User)).first()
    team = client.post(
        f"{path}/team", json={"userId": owner.id, "role": "contributor"}, headers=org.headers()
    )
    assert team.status_code == 201 and team.json()["data"]["id"].startswith("member_")
    members = client.get(f"{path}/team", headers=org.headers()).json()["data"]
    assert members[0]["email"] == org.owner_email
    assert "business_intake.team.assigned" in _events()
    bad = client.post(f"{path}/team", json={"userId": "user_nobody"}, headers=org.headers())
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "userId"


def test_hiring_packet_seed_examples(client, org):
    response = client.post(
        "/api/v1/hiring-packets",
        json={
            "candidateName": "Avery Johnson",
            "candidateEmail": "avery@example.com",
            "candidatePhone": "+2348012345678",
            "smsAlerts": True,
            "roleTitle": "Operations Manager",
            "department": "Operations",
            "workerType": "employee",
            "startDate": "2026-05-15",
        },
        headers=org.headers(),
    )
    assert response.status_code == 201
    packet_id = response.json()["data"]["id"]
    task = client.post(
        f"/api/v1/hiring-packets/{packet_id}/tasks",
        json={"title": "Provision laptop", "dueDate": 1770000000000},
        headers=org.headers(),
    )
    assert task.json()["data"]["id"].startswith("action_")
    link = client.post(
        f"/api/v1/hiring-packets/{packet_id}/portal-links",
        json={
            "recipientName": "Avery Johnson",
            "recipientEmail": "avery@example.com",
            "notificationChannels": ["sms"],
            "label": "Candidate document collection",
        },
        headers=org.headers(),
    ).json()["data"]
    assert "/intake/" in link["url"] and link["label"] == "Candidate document collection"
    client.patch(
        f"/api/v1/hiring-packets/{packet_id}", json={"status": "offer_sent"}, headers=org.headers()
    )
    rows = client.get("/api/v1/hiring-packets?status=offer_sent", headers=org.headers()).json()[
        "data"
    ]
    assert rows[0]["packet"]["title"] == "Avery Johnson"
    assert rows[0]["packet"]["status"] == "offer_sent"
    assert rows[0]["checklistSummary"]["requiredCount"] == 4
    assert rows[0]["openTaskCount"] == 1 and rows[0]["teamMemberCount"] == 0
    events = _events()
    assert "hiring_packets.packet.created" in events and "hiring_packets.task.created" in events
    assert "hiring_packets.packet.status_changed" in events
    bad = client.patch(
        f"/api/v1/hiring-packets/{packet_id}", json={"status": "approved"}, headers=org.headers()
    )
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "status"


def test_compliance_seed_examples(client, org):
    with clock.travel(to_ms=1777593600000):  # 2026-05-01, before the renewal window
        response = client.post(
            "/api/v1/renewals-compliance",
            json={
                "title": "General Liability COI",
                "trackingType": "insurance_coi",
                "relatedPartyName": "Northstar Logistics",
                "issuingAuthority": "Carrier Mutual",
                "expirationDate": "2026-08-01",
                "renewalDueDate": "2026-07-15",
                "policyNumber": "COI-2026-1001",
            },
            headers=org.headers(),
        )
        assert response.status_code == 201
        item = response.json()["data"]
        assert item["expirationDate"] == "2026-08-01" and item["renewalDueDate"] == "2026-07-15"
        path = f"/api/v1/renewals-compliance/{item['id']}"
        doc = client.post(
            f"{path}/documents",
            json={
                "requirementKey": "certificate_of_insurance",
                "label": "Current COI",
                "document": {
                    "filename": "coi.pdf",
                    "contentType": "application/pdf",
                    "data": PDF_B64,
                },
            },
            headers=org.headers(),
        )
        assert doc.status_code == 201
        task = client.post(
            f"{path}/tasks",
            json={"title": "Request renewed COI", "dueDate": 1784073600000},
            headers=org.headers(),
        )
        assert task.json()["data"]["id"].startswith("action_")
        rows = client.get("/api/v1/renewals-compliance", headers=org.headers()).json()["data"]
        assert rows[0]["item"]["title"] == "General Liability COI"
        assert rows[0]["checklistSummary"]["requiredCount"] == 2
        assert rows[0]["openTaskCount"] == 1
        assert "renewals_compliance.item.created" in _events()
        assert "renewals_compliance.document.attached" in _events()

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"requirementKey": "nope"}, "requirementKey"),
            (
                {
                    "document": {
                        "filename": "x.exe",
                        "contentType": "application/x-msdownload",
                        "data": PDF_B64,
                    }
                },
                "document.contentType",
            ),
            (
                {
                    "document": {
                        "filename": "x.pdf",
                        "contentType": "application/pdf",
                        "data": "!!!",
                    }
                },
                "document.data",
            ),
            (
                {
                    "document": {
                        "filename": "x.pdf",
                        "contentType": "application/pdf",
                        "data": base64.b64encode(b"hello").decode(),
                    }
                },
                "document.data",
            ),
        ],
    )
    def test_bad_documents_are_refused(client, org, body, field):
        record_id = _create_intake(client, org)
        payload = {
            "requirementKey": "tax_form",
            "document": {"filename": "w9.pdf", "contentType": "application/pdf", "data": PDF_B64},
            **body,
        }
        response = client.post(
            f"/api/v1/business-intake/{record_id}/documents", json=payload, headers=org.headers()
        )
        assert response.status_code == 400
        assert response.json()["details"]["field"] == field


def test_other_org_and_wrong_app_are_404(client, org, other_org):
    record_id = _create_intake(client, org)
    assert (
        client.get(f"/api/v1/business-intake/{record_id}", headers=other_org.headers()).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/hiring-packets/{record_id}", headers=org.headers()).status_code == 404
    )
    assert client.get("/api/v1/business-intake", headers=other_org.headers()).json()["data"] == []


def test_test_mode_records_stay_out_of_live_lists(client, org):
    _create_intake(client, org)
    response = client.post(
        "/api/v1/business-intake",
        json={"title": "Sandbox vendor", "intakeType": "vendor"},
        headers=org.headers(org.test_key),
    )
    assert response.json()["data"]["testMode"] is True
    live = client.get("/api/v1/business-intake", headers=org.headers()).json()["data"]
    test = client.get("/api/v1/business-intake", headers=org.headers(org.test_key)).json()["data"]
    assert [r["record"]["title"] for r in live] == ["Acme Catering"]
    assert [r["record"]["title"] for r in test] == ["Sandbox vendor"]


def test_vault_api_never_returns_plaintext(client, org):
    record_id = _create_intake(client, org)
    path = f"/api/v1/business-intake/{record_id}/vault"
    client.post(
        path,
        json={
            "fieldKey": "bank_account",
            "value": "GB29NWBK60161331926819",
            "accessLevel": "finance",
        },
        headers=org.headers(),
    )
    listed = client.get(path, headers=org.headers())
    assert listed.json()["data"][0]["redactedPreview"] == "****6819"
    assert "GB29NWBK" not in listed.text
    with session_scope() as session:
        item = session.exec(select(VaultItem)).one()
        assert b"GB29NWBK" not in item.ciphertext
    bad = client.post(path, json={"fieldKey": "Bank Account", "value": "1"}, headers=org.headers())
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "fieldKey"
    bad = client.post(
        path,
        json={"fieldKey": "iban", "value": "1", "accessLevel": "everyone"},
        headers=org.headers(),
    )
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "accessLevel"


def test_document_download_and_review_reason(client, org):
    record_id = _create_intake(client, org)
    path = f"/api/v1/business-intake/{record_id}"
    doc_id = _attach(client, org, path, "tax_form")
    file = client.get(f"{path}/documents/{doc_id}/file", headers=org.headers())
    assert file.status_code == 200 and file.content == PDF
    assert file.headers["content-type"] == "application/pdf"
    missing_reason = client.patch(
        f"{path}/documents/{doc_id}", json={"status": "rejected"}, headers=org.headers()
    )
    assert (
        missing_reason.status_code == 400 and missing_reason.json()["details"]["field"] == "reason"
    )
    revision = client.patch(
        f"{path}/documents/{doc_id}",
        json={"status": "needs_revision", "reason": "Unsigned"},
        headers=org.headers(),
    )
    assert revision.json()["data"]["status"] == "needs_revision"
    view = client.get(path, headers=org.headers()).json()["data"]
    assert view["checklist"][0]["status"] == "needs_revision"


def test_signed_in_document_route_checks_session_and_access_level(client, org):
    from workspace.core.models import Membership, User
    from workspace.core.passwords import hash_password
    from workspace.core.services import accounts

    record_id = _create_intake(client, org)
    path = f"/api/v1/business-intake/{record_id}"
    doc_id = _attach(client, org, path, "bank_details", accessLevel="finance", isSensitive=True)
    with session_scope() as session:
        user = User(email="m@acme.test", password_hash=hash_password("member-pass-1"))
        session.add(user)
        session.flush()
        session.add(Membership(org_id=org.org_id, user_id=user.id, role="member"))
    with session_scope() as session:
        owner = accounts.log_in(session, email=org.owner_email, password=org.owner_password).token
        member = accounts.log_in(session, email="m@acme.test", password="member-pass-1").token
    assert client.get(f"/files/records/{doc_id}").status_code == 401
    client.cookies.set("ws_session", member)
    assert client.get(f"/files/records/{doc_id}").status_code == 403
    client.cookies.set("ws_session", owner)
    inline = client.get(f"/files/records/{doc_id}?inline=true")
    assert inline.status_code == 200 and inline.content == PDF
    assert inline.headers["content-disposition"].startswith("inline")
    client.cookies.clear()


def _texts() -> list[TextMessage]:
    with session_scope() as session:
        return list(session.exec(select(TextMessage).order_by(TextMessage.created_at)))


def test_portal_link_by_sms_texts_the_link(client, org, sms_provider):
    path = f"/api/v1/business-intake/{_create_intake(client, org)}"
    link = client.post(
        f"{path}/portal-links",
        json={
            "recipientName": "Sam Lee",
            "recipientEmail": "sam@example.com",
            "recipientPhone": "+1 555 123 4567",
            "notificationChannels": ["email", "sms"],
        },
        headers=org.headers(),
    )
    assert link.status_code == 201, link.text
    data = link.json()["data"]
    assert data["recipientPhone"] == "+15551234567"
    run_due_jobs()
    form = sms_provider.forms(1)[0]
    assert form["To"] == "+15551234567" and form["From"] == sms_provider.sender
    assert data["url"] in form["Body"] and "Acme Catering" in form["Body"]
    assert _texts()[0].category == "portal_link" and _texts()[0].status == "sent"
    with session_scope() as session:
        subjects = [m.subject for m in session.exec(select(OutboxMessage))]
    assert any("documents requested" in s for s in subjects)  # the email went too


@pytest.mark.parametrize(
    "body",
    [
        {"notificationChannels": ["sms"]},
        {"notificationChannels": ["sms"], "recipientPhone": "555 1234"},
    ],
)
def test_portal_link_by_sms_needs_a_full_number(client, org, body):
    path = f"/api/v1/business-intake/{_create_intake(client, org)}"
    response = client.post(f"{path}/portal-links", json=body, headers=org.headers())
    assert response.status_code == 400 and response.json()["details"]["field"] == "recipientPhone"
    assert _texts() == []


def test_hiring_packet_sms_alerts_text_the_candidate_portal_links(client, org):
    def packet(**extra):
        body = {"candidateName": "Avery Johnson", "candidateEmail": "avery@example.com", **extra}
        return client.post("/api/v1/hiring-packets", json=body, headers=org.headers())

    alerted = packet(candidatePhone="+234 801 234 5678", smsAlerts=True).json()["data"]["id"]
    quiet = packet(candidatePhone="+2348012345678").json()["data"]["id"]
    for packet_id in (alerted, quiet):
        response = client.post(
            f"/api/v1/hiring-packets/{packet_id}/portal-links",
            json={"notificationChannels": ["email"]},
            headers=org.headers(),
        )
        assert response.status_code == 201, response.text
    texts = _texts()
    assert len(texts) == 1 and texts[0].to_phone == "+2348012345678"
    assert texts[0].status == "not_sent" and "SMS_URL" in texts[0].error  # no provider here
    assert "/intake/" in texts[0].body
    no_phone = packet(smsAlerts=True)
    assert no_phone.status_code == 400 and no_phone.json()["details"]["field"] == "candidatePhone"


def test_vault_api_replaces_a_stored_value_only_when_asked(client, org):
    record_id = _create_intake(client, org)
    path = f"/api/v1/business-intake/{record_id}/vault"
    body = {"fieldKey": "bank_account", "value": "GB29NWBK60161331926819", "accessLevel": "finance"}
    assert client.post(path, json=body, headers=org.headers()).status_code == 201
    again = client.post(path, json={**body, "value": "000099999999"}, headers=org.headers())
    assert again.status_code == 409 and again.json()["details"]["redactedPreview"] == "****6819"
    replaced = client.post(
        path, json={**body, "value": "000099999999", "replace": True}, headers=org.headers()
    )
    assert replaced.status_code == 201 and replaced.json()["data"]["redactedPreview"] == "****9999"


def test_compliance_api_sets_the_due_status_at_once_and_checks_date_order(client, org):
    with clock.travel(to_ms=1796565600000):  # 2026-12-06 14:00 UTC
        expired = client.post(
            "/api/v1/renewals-compliance",
            json={"title": "Old permit", "trackingType": "permit", "expirationDate": "2026-10-15"},
            headers=org.headers(),
        )
        assert expired.status_code == 201 and expired.json()["data"]["status"] == "expired"
        wrong = client.post(
            "/api/v1/renewals-compliance",
            json={
                "title": "COI",
                "expirationDate": "2027-03-01",
                "renewalDueDate": "2027-04-01",
            },
            headers=org.headers(),
        )
        assert wrong.status_code == 400 and wrong.json()["details"]["field"] == "renewalDueDate"


def test_a_rejected_intake_takes_no_approval_request(client, org):
    record_id = _create_intake(client, org)
    path = f"/api/v1/business-intake/{record_id}"
    client.post(f"{path}/status", json={"status": "rejected"}, headers=org.headers())
    refused = client.post(
        f"{path}/approvals",
        json={"title": "Finance approval", "approvers": [{"approverEmail": "f@example.com"}]},
        headers=org.headers(),
    )
    assert refused.status_code == 409 and refused.json()["details"]["recordStatus"] == "rejected"
