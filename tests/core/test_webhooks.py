"""Webhooks end to end: fan-out in the emitting transaction, real HTTP to a loopback receiver,
signatures checked by independent verifiers, and every retry rule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import shutil
import subprocess
from dataclasses import replace

import pytest
from sqlmodel import select

from workspace.core import clock
from workspace.core.config import get_settings
from workspace.core.db import session_scope
from workspace.core.errors import ValidationFailed
from workspace.core.events_catalog import EVENT_GROUPS, EVENT_TYPES
from workspace.core.jobs import run_due_jobs
from workspace.core.models import (
    Event,
    Job,
    OutboxMessage,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from workspace.core.schemas.webhooks import WebhookCreate, WebhookUpdate
from workspace.core.services import webhook_delivery
from workspace.core.services.events import emit_event
from workspace.core.services.webhooks import create_webhook as create_webhook_service
from workspace.core.services.webhooks import (
    retry_delivery,
    rotate_secret,
    send_test,
    update_webhook,
)
from workspace.core.webhook_signing import check_url, is_blocked_address

SEED_VERIFIER = """
import crypto from 'crypto';
import fs from 'fs';

function verifyWebhookSignature(payload, signature, timestamp, secret) {
  // Signature format is "sha256=<hex>"
  const signatureHex = signature.replace('sha256=', '');

  // Create message: timestamp.payload
  const message = `${timestamp}.${payload}`;

  const expectedSignature = crypto
    .createHmac('sha256', secret)
    .update(message)
    .digest('hex');

  return crypto.timingSafeEqual(
    Buffer.from(signatureHex),
    Buffer.from(expectedSignature)
  );
}

const captured = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const reqBody = JSON.parse(captured.body);  // what express.json() hands the handler
const ok = verifyWebhookSignature(
  JSON.stringify(reqBody), captured.signature, captured.timestamp, captured.secret
);
console.log(ok ? 'valid' : 'invalid');
"""


def seed_recipe_verify(raw_body: bytes, signature: str, timestamp: str, secret: str) -> bool:
    """The seed's JavaScript recipe, written again in Python: HMAC-SHA256 keyed by the secret
    over `${timestamp}.${JSON.stringify(req.body)}`, hex, compared to the header after
    "sha256=". JSON.stringify of the parsed body is compact JSON in the received key order."""
    payload = json.dumps(json.loads(raw_body), separators=(",", ":"), ensure_ascii=False)
    expected = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(signature.replace("sha256=", "", 1), expected)


def standard_webhooks_verify(raw_body: bytes, headers: dict[str, str], secret: str) -> bool:
    """Standard Webhooks: base64 HMAC keyed by base64-decoded secret over id.timestamp.body."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + raw_body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    versions = [s.split(",", 1) for s in headers["webhook-signature"].split(" ")]
    return any(v == "v1" and hmac.compare_digest(sig, expected) for v, sig in versions)


ENVELOPE_DATA = {
    "envelope": {
        "id": "env_xyz789",
        "title": "Employment Contract - Zoë Müller ✓",
        "status": "sent",
        "createdAt": 1704543600000,
        "completedAt": None,
        "ratio": 1.5,
    },
    "timestamp": 1704543600000,
}


def make_webhook(org, url, events=("envelope.sent",), *, test_mode=False, **extra):
    actor = replace(org.actor, test_mode=test_mode)
    with session_scope() as session:
        endpoint, secret = create_webhook_service(
            session, actor=actor, request=WebhookCreate(url=url, events=list(events), **extra)
        )
    return endpoint, secret


def emit(org, event_type="envelope.sent", data=None, *, test_mode=False) -> Event:
    actor = replace(org.actor, test_mode=test_mode)
    with session_scope() as session:
        return emit_event(session, actor=actor, type=event_type, data=data or ENVELOPE_DATA)


def deliveries() -> list[WebhookDelivery]:
    with session_scope() as session:
        return list(session.exec(select(WebhookDelivery)))


def attempts() -> list[WebhookAttempt]:
    with session_scope() as session:
        return list(session.exec(select(WebhookAttempt).order_by(WebhookAttempt.started_at)))


def endpoint_row(endpoint_id) -> WebhookEndpoint:
    with session_scope() as session:
        return session.get(WebhookEndpoint, endpoint_id)


