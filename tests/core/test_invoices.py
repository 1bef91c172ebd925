"""Invoice lifecycle in the service layer: numbering, totals, send, views, payments, void,
overdue and reminder jobs on a controlled clock, and the emails they leave in the outbox."""

from __future__ import annotations

import io
import random
import threading
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from tests.conftest import is_postgres
from workspace.core import clock, storage
from workspace.core.db import session_scope
from workspace.core.errors import Conflict, NotFound, ValidationFailed
from workspace.core.jobs import run_due_jobs
from workspace.core.models import AuditLog, Event, Invoice, OutboxMessage
from workspace.core.money import format_money
from workspace.core.schemas.invoices import InvoiceCreate, InvoiceUpdate, PaymentCreate
from workspace.core.services import invoices as svc
from workspace.core.services.audit import verify_chain

DAY = 24 * 3600 * 1000


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def seed_body(**overrides) -> InvoiceCreate:
    body = {
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
            {"description": "Document review", "quantity": 1, "unitPriceKobo": 200000},
        ],
        "subtotalKobo": 5200000,
        "taxRate": 7.5,
        "taxAmountKobo": 390000,
        "totalKobo": 5590000,
        # the contract's example, dated today (the clock's) and due in 30 days
        "invoiceDate": clock.now_ms() - clock.now_ms() % DAY,
        "dueDate": clock.now_ms() - clock.now_ms() % DAY + 30 * DAY,
        "notes": "Payment due within 30 days.",
    }
    body.update(overrides)
    return InvoiceCreate.model_validate(body)


def create(org, **overrides) -> Invoice:
    with session_scope() as session:
        return svc.create_invoice(session, actor=org.actor, data=seed_body(**overrides))


def send(org, invoice_id: str) -> Invoice:
    with session_scope() as session:
        return svc.send_invoice(session, actor=org.actor, invoice_id=invoice_id)


def pay(org, invoice_id: str, amount: int, **extra) -> Invoice:
    with session_scope() as session:
        invoice, _ = svc.record_payment(
            session,
            actor=org.actor,
            invoice_id=invoice_id,
            data=PaymentCreate(amount_kobo=amount, **extra),
        )
        return invoice


def events(org, type_: str | None = None) -> list[Event]:
    with session_scope() as session:
        query = select(Event).where(Event.org_id == org.org_id).order_by(col(Event.created_at))
        if type_:
            query = query.where(Event.type == type_)
        return list(session.exec(query))


def outbox(category: str | None = None) -> list[OutboxMessage]:
    with session_scope() as session:
        query = select(OutboxMessage).order_by(col(OutboxMessage.created_at))
        if category:
            query = query.where(OutboxMessage.category == category)
        return list(session.exec(query))


def test_create_computes_totals_and_numbers_per_org(org, other_org):
    first = create(org)
    assert first.invoice_number == "INV-0001" and first.status == "draft"
    assert (first.subtotal_minor, first.tax_minor, first.total_minor) == (5200000, 390000, 5590000)
    assert create(org).invoice_number == "INV-0002"
    assert create(other_org).invoice_number == "INV-0001"
    created = events(org, "invoice.created")
    assert len(created) == 2 and created[0].data["invoice_number"] == "INV-0001"
    assert created[0].data["total_kobo"] == 5590000


