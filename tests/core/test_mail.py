from sqlmodel import select

from workspace.core import clock
from workspace.core.db import session_scope
from workspace.core.jobs import run_due_jobs
from workspace.core.models import Job, OutboxMessage
from workspace.core.services.mail import render_email, send_mail


def _send(org_id=None, **kwargs):
    text, html = render_email(
        heading="Hello <there>",
        paragraphs=["Line & more"],
        button_label="Open",
        button_url="http://x.test/a?b=1&c=2",
    )
    with session_scope() as session:
        message_id = send_mail(
            session,
            to_email="client@example.test",
            to_name="Client",
            subject="Greetings",
            text_body=text,
            html_body=html,
            org_id=org_id,
            **kwargs,
        )
    with session_scope() as session:
        return session.get(OutboxMessage, message_id)


def test_without_smtp_messages_stay_in_the_outbox(org):
    message = _send(org.org_id)
    assert message.status == "stored"
    with session_scope() as session:
        assert session.exec(select(Job)).all() == []
        stored = session.get(OutboxMessage, message.id)
    assert "Hello &lt;there&gt;" in stored.html_body and "Line &amp; more" in stored.html_body
    assert "http://x.test/a?b=1&c=2" in stored.text_body


def test_smtp_delivery_to_a_real_local_server(org, smtp_server):
    message = _send(org.org_id)
    assert message.status == "queued"
    assert smtp_server == []  # nothing leaves before the job runs
    assert run_due_jobs() == 1
    assert len(smtp_server) == 1
    received = smtp_server[0].message
    assert smtp_server[0].recipients == ["client@example.test"]
    assert received["Subject"] == "Greetings"
    assert "Line & more" in received.get_body(("plain",)).get_content()
    assert "Hello &lt;there&gt;" in received.get_body(("html",)).get_content()
    with session_scope() as session:
        stored = session.get(OutboxMessage, message.id)
    assert stored.status == "sent" and stored.sent_at


def test_failed_delivery_is_retried(org, smtp_server, monkeypatch):
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:9")  # nothing listens there
    from workspace.core.config import get_settings

    get_settings.cache_clear()
    message = _send(org.org_id)
    run_due_jobs()
    with session_scope() as session:
        stored = session.get(OutboxMessage, message.id)
        job = session.exec(select(Job)).one()
    assert stored.status == "queued" and stored.last_error and job.status == "pending"
    port = smtp_server  # the real server is still up on its own port
    monkeypatch.setenv("SMTP_URL", "smtp://127.0.0.1:" + _port_of(port))
    get_settings.cache_clear()
    with clock.travel(by_ms=10 * 60_000):
        run_due_jobs()
    assert len(smtp_server) == 1
    with session_scope() as session:
        assert session.get(OutboxMessage, message.id).status == "sent"


def _port_of(_received) -> str:
    import os

    return os.environ["WS_TEST_SMTP_PORT"]


def test_test_mode_mail_is_never_delivered(org, smtp_server):
    message = _send(org.org_id, deliver=False)
    run_due_jobs()
    assert message.status == "stored" and smtp_server == []


def test_a_slow_mail_server_does_not_hold_up_other_writes(org, monkeypatch):
    """While the SMTP exchange waits, the rest of the app still writes to the database."""
    import asyncio
    import threading

    from aiosmtpd.controller import Controller

    from tests.conftest import free_port
    from workspace.core.config import get_settings

    arrived, release = threading.Event(), threading.Event()

    class SlowServer:
        async def handle_DATA(self, server, session, envelope):
            arrived.set()
            await asyncio.to_thread(release.wait, 30)
            return "250 Message accepted for delivery"

    port = free_port()
    controller = Controller(SlowServer(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
    get_settings.cache_clear()
    try:
        message = _send(org.org_id)
        delivery = threading.Thread(target=run_due_jobs)
        delivery.start()
        assert arrived.wait(10), "the message never reached the mail server"
        writer = threading.Thread(target=_send, args=(org.org_id,))
        writer.start()
        writer.join(10)
        assert not writer.is_alive(), "a write waited for the SMTP exchange"
        assert delivery.is_alive()  # the exchange is still going on
        release.set()
        delivery.join(30)
    finally:
        release.set()
        controller.stop()
        monkeypatch.delenv("SMTP_URL")
        get_settings.cache_clear()
    with session_scope() as session:
        stored = session.get(OutboxMessage, message.id)
    assert stored.status == "sent" and stored.attempts == 1
