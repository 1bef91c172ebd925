"""MCP tools for invoices: the same services and response shapes as /api/v1/invoices."""

from typing import Any

from workspace.core.schemas.invoices import (
    InvoiceCreate,
    PaymentCreate,
    invoice_out,
    invoice_summary_out,
)
from workspace.core.services import invoices as service
from workspace.mcp.server import mcp, run_tool


def _full(session, invoice) -> dict:
    return invoice_out(
        invoice, service.line_items(session, invoice.id), service.payments(session, invoice.id)
    )


@mcp.tool(name="list-invoices", description="List invoices, newest first; optional status filter.")
def list_invoices(status: str | None = None, search: str = "", limit: int = 50) -> str:
    def work(session, actor):
        rows, _total = service.list_invoices(
            session, actor=actor, status=status, search=search, limit=min(max(limit, 1), 100)
        )
        return [invoice_summary_out(row) for row in rows]

    return run_tool(work)


@mcp.tool(
    name="create-invoice",
    description="Create a draft invoice. `invoice` takes the body of POST /api/v1/invoices "
    "(clientName, clientEmail, title, currency, lineItems[{description, quantity, "
    "unitPriceKobo}], taxRate, dueDate, notes); amounts in minor units.",
)
def create_invoice(invoice: dict[str, Any]) -> str:
    return run_tool(
        lambda session, actor: _full(
            session,
            service.create_invoice(
                session, actor=actor, data=InvoiceCreate.model_validate(invoice)
            ),
        )
    )


@mcp.tool(name="get-invoice", description="One invoice with line items and payment history.")
def get_invoice(invoice_id: str) -> str:
    return run_tool(
        lambda session, actor: _full(
            session, service.get_invoice(session, actor=actor, invoice_id=invoice_id)
        )
    )


@mcp.tool(name="send-invoice", description="Email a draft invoice to its client.")
def send_invoice(invoice_id: str) -> str:
    return run_tool(
        lambda session, actor: _full(
            session, service.send_invoice(session, actor=actor, invoice_id=invoice_id)
        )
    )


@mcp.tool(
    name="record-payment",
    description="Record a payment (amountKobo, paymentDate, paymentMethod, reference, note).",
)
def record_payment(invoice_id: str, payment: dict[str, Any]) -> str:
    def work(session, actor):
        invoice, _payment = service.record_payment(
            session, actor=actor, invoice_id=invoice_id, data=PaymentCreate.model_validate(payment)
        )
        return {"success": True, "status": invoice.status}

    return run_tool(work)


@mcp.tool(name="void-invoice", description="Void an invoice that is not paid or already void.")
def void_invoice(invoice_id: str) -> str:
    def work(session, actor):
        service.void_invoice(session, actor=actor, invoice_id=invoice_id)
        return {"success": True}

    return run_tool(work)