def test_client_totals_that_disagree_are_rejected_with_the_expected_value(org):
    with pytest.raises(ValidationFailed) as info:
        create(org, totalKobo=5590001)
    assert info.value.field == "totalKobo" and info.value.details["expected"] == 5590000
    with pytest.raises(ValidationFailed) as info:
        create(
            org,
            lineItems=[
                {"description": "x", "quantity": 1.5, "unitPriceKobo": 333, "totalKobo": 499}
            ],
            subtotalKobo=None,
            taxAmountKobo=None,
            totalKobo=None,
        )
    assert info.value.field == "lineItems[0].totalKobo" and info.value.details["expected"] == 500
    # a failed create never consumes a number
    assert create(org).invoice_number == "INV-0001"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"clientEmail": "not-an-email"}, "clientEmail"),
        ({"currency": "ZZZ"}, "currency"),
        ({"taxRate": 101}, "taxRate"),
        (
            {"lineItems": [{"description": "", "quantity": 1, "unitPriceKobo": 1}]},
            "lineItems[0].description",
        ),
        (
            {"lineItems": [{"description": "a", "quantity": 0, "unitPriceKobo": 1}]},
            "lineItems[0].quantity",
        ),
        (
            {"lineItems": [{"description": "a", "quantity": 1, "unitPriceKobo": -5}]},
            "lineItems[0].unitPriceKobo",
        ),
        ({"dueDate": 1711000000000}, "dueDate"),
        ({"invoiceDate": "next tuesday"}, "invoiceDate"),
    ],
)
def test_bad_input_names_the_field(org, overrides, field):
    body = {"subtotalKobo": None, "taxAmountKobo": None, "totalKobo": None, **overrides}
    with pytest.raises(ValidationFailed) as info:
        create(org, **body)
    assert info.value.field == field
    with session_scope() as session:
        assert session.exec(select(Invoice)).first() is None


def test_only_drafts_are_editable(org):
    invoice = create(org)
    with session_scope() as session:
        updated = svc.update_invoice(
            session,
            actor=org.actor,
            invoice_id=invoice.id,
            data=InvoiceUpdate.model_validate(
                {
                    "title": "Updated Title",
                    "lineItems": [
                        {"description": "Day rate", "quantity": "2.5", "unitPriceKobo": 100001}
                    ],
                }
            ),
        )
        assert updated.title == "Updated Title"
        assert (updated.subtotal_minor, updated.tax_minor, updated.total_minor) == (
            250003,
            18750,
            268753,
        )
        assert [li.quantity for li in svc.line_items(session, invoice.id)] == ["2.5"]
    send(org, invoice.id)
    with session_scope() as session, pytest.raises(Conflict):
        svc.update_invoice(
            session, actor=org.actor, invoice_id=invoice.id, data=InvoiceUpdate(title="Nope")
        )


def test_send_freezes_pdf_and_emails_a_link(org):
    invoice = send(org, create(org).id)
    assert invoice.status == "sent" and invoice.sent_at
    assert invoice.pdf_sha256 and storage.exists(invoice.pdf_sha256)
    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(storage.get_bytes(invoice.pdf_sha256))).pages
    )
    assert "INV-0001" in text and "NGN 55,900.00" in text and "Strategy consulting" in text
    [mail] = outbox("invoice")
    assert mail.to_email == "john@example.com" and "INV-0001" in mail.subject
    assert f"http://testserver/invoice/{invoice.view_token}" in mail.text_body
    [sent] = events(org, "invoice.sent")
    assert sent.data["invoice_id"] == invoice.id and sent.data["status"] == "sent"
    with pytest.raises(Conflict):
        send(org, invoice.id)


def test_draft_without_lines_cannot_be_sent(org):
    invoice = create(org, lineItems=[], subtotalKobo=None, taxAmountKobo=None, totalKobo=None)
    with pytest.raises(ValidationFailed):
        send(org, invoice.id)


def test_views_count_and_first_view_moves_to_viewed(org, other_org):
    invoice = create(org)
    with session_scope() as session, pytest.raises(NotFound):
        svc.record_view(session, token=invoice.view_token)  # drafts are not public
    send(org, invoice.id)
    with session_scope() as session:  # the owner's preview is not the client's view
        preview = svc.record_view(session, token=invoice.view_token, viewer_org_id=org.org_id)
    assert preview.view_count == 0 and preview.status == "sent"
    for expected, viewer in ((1, None), (2, other_org.org_id)):
        with session_scope() as session:
            viewed = svc.record_view(
                session, token=invoice.view_token, ip="10.0.0.9", viewer_org_id=viewer
            )
        assert viewed.view_count == expected and viewed.status == "viewed"
        assert viewed.last_viewed_at
    views = events(org, "invoice.viewed")
    assert [e.data["view_count"] for e in views] == [1, 2]
    with session_scope() as session, pytest.raises(NotFound):
        svc.record_view(session, token="nope")


