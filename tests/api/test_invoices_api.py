"""The contract's invoice examples and the Invoicing Guide, replayed over HTTP; customers and
subscriptions in the same /api/v1 style."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlmodel import col, select

from workspace.core import clock
from workspace.core.db import session_scope
from workspace.core.models import Event, OutboxMessage

SEED_CREATE = {
    "clientName": "John Smith",
    "clientEmail": "john@example.com",
    "clientCompany": "Acme Corp",
    "title": "Consulting Services - March 2026",
    "currency": "NGN",
    "lineItems": [
        {
            "description": "Strategy consulting (10 hours)",
            "quantity": 10,
            "unitPriceKobo": 500000,
            "totalKobo": 5000000,
        },
        {
            "description": "Document review",
            "quantity": 1,
            "unitPriceKobo": 200000,
            "totalKobo": 200000,
        },
    ],
    "subtotalKobo": 5200000,
    "taxRate": 7.5,
    "taxAmountKobo": 390000,
    "totalKobo": 5590000,
    "invoiceDate": 1711929600000,
    "dueDate": 1714521600000,
    "notes": "Payment due within 30 days.",
}


def test_seed_create_get_update_list(client, org):
    response = client.post("/api/v1/invoices", headers=org.headers(), json=SEED_CREATE)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["id"].startswith("inv_") and data["invoiceNumber"] == "INV-0001"
    assert data["status"] == "draft" and data["totalKobo"] == 5590000
    assert data["viewToken"] and data["createdAt"]
    invoice_id = data["id"]

    full = client.get(f"/api/v1/invoices/{invoice_id}", headers=org.headers()).json()["data"]
    assert full["lineItems"] == SEED_CREATE["lineItems"]
    assert (full["subtotalKobo"], full["taxRate"], full["taxAmountKobo"]) == (5200000, 7.5, 390000)
    assert full["paidAmountKobo"] == 0 and full["payments"] == [] and full["viewCount"] == 0
    assert full["dueDate"] == 1714521600000 and full["clientCompany"] == "Acme Corp"

    patch = {"title": "Updated Title", "dueDate": 1714521600000, "notes": "Updated payment terms."}
    updated = client.patch(f"/api/v1/invoices/{invoice_id}", headers=org.headers(), json=patch)
    assert updated.status_code == 200
    body = updated.json()["data"]
    assert body["id"] == invoice_id and body["status"] == "draft"
    assert body["title"] == "Updated Title" and body["updatedAt"]
    put = client.put(f"/api/v1/invoices/{invoice_id}", headers=org.headers(), json={"notes": "PUT"})
    assert put.status_code == 200 and put.json()["data"]["notes"] == "PUT"

    listed = client.get("/api/v1/invoices", headers=org.headers())
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"
    [row] = listed.json()["data"]
    for key in (
        "id", "invoiceNumber", "clientName", "clientEmail", "clientCompany", "title", "currency",
        "totalKobo", "status", "invoiceDate", "dueDate", "sentAt", "viewCount", "createdAt",
    ):  # fmt: skip
        assert key in row
    assert client.get("/api/v1/invoices?status=sent", headers=org.headers()).json()["data"] == []
    bad = client.get("/api/v1/invoices?status=nope", headers=org.headers())
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "status"
    capped = client.get("/api/v1/invoices?limit=1000", headers=org.headers())
    assert capped.status_code == 200


def test_client_total_mismatch_is_400_with_expected_value(client, org):
    body = {**SEED_CREATE, "taxAmountKobo": 390001, "totalKobo": 5590001}
    response = client.post("/api/v1/invoices", headers=org.headers(), json=body)
    assert response.status_code == 400
    error = response.json()
    assert error["error"] == "validation_error"
    assert error["details"] == {"field": "taxAmountKobo", "value": 390001, "expected": 390000}
    assert "390000" in error["message"]
    bad_type = client.post(
        "/api/v1/invoices",
        headers=org.headers(),
        json={
            **SEED_CREATE,
            "lineItems": [{"description": "x", "quantity": 1, "unitPriceKobo": "lots"}],
        },
    )
    assert bad_type.status_code == 400
    assert bad_type.json()["details"]["field"] == "lineItems[0].unitPriceKobo"
    assert client.get("/api/v1/invoices", headers=org.headers()).json()["data"] == []


def test_invoicing_guide_walkthrough(client, org):
    """Create, send, two payments of 500000 → partially_paid then paid, receipt email."""
    import time

    now = int(time.time() * 1000)
    create = client.post(
        "/api/v1/invoices",
        headers={**org.headers(), "Content-Type": "application/json"},
        json={
            "clientName": "John Smith",
            "clientEmail": "john@example.com",
            "title": "Consulting Services - April 2026",
            "currency": "NGN",
            "lineItems": [
                {
                    "description": "Strategy session (2hrs)",
                    "quantity": 2,
                    "unitPriceKobo": 500000,
                    "totalKobo": 1000000,
                }
            ],
            "subtotalKobo": 1000000,
            "totalKobo": 1000000,
            "invoiceDate": now,
            "dueDate": now + 30 * 24 * 60 * 60 * 1000,
        },
    )
    assert create.status_code == 201, create.text
    invoice_id = create.json()["data"]["id"]
    sent = client.post(f"/api/v1/invoices/{invoice_id}/send", headers=org.headers())
    assert sent.status_code == 200 and sent.json()["data"]["success"] is True
    first = client.post(
        f"/api/v1/invoices/{invoice_id}/payments",
        headers=org.headers(),
        json={"amountKobo": 500000, "paymentMethod": "bank_transfer", "reference": "TXN-12345"},
    )
    assert first.status_code == 200
    assert first.json()["data"]["success"] is True
    assert first.json()["data"]["status"] == "partially_paid"
    second = client.post(
        f"/api/v1/invoices/{invoice_id}/payments",
        headers=org.headers(),
        json={"amountKobo": 500000, "paymentMethod": "bank_transfer", "reference": "TXN-12346"},
    )
    assert second.json()["data"]["status"] == "paid"
    with session_scope() as session:
        receipts = session.exec(
            select(OutboxMessage).where(OutboxMessage.category == "invoice_receipt")
        ).all()
        types = session.exec(
            select(Event.type).where(Event.org_id == org.org_id).order_by(col(Event.created_at))
        ).all()
        recorded = session.exec(
            select(Event)
            .where(Event.type == "invoice.payment_recorded")
            .order_by(col(Event.created_at))
        ).first()
    assert [m.to_email for m in receipts] == ["john@example.com"]
    assert types == [
        "invoice.created",
        "invoice.sent",
        "invoice.payment_recorded",
        "invoice.payment_recorded",
        "invoice.paid",
    ]
    expected = {
        "invoice_id": invoice_id,
        "invoice_number": "INV-0001",
        "client_email": "john@example.com",
        "amount_kobo": 500000,
        "total_paid_kobo": 500000,
        "total_kobo": 1000000,
        "currency": "NGN",
        "payment_method": "bank_transfer",
        "status": "partially_paid",
    }
    assert {k: recorded.data[k] for k in expected} == expected
    full = client.get(f"/api/v1/invoices/{invoice_id}", headers=org.headers()).json()["data"]
    assert full["paidAmountKobo"] == 1000000 and full["amountDueKobo"] == 0
    assert [p["reference"] for p in full["payments"]] == ["TXN-12345", "TXN-12346"]
    timeline = client.get(f"/api/v1/invoices/{invoice_id}/timeline", headers=org.headers())
    assert [t["action"] for t in timeline.json()["data"]][-1] == "invoice.paid"


def test_payment_date_iso_or_epoch_overpayment_and_state_conflicts(client, org):
    invoice_id = client.post("/api/v1/invoices", headers=org.headers(), json=SEED_CREATE).json()[
        "data"
    ]["id"]
    draft_pay = client.post(
        f"/api/v1/invoices/{invoice_id}/payments", headers=org.headers(), json={"amountKobo": 1}
    )
    assert draft_pay.status_code == 409 and draft_pay.json()["error"] == "conflict"
    client.post(f"/api/v1/invoices/{invoice_id}/send", headers=org.headers())
    assert (
        client.post(f"/api/v1/invoices/{invoice_id}/send", headers=org.headers()).status_code == 409
    )
    edit = client.patch(
        f"/api/v1/invoices/{invoice_id}", headers=org.headers(), json={"title": "x"}
    )
    assert edit.status_code == 409
    iso = client.post(
        f"/api/v1/invoices/{invoice_id}/payments",
        headers=org.headers(),
        json={
            "amountKobo": 2000000,
            "paymentDate": "2026-04-10T00:00:00.000Z",
            "paymentMethod": "bank_transfer",
            "reference": "TXN-12345",
            "note": "First installment",
        },
    )
    assert iso.status_code == 200 and iso.json()["data"]["status"] == "partially_paid"
    epoch = client.post(
        f"/api/v1/invoices/{invoice_id}/payments",
        headers=org.headers(),
        json={"amountKobo": 1000, "paymentDate": 1712534400000},
    )
    assert epoch.status_code == 200
    payments = client.get(f"/api/v1/invoices/{invoice_id}", headers=org.headers()).json()["data"][
        "payments"
    ]
    assert [p["paymentDate"] for p in payments] == [1712534400000, 1775779200000]
    over = client.post(
        f"/api/v1/invoices/{invoice_id}/payments",
        headers=org.headers(),
        json={"amountKobo": 3589001},
    )
    assert over.status_code == 400
    assert over.json()["details"] == {
        "field": "amountKobo",
        "value": 3589001,
        "amountDueKobo": 3589000,
    }
    bad_date = client.post(
        f"/api/v1/invoices/{invoice_id}/payments",
        headers=org.headers(),
        json={"amountKobo": 1, "paymentDate": "yesterday"},
    )
    assert bad_date.status_code == 400 and bad_date.json()["details"]["field"] == "paymentDate"
    for date, message in [
        ("2099-01-01", "The payment date can't be in the future."),
        ("2024-03-31", "The payment date can't be before the invoice date (01 Apr 2024)."),
    ]:
        refused = client.post(
            f"/api/v1/invoices/{invoice_id}/payments",
            headers=org.headers(),
            json={"amountKobo": 1, "paymentDate": date},
        )
        assert refused.status_code == 400 and refused.json()["message"] == message
    assert (
        over.json()["message"] == "The payment of ₦35,890.01 is more than the ₦35,890.00 still due."
    )
    after = client.get(f"/api/v1/invoices/{invoice_id}", headers=org.headers()).json()["data"]
    assert len(after["payments"]) == 2
    void = client.post(f"/api/v1/invoices/{invoice_id}/void", headers=org.headers())
    assert void.status_code == 200 and void.json()["data"]["success"] is True
    again = client.post(f"/api/v1/invoices/{invoice_id}/void", headers=org.headers())
    assert again.status_code == 409


def test_pdf_download_and_public_link(client, org, other_org):
    data = client.post("/api/v1/invoices", headers=org.headers(), json=SEED_CREATE).json()["data"]
    pdf = client.get(f"/api/v1/invoices/{data['id']}/pdf", headers=org.headers())
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "DRAFT" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert client.get(f"/files/invoice/{data['viewToken']}/pdf").status_code == 404  # draft
    client.post(f"/api/v1/invoices/{data['id']}/send", headers=org.headers())
    public = client.get(f"/files/invoice/{data['viewToken']}/pdf")
    assert public.status_code == 200 and public.content.startswith(b"%PDF")
    full = client.get(f"/api/v1/invoices/{data['id']}", headers=org.headers()).json()["data"]
    import hashlib

    assert hashlib.sha256(public.content).hexdigest() == full["pdfSha256"]
    assert (
        client.get(f"/api/v1/invoices/{data['id']}", headers=other_org.headers()).status_code == 404
    )
    assert (
        client.get(f"/api/v1/invoices/{data['id']}/pdf", headers=other_org.headers()).status_code
        == 404
    )


def test_test_key_invoices_are_kept_apart(client, org):
    test = client.post("/api/v1/invoices", headers=org.headers(org.test_key), json=SEED_CREATE)
    assert test.status_code == 201 and test.json()["data"]["testMode"] is True
    assert client.get("/api/v1/invoices", headers=org.headers()).json()["data"] == []
    assert (
        client.get(
            f"/api/v1/invoices/{test.json()['data']['id']}", headers=org.headers()
        ).status_code
        == 404
    )


def test_reminder_schedule_and_totals_routes(client, org):
    got = client.get("/api/v1/invoices/reminder-schedule", headers=org.headers())
    assert got.json()["data"] == {"reminderDays": [-3, 0, 7], "remindersEnabled": True}
    put = client.put(
        "/api/v1/invoices/reminder-schedule",
        headers=org.headers(),
        json={"reminderDays": [14, -1, 0]},
    )
    assert put.json()["data"]["reminderDays"] == [-1, 0, 14]
    bad = client.put(
        "/api/v1/invoices/reminder-schedule", headers=org.headers(), json={"reminderDays": [999]}
    )
    assert bad.status_code == 400
    totals = client.get("/api/v1/invoices/totals", headers=org.headers()).json()["data"]
    assert totals["outstandingKobo"] == 0 and len(totals["aging"]) == 5


def test_customers_and_subscriptions(client, org):
    body = {"name": "John Doe", "email": "john@example.com", "phoneNumber": "555-123-4567"}
    first = client.post("/api/v1/customers", headers=org.headers(), json=body)
    assert first.status_code == 201
    customer = first.json()["data"]
    assert customer["id"].startswith("cus_") and customer["phoneNumber"] == "555-123-4567"
    dup = client.post("/api/v1/customers", headers=org.headers(), json=body)
    assert dup.status_code == 409
    assert dup.json()["details"]["existingCustomerId"] == customer["id"]
    client.post(
        "/api/v1/customers", headers=org.headers(), json={"name": "Jane", "email": "jane@x.io"}
    )
    found = client.get("/api/v1/customers?search=JOHN", headers=org.headers())
    assert [c["id"] for c in found.json()["data"]] == [customer["id"]]
    paged = client.get("/api/v1/customers?limit=1&offset=1", headers=org.headers())
    assert [c["name"] for c in paged.json()["data"]] == ["John Doe"]  # ordered by name
    assert paged.headers["X-Total-Count"] == "2"
    past_the_end = client.get("/api/v1/customers?offset=5", headers=org.headers())
    assert past_the_end.json()["data"] == [] and past_the_end.headers["X-Total-Count"] == "2"
    patched = client.patch(
        f"/api/v1/customers/{customer['id']}", headers=org.headers(), json={"company": "Acme Corp"}
    )
    assert patched.json()["data"]["company"] == "Acme Corp"
    by_company = client.get("/api/v1/customers?search=acme", headers=org.headers())
    assert by_company.json()["data"] == [patched.json()["data"]]
    assert by_company.headers["X-Total-Count"] == "1"

    retainer = {
        "customerId": customer["id"],
        "name": "Monthly Retainer",
        "amountKobo": 29900,
        "currency": "USD",
        "cadence": 30,
        "cadenceUnit": "days",
        "startDate": "2026-02-01",
    }
    with clock.travel(to_ms=1770595200000):  # 2026-02-09: the first billing date has passed
        late = client.post("/api/v1/subscriptions", headers=org.headers(), json=retainer)
    assert late.status_code == 400 and late.json()["details"]["field"] == "startDate"
    assert late.json()["message"] == "The first billing date can't be in the past."
    with clock.travel(to_ms=1768953600000):  # 2026-01-21, as in the contract's example
        sub = client.post("/api/v1/subscriptions", headers=org.headers(), json=retainer)
    assert sub.status_code == 201, sub.text
    created = sub.json()["data"]
    assert created["status"] == "pending" and created["isActive"] is False
    assert created["invoiceUrl"].startswith("http://testserver/invoice/")
    assert created["customerName"] == "John Doe" and created["billingDayOfMonth"] == 1
    detail = client.get(f"/api/v1/customers/{customer['id']}", headers=org.headers()).json()["data"]
    assert [i["id"] for i in detail["invoices"]] == [created["invoiceId"]]
    assert [s["id"] for s in detail["subscriptions"]] == [created["id"]]
    client.post(
        f"/api/v1/invoices/{created['invoiceId']}/payments",
        headers=org.headers(),
        json={"amountKobo": 29900, "paymentMethod": "card"},
    )
    active = client.get(f"/api/v1/subscriptions/{created['id']}", headers=org.headers())
    assert active.json()["data"]["status"] == "active" and active.json()["data"]["isActive"]
    updated = client.patch(
        f"/api/v1/subscriptions/{created['id']}",
        headers=org.headers(),
        json={"amountKobo": 34900, "name": "Premium Monthly Retainer"},
    )
    assert updated.json()["data"]["amountKobo"] == 34900
    listed = client.get("/api/v1/subscriptions?status=active", headers=org.headers())
    assert [s["id"] for s in listed.json()["data"]] == [created["id"]]
    cancelled = client.delete(f"/api/v1/subscriptions/{created['id']}", headers=org.headers())
    assert cancelled.status_code == 200
    assert cancelled.json()["data"]["status"] == "cancelled"
    assert cancelled.json()["data"]["canceledAt"]
    assert (
        client.delete(f"/api/v1/subscriptions/{created['id']}", headers=org.headers()).status_code
        == 409
    )
    missing = client.post(
        "/api/v1/subscriptions",
        headers=org.headers(),
        json={"customerId": "cus_nope", "name": "x", "amountKobo": 1},
    )
    assert missing.status_code == 404


def test_send_package_creates_subscription_invoice_and_agreement(client, org):
    from tests.envelope_samples import make_template
    from workspace.core.models import Envelope

    template_id = make_template(org, roles=("employee",), placeholder=True)
    customer = client.post(
        "/api/v1/customers",
        headers=org.headers(),
        json={"name": "John Doe", "email": "john@example.com"},
    ).json()["data"]
    response = client.post(
        f"/api/v1/customers/{customer['id']}/send-package",
        headers=org.headers(),
        json={
            "templateId": template_id,
            "name": "Monthly Subscription",
            "amountKobo": 9900,
            "currency": "USD",
            "cadence": 1,
            "cadenceUnit": "months",
            "ccEmails": ["manager@company.com"],
            "customMergeTagValues": {"start_date": "01/20/2026"},
        },
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["customerId"] == customer["id"] and data["status"] == "pending"
    assert data["signingUrl"].startswith("http://testserver/sign/")
    assert data["invoiceUrl"].startswith("http://testserver/invoice/")
    invoice = client.get(f"/api/v1/invoices/{data['invoiceId']}", headers=org.headers()).json()
    assert invoice["data"]["status"] == "sent" and invoice["data"]["totalKobo"] == 9900
    with session_scope() as session:
        envelope = session.get(Envelope, data["envelopeId"])
        assert envelope.status == "sent" and envelope.org_id == org.org_id
        sent_to = {m.to_email for m in session.exec(select(OutboxMessage)).all()}
    assert {"john@example.com", "manager@company.com"} <= sent_to
    neither = client.post(
        f"/api/v1/customers/{customer['id']}/send-package",
        headers=org.headers(),
        json={"name": "x", "amountKobo": 100},
    )
    assert neither.status_code == 400 and neither.json()["details"]["field"] == "packageId"
    bad_tag = client.post(
        f"/api/v1/customers/{customer['id']}/send-package",
        headers=org.headers(),
        json={
            "templateId": template_id,
            "name": "x",
            "amountKobo": 100,
            "customMergeTagValues": {"nope": "1"},
        },
    )
    assert bad_tag.status_code == 400
    subscriptions = client.get("/api/v1/subscriptions", headers=org.headers()).json()["data"]
    assert len(subscriptions) == 1  # the failed calls left nothing behind


def test_search_takes_percent_and_underscore_literally(client, org):
    names = ["100% Organic", "Under_score Ltd", "Wow! Studio", "Plain Co"]
    for n, name in enumerate(names):
        created = client.post(
            "/api/v1/customers",
            headers=org.headers(),
            json={"name": name, "email": f"c{n}@example.com"},
        )
        assert created.status_code == 201
        invoice = {**SEED_CREATE, "clientName": name, "clientEmail": f"c{n}@example.com"}
        assert client.post("/api/v1/invoices", headers=org.headers(), json=invoice).is_success

    def found(path: str, search: str) -> list[str]:
        response = client.get(path, headers=org.headers(), params={"search": search})
        assert response.status_code == 200
        key = "name" if path.endswith("customers") else "clientName"
        return sorted(item[key] for item in response.json()["data"])

    for path in ("/api/v1/customers", "/api/v1/invoices"):
        assert found(path, "%") == ["100% Organic"]
        assert found(path, "_") == ["Under_score Ltd"]
        assert found(path, "!") == ["Wow! Studio"]
        assert found(path, "o%o") == []
        assert found(path, "  PLAIN ") == ["Plain Co"]


def test_dates_beyond_any_calendar_are_refused_not_stored(client, org):
    far = 253402300800000  # the first moment after year 9999
    invoice = {**SEED_CREATE, "dueDate": far}
    response = client.post("/api/v1/invoices", headers=org.headers(), json=invoice)
    assert response.status_code == 400 and response.json()["details"]["field"] == "dueDate"
    assert "between the years 1900 and 2999" in response.json()["message"]
    seconds = client.post(
        "/api/v1/invoices", headers=org.headers(), json={**SEED_CREATE, "invoiceDate": -(10**13)}
    )
    assert seconds.status_code == 400 and seconds.json()["details"]["field"] == "invoiceDate"
    assert client.get("/api/v1/invoices", headers=org.headers()).json()["data"] == []
    renewal = client.post(
        "/api/v1/renewals-compliance",
        headers=org.headers(),
        json={"title": "GL insurance", "trackingType": "insurance_coi", "expirationDate": far},
    )
    assert renewal.status_code == 400
    assert renewal.json()["details"]["field"] == "expirationDate"