# --- catalog ---------------------------------------------------------------------------------


def test_catalog_lists_every_seed_event_and_emit_rejects_unknown_types(org):
    assert len(EVENT_TYPES) == 61
    groups = [name for name, _ in EVENT_GROUPS]
    assert groups[:3] == ["Envelope", "Signer", "Reminder"] and "Bulk Send" in groups
    for expected in (
        "envelope.expired",
        "reminder.sent",
        "document.downloaded",
        "invoice.reminder_sent",
        "app.approval.step_decided",
        "business_intake.payment_details.updated",
        "hiring_packets.task.created",
        "renewals_compliance.vault.updated",
        "bulk_send.failed",
    ):
        assert expected in EVENT_TYPES
    with pytest.raises(ValidationFailed) as error, session_scope() as session:
        emit_event(session, actor=org.actor, type="envelope.sendt", data={})
    assert "envelope.sendt" in error.value.message
    with session_scope() as session:
        assert session.exec(select(Event)).all() == []


# --- fan-out in the same transaction -----------------------------------------------------------


def test_event_fans_out_only_to_subscribed_active_endpoints_of_the_same_mode(org, other_org):
    subscribed, _ = make_webhook(org, "http://127.0.0.1:9/a", ["envelope.sent"])
    make_webhook(org, "http://127.0.0.1:9/b", ["invoice.paid"])
    paused, _ = make_webhook(org, "http://127.0.0.1:9/c", ["envelope.sent"], is_active=False)
    test_endpoint, _ = make_webhook(org, "http://127.0.0.1:9/d", ["envelope.sent"], test_mode=True)
    make_webhook(other_org, "http://127.0.0.1:9/e", ["envelope.sent"])

    live = emit(org)
    rows = deliveries()
    assert [(d.endpoint_id, d.event_id, d.status) for d in rows] == [
        (subscribed.id, live.id, "pending")
    ]
    test_event = emit(org, test_mode=True)
    assert {d.endpoint_id for d in deliveries() if d.event_id == test_event.id} == {
        test_endpoint.id
    }
    with session_scope() as session:
        jobs = session.exec(select(Job).where(Job.kind == "webhook.deliver")).all()
    assert len(jobs) == 2 and paused.id not in {d.endpoint_id for d in deliveries()}


def test_a_rolled_back_change_leaves_no_event_delivery_or_job(org):
    make_webhook(org, "http://127.0.0.1:9/a")
    with pytest.raises(RuntimeError), session_scope() as session:
        emit_event(session, actor=org.actor, type="envelope.sent", data={})
        raise RuntimeError("the change failed")
    with session_scope() as session:
        assert session.exec(select(Event)).all() == []
        assert session.exec(select(WebhookDelivery)).all() == []
        assert session.exec(select(Job)).all() == []


# --- delivery and signatures -----------------------------------------------------------------