def test_guide_two_payment_walkthrough_and_receipt(org):
    invoice = create(
        org,
        lineItems=[
            {
                "description": "Strategy session (2hrs)",
                "quantity": 2,
                "unitPriceKobo": 500000,
                "totalKobo": 1000000,
            }
        ],
        subtotalKobo=1000000,
        taxRate=None,
        taxAmountKobo=None,
        totalKobo=1000000,
    )
    send(org, invoice.id)
    first = pay(org, invoice.id, 500000, payment_method="bank_transfer", reference="TXN-12345")
    assert first.status == "partially_paid" and first.paid_minor == 500000
    assert not outbox("invoice_receipt")
    second = pay(org, invoice.id, 500000, payment_method="bank_transfer", reference="TXN-12346")
    assert second.status == "paid" and second.paid_at
    recorded = events(org, "invoice.payment_recorded")
    assert recorded[0].data == {
        **recorded[0].data,
        "invoice_id": invoice.id,
        "invoice_number": "INV-0001",
        "client_email": "john@example.com",
        "amount_kobo": 500000,
        "total_paid_kobo": 500000,
        "total_kobo": 1000000,
        "currency": "NGN",
        "payment_method": "bank_transfer",
        "status": "partially_paid",
    }
    assert recorded[1].data["status"] == "paid" and recorded[1].data["total_paid_kobo"] == 1000000
    assert len(events(org, "invoice.paid")) == 1
    [receipt] = outbox("invoice_receipt")
    assert receipt.to_email == "john@example.com" and "TXN-12346" in receipt.text_body
    with pytest.raises(Conflict):
        pay(org, invoice.id, 1)
    with session_scope() as session, pytest.raises(Conflict):
        svc.void_invoice(session, actor=org.actor, invoice_id=invoice.id)
    with session_scope() as session:
        assert verify_chain(
            session, org_id=org.org_id, subject_type="invoice", subject_id=invoice.id
        )
        actions = [
            r["action"]
            for r in svc.invoice_timeline(session, actor=org.actor, invoice_id=invoice.id)
        ]
    assert actions == [
        "invoice.created",
        "invoice.sent",
        "invoice.payment_recorded",
        "invoice.payment_recorded",
        "invoice.paid",
    ]


def test_overpayment_draft_payment_and_void(org):
    invoice = create(org)
    with pytest.raises(Conflict):
        pay(org, invoice.id, 100)
    send(org, invoice.id)
    with pytest.raises(ValidationFailed) as info:
        pay(org, invoice.id, 5590001)
    assert info.value.field == "amountKobo" and info.value.details["amountDueKobo"] == 5590000
    with pytest.raises(ValidationFailed):
        pay(org, invoice.id, 0)
    pay(org, invoice.id, 90000, payment_date=invoice.invoice_date)
    with session_scope() as session:
        voided = svc.void_invoice(session, actor=org.actor, invoice_id=invoice.id)
    assert voided.status == "void" and voided.voided_at
    with pytest.raises(Conflict):
        pay(org, invoice.id, 100)
    with session_scope() as session, pytest.raises(Conflict):
        svc.void_invoice(session, actor=org.actor, invoice_id=invoice.id)
    assert len(events(org, "invoice.voided")) == 1


