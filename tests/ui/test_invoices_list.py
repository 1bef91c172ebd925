"""The Invoices page State driven directly: server-side pages, totals kept while nothing
changed and recomputed when an invoice did, and reads that never wait for the write lock."""

import pytest

from tests.ui.states import signed_in_state
from workspace.core.db import session_scope
from workspace.core.models import Invoice
from workspace.core.schemas.invoices import InvoiceCreate, PaymentCreate
from workspace.core.services import invoices as service
from workspace.ui.pages.invoices import InvoicesState


def _invoices(org, count: int) -> list[str]:
    ids = []
    with session_scope() as session:
        for index in range(count):
            invoice = service.create_invoice(
                session,
                actor=org.actor,
                data=InvoiceCreate.model_validate(
                    {
                        "clientName": f"Client {index}",
                        "clientEmail": f"client{index}@example.com",
                        "currency": "USD",
                        "lineItems": [
                            {"description": "Work", "quantity": 1, "unitPriceKobo": 10_000}
                        ],
                    }
                ),
            )
            service.send_invoice(session, actor=org.actor, invoice_id=invoice.id)
            ids.append(invoice.id)
    return ids


@pytest.fixture
def counted_totals(monkeypatch):
    """How many times the page computed its totals."""
    calls = []
    compute = service.invoice_totals

    def invoice_totals(session, *, actor):
        calls.append(actor.org_id)
        return compute(session, actor=actor)

    monkeypatch.setattr(service, "invoice_totals", invoice_totals)
    return calls


def test_pages_keep_the_totals_until_an_invoice_changes(org, counted_totals):
    ids = _invoices(org, 30)
    state = signed_in_state(InvoicesState, org)
    state.load()
    assert len(state.rows) == 25 and state.page_label == "1–25 of 30"
    assert state.outstanding == ["$3,000.00"] and state.aging_currencies == ["USD"]
    assert [bar["amount"] for bar in state.aging][0] == "$3,000.00"
    assert set(state.rows[0]) == {
        "id", "number", "client", "company", "title", "status", "total", "due", "due_date"
    }  # fmt: skip
    state.next_page()
    assert [row["number"] for row in state.rows] == [f"INV-{n:04d}" for n in range(5, 0, -1)]
    assert state.page_label == "26–30 of 30" and not state.has_next
    state.set_tab("sent")
    assert state.page_label == "1–25 of 30"
    assert counted_totals == [org.org_id]  # paging and tabs left the figures alone

    with session_scope() as session:
        service.record_payment(
            session, actor=org.actor, invoice_id=ids[0], data=PaymentCreate(amount_kobo=4_000)
        )
    state.next_page()
    assert len(counted_totals) == 2
    assert state.outstanding == ["$2,960.00"] and state.paid_this_month == ["$40.00"]


def test_the_list_loads_while_another_request_holds_the_write_lock(org):
    _invoices(org, 3)
    state = signed_in_state(InvoicesState, org)
    with session_scope() as writer:
        writer.connection()  # a writing transaction is open on this database
        writer.get(Invoice, "inv_none")
        state.load()
    assert state.page_label == "1–3 of 3" and state.outstanding == ["$300.00"]
