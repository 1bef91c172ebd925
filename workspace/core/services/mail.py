"""Email: every message is stored in the outbox; SMTP delivery runs as a job when configured."""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from urllib.parse import unquote, urlparse

from sqlalchemy import insert
from sqlmodel import Session, col, select

from workspace.core.clock import now_ms
from workspace.core.config import get_settings
from workspace.core.db import fetch_page, read_scope, session_scope, text_search
from workspace.core.errors import NotFound
from workspace.core.ids import new_id
from workspace.core.jobs import enqueue, job_handler
from workspace.core.models import Organization, OutboxMessage
from workspace.core.services.branding import logo_url

DELIVER_KIND = "mail.deliver"
_INSERT_MESSAGE = insert(OutboxMessage.__table__)  # built once: most changes write mail


def render_email(
    *,
    heading: str,
    paragraphs: list[str],
    button_label: str | None = None,
    button_url: str | None = None,
    org: Organization | None = None,
    footer: str | None = None,
) -> tuple[str, str]:
    """Plain text and HTML versions of a simple branded message. Inputs are plain text."""
    brand = org.brand_color if org else "#4f46e5"
    org_name = org.name if org else "Workspace"
    text_parts = [heading, "", *paragraphs]
    if button_url:
        text_parts += ["", f"{button_label or 'Open'}: {button_url}"]
    text_parts += ["", footer or f"Sent by {org_name} via Workspace"]
    body = "".join(
        f'<p style="margin:0 0 14px;line-height:1.55">{html.escape(p)}</p>' for p in paragraphs
    )
    button = ""
    if button_url:
        button = (
            f'<p style="margin:24px 0"><a href="{html.escape(button_url, quote=True)}" '
            f'style="background:{html.escape(brand)};color:#fff;padding:12px 20px;'
            f'border-radius:8px;text-decoration:none;font-weight:600">'
            f"{html.escape(button_label or 'Open')}</a></p>"
        )
    html_body = (
        '<div style="font-family:-apple-system,Segoe UI,Roboto,sans-serif;background:#f4f4f7;'
        'padding:24px"><div style="max-width:560px;margin:auto;background:#fff;'
        'border-radius:12px;padding:28px;color:#1f2937">'
        f"{_masthead(org, org_name, brand)}"
        f'<h2 style="margin:0 0 16px;font-size:20px">{html.escape(heading)}</h2>{body}{button}'
        f'<p style="color:#6b7280;font-size:12px;margin-top:28px">'
        f"{html.escape(footer or f'Sent by {org_name} via Workspace')}</p></div></div>"
    )
    return "\n".join(text_parts), html_body


def _masthead(org: Organization | None, org_name: str, brand: str) -> str:
    """The organization's logo (an absolute URL, as mail clients need) beside its name."""
    logo = logo_url(org, get_settings().public_base_url)
    image = (
        f'<img src="{html.escape(logo, quote=True)}" alt="" height="32" '
        'style="height:32px;max-width:160px;vertical-align:middle;margin-right:10px">'
        if logo
        else ""
    )
    return (
        f'<div style="font-weight:700;color:{html.escape(brand)};margin-bottom:16px">'
        f"{image}{html.escape(org_name)}</div>"
    )


def send_mail(
    session: Session,
    *,
    to_email: str,
    subject: str,
    text_body: str,
    html_body: str,
    org_id: str | None = None,
    to_name: str = "",
    category: str = "general",
    deliver: bool = True,
) -> str:
    """Store the message and, when SMTP is configured, schedule its delivery (same transaction).
    Returns the message's id.

    `deliver=False` keeps it in the outbox only (test-mode objects never send real mail).
    """
    smtp = get_settings().smtp_url
    message_id = new_id("msg")
    session.connection().execute(
        _INSERT_MESSAGE,
        {
            "id": message_id,
            "org_id": org_id,
            "to_email": to_email,
            "to_name": to_name,
            "subject": subject,
            "text_body": text_body,
            "html_body": html_body,
            "category": category,
            "status": "queued" if smtp and deliver else "stored",
        },
    )
    if smtp and deliver:
        enqueue(session, kind=DELIVER_KIND, payload={"message_id": message_id}, max_attempts=10)
    return message_id


def send_notice(
    session: Session,
    *,
    to_email: str,
    subject: str,
    heading: str,
    paragraphs: list[str],
    org: Organization | None = None,
    org_id: str | None = None,
    to_name: str = "",
    button_label: str | None = None,
    button_url: str | None = None,
    category: str = "general",
    deliver: bool = True,
) -> str:
    """`render_email` then `send_mail`: a branded message with an optional button."""
    text, html = render_email(
        heading=heading,
        paragraphs=paragraphs,
        button_label=button_label,
        button_url=button_url,
        org=org,
    )
    return send_mail(
        session,
        to_email=to_email,
        to_name=to_name,
        subject=subject,
        text_body=text,
        html_body=html,
        org_id=org_id,
        category=category,
        deliver=deliver,
    )


def _smtp_send(smtp_url: str, message: EmailMessage) -> None:
    url = urlparse(smtp_url)
    host = url.hostname or "localhost"
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, url.port or 465, timeout=30, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, url.port or 25, timeout=30)
    with client:
        if url.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)


@job_handler(DELIVER_KIND)
def deliver_message(payload: dict) -> None:
    """Sends one stored message over SMTP. The SMTP exchange runs outside any transaction:
    a slow mail server must not hold the database's write lock."""
    settings = get_settings()
    with read_scope() as session:
        message = session.get(OutboxMessage, payload["message_id"])
        if message is None or message.status == "sent" or not settings.smtp_url:
            return
        email = EmailMessage()
        from_name, from_addr = parseaddr(settings.mail_from)
        email["From"] = formataddr((from_name, from_addr))
        email["To"] = formataddr((message.to_name, message.to_email))
        email["Subject"] = message.subject
        email["Message-ID"] = f"<{message.id}@{from_addr.split('@')[-1]}>"
        email.set_content(message.text_body)
        email.add_alternative(message.html_body, subtype="html")
    try:
        _smtp_send(settings.smtp_url, email)
    except Exception as exc:
        _record_attempt(message.id, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _record_attempt(message.id, error=None)


def _record_attempt(message_id: str, *, error: str | None) -> None:
    with session_scope() as session:
        message = session.get(OutboxMessage, message_id)
        message.attempts += 1
        if error is None:
            message.status, message.sent_at, message.last_error = "sent", now_ms(), None
        else:
            message.status, message.last_error = "queued", error


def list_outbox(
    session: Session,
    *,
    org_id: str,
    limit: int = 50,
    offset: int = 0,
    search: str = "",
    status: str = "",
) -> tuple[list[OutboxMessage], int]:
    query = select(OutboxMessage).where(OutboxMessage.org_id == org_id)
    if status:
        query = query.where(OutboxMessage.status == status)
    match = text_search(search or "", OutboxMessage.to_email, OutboxMessage.subject)
    if match is not None:
        query = query.where(match)
    return fetch_page(
        session, query, col(OutboxMessage.created_at).desc(), limit=limit, offset=offset
    )


def get_outbox_message(session: Session, *, org_id: str, message_id: str) -> OutboxMessage:
    message = session.get(OutboxMessage, message_id)
    if message is None or message.org_id != org_id:
        raise NotFound("Message not found.")
    return message