def test_payments_never_exceed_the_total(org):
    """Property: random payment sequences keep 0 <= paid <= total and the status consistent."""
    rng = random.Random(7)
    for round_ in range(12):
        invoice = send(
            org,
            create(
                org,
                subtotalKobo=None,
                taxAmountKobo=None,
                totalKobo=None,
                taxRate=rng.choice([0, 7.5, 12.345]),
            ).id,
        )
        paid = 0
        for _ in range(8):
            amount = rng.randint(1, invoice.total_minor)
            try:
                invoice = pay(org, invoice.id, amount)
            except (ValidationFailed, Conflict):
                assert paid + amount > invoice.total_minor or invoice.status == "paid"
                continue
            paid += amount
            assert invoice.paid_minor == paid <= invoice.total_minor
            assert invoice.status == ("paid" if paid == invoice.total_minor else "partially_paid")
        if invoice.status != "paid":
            invoice = pay(org, invoice.id, invoice.total_minor - invoice.paid_minor)
        assert invoice.status == "paid", round_


def test_other_org_sees_404(org, other_org):
    invoice = create(org)
    with session_scope() as session, pytest.raises(NotFound):
        svc.get_invoice(session, actor=other_org.actor, invoice_id=invoice.id)
    with session_scope() as session, pytest.raises(NotFound):
        svc.send_invoice(session, actor=other_org.actor, invoice_id=invoice.id)


def test_overdue_and_reminders_follow_the_schedule(org):
    sent_at = ms("2026-03-01T09:00:00")
    with clock.travel(to_ms=sent_at):
        invoice = create(org, invoiceDate=sent_at, dueDate=ms("2026-03-20T00:00:00"))
        send(org, invoice.id)
        with session_scope() as session:
            svc.set_reminder_schedule(session, actor=org.actor, reminder_days=[-3, 0, 7])
    with clock.travel(to_ms=ms("2026-03-16T08:00:00")):  # 4 days before: nothing yet
        run_due_jobs()
    assert not outbox("invoice_reminder")
    with clock.travel(to_ms=ms("2026-03-17T08:00:00")):  # 3 days before
        run_due_jobs()
        run_due_jobs()
    [first] = outbox("invoice_reminder")
    assert "due in 3 days" in first.subject and first.to_email == "john@example.com"
    with clock.travel(to_ms=ms("2026-03-20T08:00:00")):  # due today, not yet overdue
        run_due_jobs()
    assert [m.subject for m in outbox("invoice_reminder")][-1].endswith("is due today")
    assert not events(org, "invoice.overdue")
    with clock.travel(to_ms=ms("2026-03-21T00:30:00")):  # the due day has ended
        run_due_jobs()
        run_due_jobs()
    with session_scope() as session:
        assert session.get(Invoice, invoice.id).status == "overdue"
    assert len(events(org, "invoice.overdue")) == 1
    with clock.travel(to_ms=ms("2026-03-27T06:00:00")):
        run_due_jobs()
    reminders = events(org, "invoice.reminder_sent")
    assert [e.data["reminder_day"] for e in reminders] == [-3, 0, 7]
    assert "7 days overdue" in outbox("invoice_reminder")[-1].subject
    assert len(events(org, "invoice.overdue")) == 1  # once
    with clock.travel(to_ms=ms("2026-03-27T07:00:00")):
        pay(org, invoice.id, 5590000)
    with clock.travel(to_ms=ms("2026-05-01T07:00:00")):
        run_due_jobs()
    assert len(events(org, "invoice.reminder_sent")) == 3


def test_no_reminders_after_void_or_when_disabled(org):
    start = ms("2026-06-01T10:00:00")
    with clock.travel(to_ms=start):
        voided = send(org, create(org, invoiceDate=start, dueDate=start + 5 * DAY).id)
        kept = send(org, create(org, invoiceDate=start, dueDate=start + 5 * DAY).id)
        with session_scope() as session:
            svc.void_invoice(session, actor=org.actor, invoice_id=voided.id)
            svc.set_reminder_schedule(
                session, actor=org.actor, reminder_days=[1], reminders_enabled=False
            )
    with clock.travel(to_ms=start + 8 * DAY):
        run_due_jobs()
    assert not outbox("invoice_reminder")
    with session_scope() as session:
        assert session.get(Invoice, voided.id).status == "void"
        assert session.get(Invoice, kept.id).status == "overdue"


