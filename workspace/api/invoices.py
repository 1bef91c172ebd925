"""/api/v1/invoices: create, list, read, edit drafts, send, record payments, void, PDF.

Also the public PDF download behind an invoice's view link (`/files/invoice/{token}/pdf`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from workspace.api.auth import api_actor
from workspace.api.errors import error_response
from workspace.api.responses import Page, created, ok
from workspace.api.routing import ApiRouter, threaded
from workspace.core.actor import Actor
from workspace.core.db import read_scope, session_scope
from workspace.core.errors import NotFound
from workspace.core.schemas.invoices import (
    InvoiceCreate,
    InvoiceUpdate,
    PaymentCreate,
    ReminderSchedule,
    amount_due,
    invoice_out,
    invoice_summary_out,
    view_url,
)
from workspace.core.services import invoices as service

router = ApiRouter(tags=["Invoices"])
public_router = APIRouter()


def _full(session, invoice) -> dict:
    return invoice_out(
        invoice, service.line_items(session, invoice.id), service.payments(session, invoice.id)
    )


@router.get("/invoices", summary="List invoices, newest first")
def list_invoices(
    status: str | None = Query(
        None, description="draft, sent, viewed, overdue, paid, partially_paid or void"
    ),
    search: str = Query("", description="Invoice number, client name/email/company or title"),
    customer_id: str | None = Query(None, alias="customerId"),
    page: tuple[int, int] = Depends(Page(default=50, maximum=100)),
    actor: Actor = Depends(api_actor),
):
    limit, offset = page
    with read_scope() as session:
        rows, total = service.list_invoices(
            session,
            actor=actor,
            status=status,
            search=search,
            customer_id=customer_id,
            limit=limit,
            offset=offset,
        )
        response = ok([invoice_summary_out(invoice) for invoice in rows])
    response.headers["X-Total-Count"] = str(total)
    return response


@router.post("/invoices", summary="Create a draft invoice", status_code=201)
def create_invoice(body: InvoiceCreate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        invoice = service.create_invoice(session, actor=actor, data=body)
        return created(invoice_out(invoice, service.line_items(session, invoice.id), []))


@router.get("/invoices/totals", summary="Outstanding, overdue, paid this month and aging")
def invoice_totals(actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        return ok(service.invoice_totals(session, actor=actor))


@router.get("/invoices/reminder-schedule", summary="The organization's reminder schedule")
def get_reminder_schedule(actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        settings = service.reminder_settings(session, org_id=actor.org_id)
        return ok(
            {
                "reminderDays": settings.reminder_days,
                "remindersEnabled": settings.reminders_enabled,
            }
        )


@router.put("/invoices/reminder-schedule", summary="Set the reminder schedule")
@router.patch("/invoices/reminder-schedule", include_in_schema=False)
def set_reminder_schedule(body: ReminderSchedule, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        settings = service.set_reminder_schedule(
            session,
            actor=actor,
            reminder_days=body.reminder_days,
            reminders_enabled=body.reminders_enabled,
        )
        return ok(
            {
                "reminderDays": settings.reminder_days,
                "remindersEnabled": settings.reminders_enabled,
            }
        )


@router.get("/invoices/{invoice_id}", summary="An invoice with line items and payments")
def get_invoice(invoice_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        invoice = service.get_invoice(session, actor=actor, invoice_id=invoice_id)
        return ok(_full(session, invoice))


@router.patch("/invoices/{invoice_id}", summary="Update a draft invoice")
@router.put("/invoices/{invoice_id}", include_in_schema=False)
def update_invoice(invoice_id: str, body: InvoiceUpdate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        invoice = service.update_invoice(session, actor=actor, invoice_id=invoice_id, data=body)
        return ok(_full(session, invoice))


@router.post("/invoices/{invoice_id}/send", summary="Email the invoice to the client")
def send_invoice(invoice_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        invoice = service.send_invoice(session, actor=actor, invoice_id=invoice_id)
        return ok(
            {
                "success": True,
                "status": invoice.status,
                "sentAt": invoice.sent_at,
                "viewUrl": view_url(invoice),
                "pdfSha256": invoice.pdf_sha256,
            }
        )


@router.post("/invoices/{invoice_id}/payments", summary="Record a (partial) payment")
def record_payment(invoice_id: str, body: PaymentCreate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        invoice, payment = service.record_payment(
            session, actor=actor, invoice_id=invoice_id, data=body
        )
        return ok(
            {
                "success": True,
                "status": invoice.status,
                "paymentId": payment.id,
                "paidAmountKobo": invoice.paid_minor,
                "amountDueKobo": amount_due(invoice),
            }
        )


@router.post("/invoices/{invoice_id}/void", summary="Void an invoice")
def void_invoice(invoice_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        invoice = service.void_invoice(session, actor=actor, invoice_id=invoice_id)
        return ok({"success": True, "status": invoice.status})


@router.get("/invoices/{invoice_id}/timeline", summary="Sent, views, payments, reminders")
def invoice_timeline(invoice_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        return ok(service.invoice_timeline(session, actor=actor, invoice_id=invoice_id))


def _pdf_response(invoice, data: bytes) -> Response:
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{invoice.invoice_number}.pdf"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/invoices/{invoice_id}/pdf",
    summary="The invoice PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
@threaded
def invoice_pdf(invoice_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        invoice, data = service.invoice_pdf(session, actor=actor, invoice_id=invoice_id)
    return _pdf_response(invoice, data)


@public_router.get("/files/invoice/{token}/pdf", include_in_schema=False)
def public_invoice_pdf(token: str) -> Response:
    """The client's download from the public invoice page (the link is the credential)."""
    try:
        with session_scope() as session:
            invoice = service.public_invoice(session, token=token)
            data = service.current_pdf(session, invoice)
    except NotFound as exc:
        return error_response(404, exc.code, exc.message)
    return _pdf_response(invoice, data)