def test_delivery_is_signed_as_documented_and_logged(org, receiver):
    endpoint, secret = make_webhook(
        org,
        receiver.url,
        auth_header_name="Authorization",
        auth_header_value="Bearer receiver-token",
    )
    assert secret.startswith("whsec_")
    event = emit(org)
    assert run_due_jobs() == 1
    [request] = receiver.received
    headers = request.headers
    body = json.loads(request.body)
    assert body == {
        "id": event.id,
        "type": "envelope.sent",
        "created": event.created_at,
        "data": ENVELOPE_DATA,
    }
    assert headers["content-type"] == "application/json"
    assert headers["x-webhook-event"] == "envelope.sent"
    assert headers["authorization"] == "Bearer receiver-token"
    assert headers["webhook-id"] == event.id
    assert headers["x-webhook-signature"].startswith("sha256=")
    assert seed_recipe_verify(
        request.body, headers["x-webhook-signature"], headers["x-webhook-timestamp"], secret
    )
    assert not seed_recipe_verify(
        request.body, headers["x-webhook-signature"], headers["x-webhook-timestamp"], "whsec_x"
    )
    assert standard_webhooks_verify(request.body, headers, secret)
    assert int(headers["webhook-timestamp"]) == int(headers["x-webhook-timestamp"]) // 1000

    [delivery] = deliveries()
    assert delivery.status == "succeeded" and delivery.last_status_code == 200
    [attempt] = attempts()
    assert attempt.succeeded and attempt.status_code == 200 and attempt.response_excerpt == "ok"
    assert attempt.duration_ms >= 0 and attempt.error is None
    stored = endpoint_row(endpoint.id)
    assert stored.failure_count == 0 and stored.last_delivered_at == delivery.delivered_at
    # The secret is never stored in plain text.
    assert secret.encode() not in stored.secret_wrapped


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_seed_javascript_verifier_accepts_our_signature(org, receiver, tmp_path):
    _, secret = make_webhook(org, receiver.url)
    emit(org)
    run_due_jobs()
    [request] = receiver.received
    captured = tmp_path / "captured.json"
    captured.write_text(
        json.dumps(
            {
                "body": request.body.decode(),
                "signature": request.headers["x-webhook-signature"],
                "timestamp": request.headers["x-webhook-timestamp"],
                "secret": secret,
            }
        )
    )
    script = tmp_path / "verify.mjs"
    script.write_text(SEED_VERIFIER)
    result = subprocess.run(
        ["node", str(script), str(captured)], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "valid", result.stderr


def test_rotated_secret_signs_with_both_for_24_hours(org, receiver):
    endpoint, old_secret = make_webhook(org, receiver.url)
    with session_scope() as session:
        _, new_secret = rotate_secret(session, actor=org.actor, webhook_id=endpoint.id)
    assert new_secret != old_secret
    emit(org)
    run_due_jobs()
    request = receiver.received[-1]
    headers = request.headers
    stamp = headers["x-webhook-timestamp"]
    assert seed_recipe_verify(request.body, headers["x-webhook-signature"], stamp, new_secret)
    assert seed_recipe_verify(
        request.body, headers["x-webhook-signature-previous"], stamp, old_secret
    )
    assert standard_webhooks_verify(request.body, headers, new_secret)
    assert standard_webhooks_verify(request.body, headers, old_secret)

    with clock.travel(by_ms=24 * 3600_000 + 1000):
        emit(org)
        run_due_jobs()
    request = receiver.received[-1]
    assert "x-webhook-signature-previous" not in request.headers
    assert standard_webhooks_verify(request.body, request.headers, new_secret)
    assert not standard_webhooks_verify(request.body, request.headers, old_secret)


# --- retry rules -----------------------------------------------------------------------------


def test_receiver_failing_the_first_three_attempts_still_gets_the_event(org, receiver):
    endpoint, secret = make_webhook(org, receiver.url)
    receiver.answers = [(500, {}), (502, {}), (503, {})]
    start = clock.now_ms()
    with clock.travel(to_ms=start):
        event = emit(org)
        run_due_jobs()
    for _ in range(3):
        [delivery] = deliveries()
        assert delivery.status == "pending"
        with clock.travel(to_ms=delivery.next_attempt_at - 1):
            assert run_due_jobs() == 0  # not before its time
        with clock.travel(to_ms=delivery.next_attempt_at):
            assert run_due_jobs() == 1
    logged = attempts()
    assert [a.status_code for a in logged] == [500, 502, 503, 200]
    gaps = [b.started_at - a.started_at for a, b in zip(logged, logged[1:], strict=False)]
    for gap, base in zip(gaps, (5_000, 60_000, 300_000), strict=True):
        assert base * 0.9 <= gap <= base * 1.1
    assert [a.next_attempt_at is not None for a in logged] == [True, True, True, False]
    [delivery] = deliveries()
    assert delivery.status == "succeeded" and delivery.attempt_count == 4
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert all(
        seed_recipe_verify(
            r.body, r.headers["x-webhook-signature"], r.headers["x-webhook-timestamp"], secret
        )
        for r in receiver.received
    )
    stored = endpoint_row(endpoint.id)
    assert stored.failure_count == 0 and stored.failing_since is None
    assert json.loads(receiver.received[-1].body)["id"] == event.id


def test_full_backoff_schedule_then_the_delivery_fails(org, receiver):
    endpoint, _ = make_webhook(org, receiver.url)
    receiver.default = (500, {})
    now = clock.now_ms()
    with clock.travel(to_ms=now):
        emit(org)
        run_due_jobs()
    for _ in range(8):
        [delivery] = deliveries()
        now = delivery.next_attempt_at
        with clock.travel(to_ms=now):
            assert run_due_jobs() == 1
    logged = attempts()
    gaps = [b.started_at - a.started_at for a, b in zip(logged, logged[1:], strict=False)]
    assert len(logged) == 9
    for gap, base in zip(gaps, webhook_delivery.RETRY_DELAYS_MS, strict=True):
        assert base * 0.9 <= gap <= base * 1.1
    [delivery] = deliveries()
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    stored = endpoint_row(endpoint.id)
    assert stored.failure_count == 9 and stored.is_active  # under 3 days of failures
    with clock.travel(to_ms=now + 30 * 24 * 3600_000):
        assert run_due_jobs() == 0


def test_retry_after_is_honoured(org, receiver):
    make_webhook(org, receiver.url)
    receiver.answers = [(429, {"Retry-After": "120"}), (503, {"Retry-After": "7"})]
    start = clock.now_ms()
    with clock.travel(to_ms=start):
        emit(org)
        run_due_jobs()
    [delivery] = deliveries()
    assert delivery.next_attempt_at == start + 120_000
    with clock.travel(to_ms=start + 120_000):
        run_due_jobs()
    [delivery] = deliveries()
    assert delivery.next_attempt_at == start + 127_000
    with clock.travel(to_ms=start + 127_000):
        run_due_jobs()
    assert [a.status_code for a in attempts()] == [429, 503, 200]


def test_gone_disables_the_endpoint_and_emails_the_owner(org, receiver):
    endpoint, _ = make_webhook(org, receiver.url)
    receiver.answers = [(410, {})]
    emit(org)
    run_due_jobs()
    stored = endpoint_row(endpoint.id)
    assert not stored.is_active and "410" in stored.disabled_reason
    [delivery] = deliveries()
    assert delivery.status == "failed"
    with session_scope() as session:
        [message] = session.exec(select(OutboxMessage)).all()
    assert message.to_email == org.owner_email and "disabled" in message.subject
    assert receiver.url in message.text_body
    emit(org)  # a disabled endpoint gets nothing more
    assert len(deliveries()) == 1


def test_an_endpoint_failing_for_three_days_is_disabled_and_owner_emailed(org, receiver):
    endpoint, _ = make_webhook(org, receiver.url)
    receiver.default = (500, {})
    start = clock.now_ms()
    with clock.travel(to_ms=start):
        emit(org)
        run_due_jobs()
    with clock.travel(to_ms=start + 2 * 24 * 3600_000):
        emit(org)
        run_due_jobs()
        assert endpoint_row(endpoint.id).is_active
    with clock.travel(to_ms=start + 3 * 24 * 3600_000):
        emit(org)
        run_due_jobs()
    stored = endpoint_row(endpoint.id)
    assert not stored.is_active and "3 days" in stored.disabled_reason
    with session_scope() as session:
        messages = session.exec(select(OutboxMessage)).all()
    assert [m.to_email for m in messages] == [org.owner_email]
    # Re-enabling starts afresh; retries still waiting for the endpoint are given up.
    with session_scope() as session:
        update_webhook(
            session, actor=org.actor, webhook_id=endpoint.id, request=WebhookUpdate(isActive=True)
        )
    stored = endpoint_row(endpoint.id)
    assert stored.is_active and stored.failure_count == 0 and stored.disabled_reason is None


def test_network_errors_and_timeouts_are_retried_with_the_error_logged(org, receiver, monkeypatch):
    closed_port_url = "http://127.0.0.1:9/hooks"  # discard port: nothing listens
    make_webhook(org, closed_port_url)
    emit(org)
    run_due_jobs()
    [attempt] = attempts()
    assert attempt.status_code is None and "ConnectError" in attempt.error
    assert attempt.next_attempt_at is not None

    monkeypatch.setattr(webhook_delivery, "TIMEOUT_SECONDS", 0.3)
    receiver.delay_seconds = 1.0
    make_webhook(org, receiver.url, ["invoice.paid"])
    emit(org, "invoice.paid", {"invoice": {"id": "inv_1"}})
    run_due_jobs()
    timed_out = [a for a in attempts() if a.error and "Timed out" in a.error]
    assert len(timed_out) == 1 and timed_out[0].next_attempt_at is not None


def test_manual_redelivery_sends_again_and_supersedes_the_scheduled_retry(org, receiver):
    endpoint, _ = make_webhook(org, receiver.url)
    receiver.answers = [(500, {})]
    emit(org)
    run_due_jobs()
    [delivery] = deliveries()
    with session_scope() as session:
        retry_delivery(session, actor=org.actor, webhook_id=endpoint.id, delivery_id=delivery.id)
    assert run_due_jobs() == 1  # the redelivery, now
    [delivery] = deliveries()
    assert delivery.status == "succeeded" and delivery.attempt_count == 2
    with clock.travel(by_ms=3600_000):
        run_due_jobs()  # the superseded retry does nothing
    assert len(receiver.received) == 2 and len(attempts()) == 2
    with session_scope() as session:  # a succeeded delivery can be sent again on request
        retry_delivery(session, actor=org.actor, webhook_id=endpoint.id, delivery_id=delivery.id)
    run_due_jobs()
    assert len(receiver.received) == 3 and deliveries()[0].attempt_count == 3


def test_ping_reaches_only_that_endpoint_once_and_does_not_count_as_failure(org, receiver):
    endpoint, secret = make_webhook(org, receiver.url)
    make_webhook(org, receiver.url + "/other")
    receiver.answers = [(500, {})]
    with session_scope() as session:
        send_test(session, actor=org.actor, webhook_id=endpoint.id)
    run_due_jobs()
    with clock.travel(by_ms=3600_000):
        run_due_jobs()
    [request] = receiver.received
    assert request.headers["x-webhook-event"] == "ping" and request.path == "/hooks"
    assert seed_recipe_verify(
        request.body,
        request.headers["x-webhook-signature"],
        request.headers["x-webhook-timestamp"],
        secret,
    )
    [delivery] = deliveries()
    assert delivery.status == "failed" and endpoint_row(endpoint.id).failure_count == 0


def test_deliveries_of_a_disabled_endpoint_stop(org, receiver):
    endpoint, _ = make_webhook(org, receiver.url)
    emit(org)
    with session_scope() as session:
        update_webhook(
            session, actor=org.actor, webhook_id=endpoint.id, request=WebhookUpdate(isActive=False)
        )
    run_due_jobs()
    assert receiver.received == []
    [delivery] = deliveries()
    assert delivery.status == "failed" and "disabled" in delivery.last_error


# --- target safety ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address, blocked",
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("::1", True),
        ("fd00:ec2::254", True),
        ("fe80::1", True),
        ("::ffff:10.0.0.1", True),
        ("224.0.0.1", True),
        ("93.184.216.34", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_blocked_addresses(address, blocked):
    assert is_blocked_address(ipaddress.ip_address(address)) is blocked


def test_urls_must_be_http_and_private_literals_are_refused_by_default():
    for bad in ("ftp://example.com/x", "example.com/hook", "http://", "javascript:alert(1)"):
        with pytest.raises(ValidationFailed):
            check_url(bad, allow_private=False)
    with pytest.raises(ValidationFailed, match="credentials"):
        check_url("https://user:pw@example.com/hook", allow_private=False)
    with pytest.raises(ValidationFailed, match="private"):
        check_url("http://169.254.169.254/latest/meta-data", allow_private=False)
    assert check_url("http://127.0.0.1:8080/x", allow_private=True)
    assert check_url("https://hooks.example.com/in", allow_private=False)


def test_names_resolving_to_private_addresses_are_refused_at_send_time(org, receiver, monkeypatch):
    endpoint, _ = make_webhook(org, receiver.url.replace("127.0.0.1", "localhost"))
    monkeypatch.setenv("ALLOW_PRIVATE_WEBHOOK_TARGETS", "false")
    get_settings.cache_clear()
    try:
        emit(org)
        run_due_jobs()
    finally:
        monkeypatch.setenv("ALLOW_PRIVATE_WEBHOOK_TARGETS", "true")
        get_settings.cache_clear()
    assert receiver.received == []
    [attempt] = attempts()
    assert attempt.error.startswith("Refused: localhost resolves to")
    assert attempt.next_attempt_at is not None
    assert endpoint_row(endpoint.id).failure_count == 1