def test_totals_summary_and_aging(org):
    now = ms("2026-07-15T12:00:00")
    with clock.travel(to_ms=now):
        for days_late, amount in ((-5, 100), (10, 200), (45, 300), (75, 400), (120, 500)):
            due = now - days_late * DAY
            invoice = create(
                org,
                invoiceDate=due - 200 * DAY,
                dueDate=due,
                lineItems=[{"description": "Work", "quantity": 1, "unitPriceKobo": amount}],
                subtotalKobo=None,
                taxAmountKobo=None,
                totalKobo=None,
                taxRate=None,
            )
            send(org, invoice.id)
        svc.run_invoice_sweep()
        paid = send(org, create(org).id)
        pay(org, paid.id, 90000)
        with session_scope() as session:
            totals = svc.invoice_totals(session, actor=org.actor)
    assert totals["currency"] == "NGN"
    assert totals["outstandingKobo"] == 1500 + 5590000 - 90000
    assert totals["overdueKobo"] == 1400
    assert totals["paidThisMonthKobo"] == 90000
    assert [b["amountKobo"] for b in totals["aging"]] == [100 + 5500000, 200, 300, 400, 500]
    assert totals["counts"]["overdue"] == 4 and totals["counts"]["partially_paid"] == 1


def _one_line(amount: int, currency: str, due: int) -> dict:
    return {
        "currency": currency,
        "invoiceDate": due - 30 * DAY,
        "dueDate": due,
        "lineItems": [{"description": "Work", "quantity": 1, "unitPriceKobo": amount}],
        "subtotalKobo": None,
        "taxAmountKobo": None,
        "totalKobo": None,
        "taxRate": None,
    }


def test_totals_are_kept_apart_per_currency(org, other_org):
    now = ms("2026-07-15T12:00:00")
    with clock.travel(to_ms=now):
        for amount, code, days_late in (
            (100_00, "NGN", -5),
            (200_00, "NGN", 40),
            (300_00, "NGN", -1),
            (7_000, "USD", 10),
            (5_000, "USD", -3),
            (900, "EUR", -2),
        ):
            send(org, create(org, **_one_line(amount, code, now - days_late * DAY)).id)
        usd_part_paid = send(org, create(org, **_one_line(2_500, "USD", now + 9 * DAY)).id)
        pay(org, usd_part_paid.id, 1_000)
        create(org, **_one_line(100, "NGN", now))  # a draft: counts towards the main currency
        void_me = send(org, create(org, **_one_line(50_000, "GBP", now + DAY)).id)
        pay(org, void_me.id, 10_000)
        with session_scope() as session:
            svc.void_invoice(session, actor=org.actor, invoice_id=void_me.id)
        svc.run_invoice_sweep()
        with session_scope() as session:
            totals = svc.invoice_totals(session, actor=org.actor)
            other = svc.invoice_totals(session, actor=other_org.actor)
    by_code = {entry["currency"]: entry for entry in totals["byCurrency"]}
    assert [entry["currency"] for entry in totals["byCurrency"]] == ["NGN", "USD", "EUR"]
    assert (by_code["NGN"]["outstandingKobo"], by_code["NGN"]["overdueKobo"]) == (60_000, 20_000)
    assert (by_code["USD"]["outstandingKobo"], by_code["USD"]["overdueKobo"]) == (13_500, 7_000)
    assert (by_code["EUR"]["outstandingKobo"], by_code["EUR"]["overdueKobo"]) == (900, 0)
    assert [by_code[c]["paidThisMonthKobo"] for c in ("NGN", "USD", "EUR")] == [0, 1_000, 0]
    assert [b["amountKobo"] for b in by_code["NGN"]["aging"]] == [40_000, 0, 20_000, 0, 0]
    assert [b["amountKobo"] for b in by_code["USD"]["aging"]] == [6_500, 7_000, 0, 0, 0]
    # the top level is the main currency's (most invoices), never a sum across currencies
    assert totals["currency"] == "NGN" and totals["outstandingKobo"] == 60_000
    assert "GBP" not in by_code  # void: neither open nor paid this month
    assert other["byCurrency"] == [
        {
            "currency": "NGN",
            "outstandingKobo": 0,
            "overdueKobo": 0,
            "paidThisMonthKobo": 0,
            "aging": [{"bucket": b, "amountKobo": 0} for b in svc.AGING_BUCKETS],
        }
    ]


