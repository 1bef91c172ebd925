"""Text messages: stored in the outbox, delivered to a Twilio-compatible endpoint by the job
runner, retried on provider errors, and kept unsent without a provider."""

import base64

import pytest
from sqlmodel import select

from workspace.core import clock
from workspace.core.config import load_settings
from workspace.core.db import session_scope
from workspace.core.errors import ConfigError, NotFound, ValidationFailed
from workspace.core.jobs import run_due_jobs
from workspace.core.models import Job, TextMessage
from workspace.core.services import sms

HOUR_MS = 3600_000


def _send(org, **overrides) -> str:
    with session_scope() as session:
        message = sms.send_text(
            session,
            to_phone=overrides.pop("to_phone", "+1 (555) 123-4567"),
            body=overrides.pop("body", "Your code is 123456"),
            org_id=org.org_id,
            **overrides,
        )
        return message.id


def _message(message_id: str) -> TextMessage:
    with session_scope() as session:
        message = session.get(TextMessage, message_id)
        assert message is not None
        return message


def test_delivers_form_fields_with_basic_auth(org, sms_provider):
    message_id = _send(org, to_name="Ada")
    assert _message(message_id).status == "queued"
    run_due_jobs()
    request = sms_provider.receiver.wait_for(1)[0]
    assert request.path == sms_provider.path
    expected = base64.b64encode(f"{sms_provider.account}:{sms_provider.token}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sms_provider.forms(1) == [
        {"To": "+15551234567", "From": sms_provider.sender, "Body": "Your code is 123456"}
    ]
    sent = _message(message_id)
    assert sent.status == "sent" and sent.sent_at and sent.attempts == 1 and sent.error is None
    assert sent.provider_id == "SM0000000000000000000000000000001"


def test_whatsapp_numbers_carry_the_whatsapp_prefix(org, sms_provider):
    _send(org, channel="whatsapp", body="Hello")
    run_due_jobs()
    form = sms_provider.forms(1)[0]
    assert form["To"] == "whatsapp:+15551234567"
    assert form["From"] == f"whatsapp:{sms_provider.sender}"


def test_provider_errors_are_retried_with_backoff(org, sms_provider):
    sms_provider.receiver.answers = [(500, {}), (503, {})]
    start = clock.now_ms()
    with clock.travel(to_ms=start):
        message_id = _send(org)
        run_due_jobs()
        failed_once = _message(message_id)
        assert failed_once.status == "queued" and failed_once.attempts == 1
        assert failed_once.error.startswith("HTTP 500")
        with session_scope() as session:
            job = session.exec(select(Job).where(Job.kind == sms.DELIVER_KIND)).one()
            assert job.status == "pending" and job.run_at > start
        run_due_jobs()  # not due yet
        assert len(sms_provider.receiver.received) == 1
    with clock.travel(to_ms=start + HOUR_MS):
        run_due_jobs()
    assert _message(message_id).error.startswith("HTTP 503")
    with clock.travel(to_ms=start + 3 * HOUR_MS):
        run_due_jobs()
    delivered = _message(message_id)
    assert delivered.status == "sent" and delivered.attempts == 3 and delivered.error is None
    assert len(sms_provider.forms(3)) == 3


def test_gives_up_after_the_last_attempt(org, sms_provider):
    sms_provider.receiver.default = (500, {})
    start = clock.now_ms()
    with clock.travel(to_ms=start):
        message_id = _send(org)
    for attempt in range(sms.MAX_ATTEMPTS):
        with clock.travel(to_ms=start + attempt * 2 * HOUR_MS):
            run_due_jobs()
    failed = _message(message_id)
    assert failed.status == "failed" and failed.attempts == sms.MAX_ATTEMPTS
    with session_scope() as session:
        assert session.exec(select(Job)).one().status == "failed"


def test_a_refused_message_fails_without_retrying(org, sms_provider):
    sms_provider.receiver.answers = [(400, {})]
    message_id = _send(org)
    run_due_jobs()
    with clock.travel(by_ms=2 * HOUR_MS):
        run_due_jobs()
    failed = _message(message_id)
    assert failed.status == "failed" and failed.attempts == 1 and "HTTP 400" in failed.error
    assert len(sms_provider.receiver.received) == 1


def test_without_a_provider_the_message_stays_in_the_outbox(org):
    message_id = _send(org)
    kept = _message(message_id)
    assert kept.status == "not_sent" and "SMS_URL" in kept.error
    assert kept.to_phone == "+15551234567" and kept.body == "Your code is 123456"
    with session_scope() as session:
        assert session.exec(select(Job)).all() == []
        rows, total = sms.list_text_messages(session, actor=org.actor, search="code")
        assert total == 1 and rows[0].id == message_id


def test_test_mode_messages_are_never_delivered(org, sms_provider):
    message_id = _send(org, deliver=False)
    run_due_jobs()
    assert _message(message_id).status == "not_sent"
    assert "test mode" in _message(message_id).error
    assert sms_provider.receiver.received == []


def test_messages_are_scoped_to_the_organization(org, other_org):
    message_id = _send(org)
    with session_scope() as session:
        assert sms.list_text_messages(session, actor=other_org.actor) == ([], 0)
        with pytest.raises(NotFound):
            sms.get_text_message(session, actor=other_org.actor, message_id=message_id)
        with pytest.raises(ValidationFailed):
            sms.list_text_messages(session, actor=org.actor, status="delivered")


def test_bad_numbers_are_refused(org):
    with pytest.raises(ValidationFailed, match="country code"):
        _send(org, to_phone="555-1234")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMS_URL": "ftp://x"}, "SMS_URL must be a URL"),
        ({"SMS_URL": "https://AC1:tok@api.twilio.com/x"}, "SMS_FROM is required"),
        ({"SMS_URL": "https://api.example.com/x", "SMS_FROM": "555-1234"}, "SMS_FROM must be"),
    ],
)
def test_invalid_sms_settings_refuse_to_start(monkeypatch, env, message):
    monkeypatch.delenv("SMS_FROM", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_sender_id_may_be_alphanumeric(monkeypatch):
    monkeypatch.setenv("SMS_URL", "https://AC1:tok@api.twilio.com/x")
    monkeypatch.setenv("SMS_FROM", "AcmeInc")
    assert load_settings().sms_from == "AcmeInc"