def test_list_pages_count_every_match(org, other_org):
    start = ms("2026-03-01T09:00:00")
    for index in range(7):
        with clock.travel(to_ms=start + index * DAY):
            invoice = create(org, clientName=f"Client {index}" if index % 2 else "Zed Ltd")
            if index < 5:
                send(org, invoice.id)
    create(other_org)
    with session_scope() as session:
        pages = [svc.list_invoices(session, actor=org.actor, limit=3, offset=o) for o in (0, 3, 6)]
        past_the_end = svc.list_invoices(session, actor=org.actor, limit=3, offset=9)
        sent, sent_total = svc.list_invoices(session, actor=org.actor, status="sent", limit=3)
        found, found_total = svc.list_invoices(session, actor=org.actor, search="zed", limit=3)
        none, none_total = svc.list_invoices(session, actor=org.actor, search="nobody")
    numbers = [inv.invoice_number for rows, _ in pages for inv in rows]
    assert numbers == [f"INV-{n:04d}" for n in range(7, 0, -1)]  # newest first, no repeats
    assert [total for _, total in pages] == [7, 7, 7]
    assert past_the_end == ([], 7)
    assert len(sent) == 3 and sent_total == 5
    assert [inv.client_name for inv in found] == ["Zed Ltd"] * 3 and found_total == 4
    assert none == [] and none_total == 0


def test_totals_version_moves_with_every_change_and_the_day(org):
    now = ms("2026-07-15T12:00:00")

    def version() -> tuple[int, int, int]:
        with session_scope() as session:
            return svc.totals_version(session, actor=org.actor)

    with clock.travel(to_ms=now):
        invoice = create(org)
        first = version()
        assert version() == first  # nothing changed
    with clock.travel(to_ms=now + 1000):
        send(org, invoice.id)
        sent = version()
    with clock.travel(to_ms=now + 2000):
        pay(org, invoice.id, 1000)
        paid = version()
    with clock.travel(to_ms=now + 3000):
        create(org)
        created = version()
    with clock.travel(to_ms=now + DAY):
        next_day = version()
    assert len({first, sent, paid, created, next_day}) == 5


def test_test_mode_invoices_are_separate_and_send_no_real_mail(org):
    from dataclasses import replace

    test_actor = replace(org.actor, test_mode=True)
    with session_scope() as session:
        invoice = svc.create_invoice(session, actor=test_actor, data=seed_body())
        svc.send_invoice(session, actor=test_actor, invoice_id=invoice.id)
    assert invoice.invoice_number == "INV-0001" and invoice.test_mode
    assert create(org).invoice_number == "INV-0001"
    with session_scope() as session:
        rows, total = svc.list_invoices(session, actor=org.actor)
        assert total == 1 and not rows[0].test_mode
        with pytest.raises(NotFound):
            svc.get_invoice(session, actor=org.actor, invoice_id=invoice.id)


@pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL (DATABASE_URL)")
def test_concurrent_creates_get_consecutive_numbers_on_postgres(org):
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                create(org)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with session_scope() as session:
        numbers = sorted(session.exec(select(Invoice.number)).all())
        audited = session.exec(select(AuditLog).where(AuditLog.action == "invoice.created")).all()
    assert numbers == list(range(1, 41))
    assert len(audited) == 40


def test_long_invoice_pdf_continues_the_table_across_pages(org):
    lines = [
        {
            "description": f"Line {i:03d}: on-site workshop facilitation with preparation, travel "
            "and a written summary of the decisions taken for the leadership team",
            "quantity": 1,
            "unitPriceKobo": 1000 + i,
        }
        for i in range(150)
    ]
    invoice = create(org, lineItems=lines, subtotalKobo=None, taxAmountKobo=None, totalKobo=None)
    with session_scope() as session:
        invoice, pdf = svc.invoice_pdf(session, actor=org.actor, invoice_id=invoice.id)
    reader = PdfReader(io.BytesIO(pdf))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) > 3
    assert all("Description" in text for text in texts[:-1])  # header repeated on each page
    joined = "\n".join(texts)
    assert all(f"Line {i:03d}" in joined for i in range(150))
    assert "leadership team" in joined  # long descriptions wrap instead of being cut
    assert format_money(invoice.total_minor, "NGN", symbol=False) in texts[-1]


def test_an_invoice_sent_after_its_due_day_is_overdue_at_once(org):
    today = clock.now_ms() - clock.now_ms() % DAY
    late = create(org, invoiceDate=today - 40 * DAY, dueDate=today - 10 * DAY)
    due_today = create(org, invoiceDate=today - 30 * DAY, dueDate=today)
    assert send(org, late.id).status == "overdue"
    assert send(org, due_today.id).status == "sent"
    svc.run_invoice_sweep()
    assert [e.data["invoice_id"] for e in events(org, "invoice.overdue")] == [late.id]
    with session_scope() as session:
        totals = svc.invoice_totals(session, actor=org.actor)
    assert totals["overdueKobo"] == 5590000 and totals["counts"]["overdue"] == 1


def test_saving_a_draft_unchanged_records_no_edit(org):
    invoice = create(org)

    def save(**fields) -> None:
        body = seed_body(**fields).model_dump(by_alias=True, exclude_none=True)
        body.pop("subtotalKobo"), body.pop("taxAmountKobo"), body.pop("totalKobo")
        for line in body["lineItems"]:
            line.pop("totalKobo", None)
        with session_scope() as session:
            svc.update_invoice(
                session, actor=org.actor, invoice_id=invoice.id, data=InvoiceUpdate(**body)
            )

    def edits() -> list[str]:
        with session_scope() as session:
            return session.exec(
                select(AuditLog.description).where(
                    AuditLog.subject_id == invoice.id, AuditLog.action == "invoice.updated"
                )
            ).all()

    save()
    assert edits() == []
    save(notes="Payment due within 14 days.")
    assert edits() == ["Draft INV-0001 edited"]


def test_new_invoices_and_subscriptions_start_in_the_organizations_currency(org):
    from workspace.core.schemas.invoices import CustomerCreate, SubscriptionCreate
    from workspace.core.services import accounts, customers, subscriptions

    with session_scope() as session:
        assert svc.invoice_totals(session, actor=org.actor)["currency"] == "NGN"
        with pytest.raises(ValidationFailed) as unknown:
            accounts.update_organization(session, actor=org.actor, default_currency="XYZ")
    assert unknown.value.field == "defaultCurrency"
    with session_scope() as session:
        org_row = accounts.update_organization(session, actor=org.actor, default_currency="usd")
        assert org_row.default_currency == "USD"
    with session_scope() as session:
        assert svc.invoice_totals(session, actor=org.actor)["currency"] == "USD"
    body = seed_body().model_dump(by_alias=True, exclude={"currency"}, exclude_unset=True)
    with session_scope() as session:
        invoice = svc.create_invoice(session, actor=org.actor, data=InvoiceCreate(**body))
        assert invoice.currency == "USD"
        euro = svc.create_invoice(session, actor=org.actor, data=seed_body(currency="EUR"))
        assert euro.currency == "EUR"  # each invoice may still use another
        customer = customers.create_customer(
            session, actor=org.actor, data=CustomerCreate(name="Ada", email="ada@x.test")
        )
        sub, first = subscriptions.create_subscription(
            session,
            actor=org.actor,
            data=SubscriptionCreate(customerId=customer.id, name="Retainer", amountKobo=5000),
        )
        assert sub.currency == first.currency == "USD"
