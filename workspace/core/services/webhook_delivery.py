"""Webhook delivery: fan-out in the emitting transaction, signed POSTs, retries, auto-disable.

Every event written by `emit_event` gets one delivery row (and one job) per active endpoint of
the same organization and mode that subscribes to its type, in the same transaction as the
change, so a crash neither loses an event nor sends one for a change that rolled back.
The job runner hands claimed delivery jobs to `WebhookSender` a batch at a time: what a batch
needs is loaded in the transaction that claims it, the POSTs run concurrently over kept-alive
connections, and the outcomes are written in the transaction that finishes the jobs.

Rules: 2xx is success. Anything else (or a network error / refused target) is retried after
about 5 s, 1 min, 5 min, 30 min, 2 h, 6 h, 12 h and 24 h (±10 % jitter) or after the
receiver's `Retry-After` (capped at 24 h); then the delivery is failed. 410 Gone disables
the endpoint at once. An endpoint whose deliveries have failed for 3 days without a success
is disabled and its owners are emailed. Test pings get one attempt and do not count.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import logging
import random
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import sqlalchemy as sa
from sqlmodel import Session, col, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.config import get_settings
from workspace.core.events_catalog import PING_EVENT
from workspace.core.jobs import ClaimedJob, Outcome, RetryLater, batch_job_kind
from workspace.core.models import (
    Event,
    Membership,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from workspace.core.services import mail
from workspace.core.services.audit import record_audit
from workspace.core.services.events import event_payload, on_event
from workspace.core.services.webhooks import (
    DELIVER_KIND,
    auth_header,
    schedule_deliveries,
    signing_secrets,
)
from workspace.core.webhook_signing import canonical_body, is_blocked_address, signature_headers

log = logging.getLogger("workspace.webhooks")

TIMEOUT_SECONDS = 10.0
RETRY_DELAYS_MS = [
    5_000,
    60_000,
    5 * 60_000,
    30 * 60_000,
    2 * 3600_000,
    6 * 3600_000,
    12 * 3600_000,
    24 * 3600_000,
]
MAX_ATTEMPTS = len(RETRY_DELAYS_MS) + 1
DISABLE_AFTER_FAILING_MS = 3 * 24 * 3600_000
MAX_RETRY_AFTER_MS = 24 * 3600_000
EXCERPT_BYTES = 2048
USER_AGENT = "Workspace-Webhooks/1.0"
CONNECTIONS_PER_HOST = 16
# httpx's pool looks at every idle connection on each request, so a host's connections are
# spread over a few small clients: a quarter of the CPU time per request of one big pool.
CLIENTS_PER_HOST = 4
KEPT_HOSTS = 64


# Statements built once: they run for every event and on every turn of a job runner.
_endpoints = WebhookEndpoint.__table__.c
_deliveries = WebhookDelivery.__table__.c
_SUBSCRIBED_ENDPOINTS = sa.select(_endpoints.id, _endpoints.events).where(
    _endpoints.org_id == sa.bindparam("org_id"),
    _endpoints.test_mode == sa.bindparam("test_mode"),
    _endpoints.is_active.is_(True),
)
_PLAN_DELIVERIES = (
    sa.select(
        _deliveries.id,
        _deliveries.org_id,
        _deliveries.status,
        _deliveries.generation,
        _deliveries.attempt_count,
        WebhookEndpoint,
        Event,
    )
    .join(WebhookEndpoint, col(WebhookEndpoint.id) == _deliveries.endpoint_id)
    .join(Event, col(Event.id) == _deliveries.event_id)
    .where(_deliveries.id.in_(sa.bindparam("ids", expanding=True)))
)
# Locked in a stable order so concurrent runners never deadlock on PostgreSQL.
_LOCKED_ENDPOINTS = (
    sa.select(
        _endpoints.id, _endpoints.failure_count, _endpoints.failing_since, _endpoints.is_active
    )
    .where(_endpoints.id.in_(sa.bindparam("ids", expanding=True)))
    .order_by(_endpoints.id)
    .with_for_update()
)
_EXISTING_DELIVERIES = sa.select(_deliveries.id).where(
    _deliveries.id.in_(sa.bindparam("ids", expanding=True))
)
_INSERT_ATTEMPTS = sa.insert(WebhookAttempt.__table__)
_RECORD_ATTEMPT = (
    sa.update(WebhookDelivery.__table__)
    .where(_deliveries.id == sa.bindparam("delivery_id"))
    .values(
        status=sa.bindparam("new_status"),
        attempt_count=sa.bindparam("new_attempt_count"),
        last_status_code=sa.bindparam("new_status_code"),
        last_error=sa.bindparam("new_error"),
        last_duration_ms=sa.bindparam("new_duration_ms"),
        next_attempt_at=sa.bindparam("new_next_attempt_at"),
        delivered_at=sa.func.coalesce(
            sa.bindparam("new_delivered_at", type_=sa.BigInteger), _deliveries.delivered_at
        ),
    )
)
_RECORD_HEALTH = (
    sa.update(WebhookEndpoint.__table__)
    .where(_endpoints.id == sa.bindparam("endpoint_id"))
    .values(
        failure_count=sa.bindparam("new_failure_count"),
        failing_since=sa.bindparam("new_failing_since"),
        last_delivered_at=sa.func.coalesce(
            sa.bindparam("new_last_delivered_at", type_=sa.BigInteger),
            _endpoints.last_delivered_at,
        ),
    )
)
_MARK_NOT_SENT = (
    sa.update(WebhookDelivery.__table__)
    .where(_deliveries.id == sa.bindparam("delivery_id"))
    .values(status="failed", last_error=sa.bindparam("new_error"), next_attempt_at=None)
)


@on_event
def fan_out(session: Session, event: Event) -> None:
    """Schedule a delivery to every active endpoint subscribed to the event's type."""
    subscribed = session.connection().execute(
        _SUBSCRIBED_ENDPOINTS, {"org_id": event.org_id, "test_mode": event.test_mode}
    )
    endpoint_ids = [endpoint_id for endpoint_id, events in subscribed if event.type in events]
    if endpoint_ids:
        schedule_deliveries(session, event=event, endpoint_ids=endpoint_ids)


def retry_delay_ms(attempt_number: int) -> int:
    """Delay before the attempt after `attempt_number` failed attempts (jittered ±10 %)."""
    base = RETRY_DELAYS_MS[attempt_number - 1]
    return int(base * random.uniform(0.9, 1.1))


def parse_retry_after(value: str | None) -> int | None:
    """`Retry-After` in seconds or as an HTTP date, as milliseconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value) * 1000
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(int(when.timestamp() * 1000) - now_ms(), 0)


class TargetRefused(Exception):
    """The URL resolves to an address webhooks may not reach."""


@dataclass
class Plan:
    job_id: str
    org_id: str
    delivery_id: str
    endpoint_id: str
    url: str
    event_id: str
    event_type: str
    body: bytes
    secrets: list[str]
    extra_headers: dict[str, str]
    attempt_number: int
    not_sent: str | None = None  # why nothing is posted (the webhook was disabled meanwhile)


@dataclass
class Result:
    plan: Plan
    started_at: int
    duration_ms: int
    status_code: int | None = None
    response_excerpt: str = ""
    error: str | None = None
    retry_after_ms: int | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _prepare(session: Session, jobs: list[ClaimedJob]) -> tuple[list[Plan], dict[str, Outcome]]:
    """Load what each job needs (one query); jobs with nothing to send are done right away."""
    outcomes: dict[str, Outcome] = {}
    plans: list[Plan] = []
    wanted = {job.payload.get("delivery_id"): job for job in jobs}
    rows = session.execute(_PLAN_DELIVERIES, {"ids": list(wanted)}).all()
    found = {row[0]: row for row in rows}
    for delivery_id, job in wanted.items():
        row = found.get(delivery_id)
        if (
            row is None
            or row.status != "pending"
            or row.generation != job.payload.get("generation", 0)
        ):
            outcomes[job.id] = None  # deleted, done, or superseded by a redelivery
            continue
        endpoint, event = row.WebhookEndpoint, row.Event
        try:
            header = auth_header(endpoint)
            plans.append(
                Plan(
                    job_id=job.id,
                    org_id=row.org_id,
                    delivery_id=delivery_id,
                    endpoint_id=endpoint.id,
                    url=endpoint.url,
                    event_id=event.id,
                    event_type=event.type,
                    body=canonical_body(event_payload(event)),
                    secrets=signing_secrets(endpoint),
                    extra_headers={header[0]: header[1]} if header else {},
                    attempt_number=row.attempt_count + 1,
                    not_sent=None if endpoint.is_active else "Not sent: the webhook is disabled.",
                )
            )
        except Exception as exc:  # e.g. a secret that no longer decrypts: retried with backoff
            outcomes[job.id] = exc
    return plans, outcomes


async def _pinned_target(url: str) -> tuple[str, str]:
    """Resolve the host and refuse non-public addresses. Returns the URL with the checked
    address in place of the host name (so the connection goes where we checked) and the host
    name, which the Host header and TLS (server name and certificate check) keep using."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, parts.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise TargetRefused(f"Could not resolve {host}: {exc.strerror}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if is_blocked_address(address):
            raise TargetRefused(
                f"Refused: {host} resolves to {address}, a private, loopback or link-local "
                "address (set ALLOW_PRIVATE_WEBHOOK_TARGETS=true for local development)."
            )
    address = addresses[0]
    netloc = f"[{address}]" if address.version == 6 else str(address)
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), host


async def _post(client: httpx.AsyncClient, plan: Plan, allow_private: bool) -> Result:
    started_at = now_ms()
    start = time.perf_counter()
    result = Result(plan=plan, started_at=started_at, duration_ms=0)
    headers = {
        "User-Agent": USER_AGENT,
        **plan.extra_headers,
        **signature_headers(
            secrets=plan.secrets,
            event_id=plan.event_id,
            event_type=plan.event_type,
            timestamp_ms=started_at,
            body=plan.body,
        ),
        "X-Webhook-Delivery": plan.delivery_id,
    }
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            url, extensions = plan.url, {}
            if not allow_private:
                url, host = await _pinned_target(plan.url)
                headers["Host"] = urlsplit(plan.url).netloc
                if url.startswith("https:"):
                    extensions["sni_hostname"] = host
            request = client.build_request(
                "POST", url, content=plan.body, headers=headers, extensions=extensions
            )
            response = await client.send(request, stream=True)
            try:
                excerpt = b""
                async for chunk in response.aiter_raw():
                    excerpt += chunk
                    if len(excerpt) >= EXCERPT_BYTES:
                        break
            finally:
                await response.aclose()
        result.status_code = response.status_code
        result.response_excerpt = excerpt[:EXCERPT_BYTES].decode("utf-8", "replace")
        if not result.succeeded:
            result.retry_after_ms = parse_retry_after(response.headers.get("Retry-After"))
    except TargetRefused as exc:
        result.error = str(exc)
    except TimeoutError:
        result.error = f"Timed out after {TIMEOUT_SECONDS:.0f} s"
    except httpx.HTTPError as exc:
        result.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    result.duration_ms = int((time.perf_counter() - start) * 1000)
    return result


def _owner_emails(session: Session, org_id: str) -> list[str]:
    return list(
        session.exec(
            select(User.email)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(Membership.org_id == org_id, Membership.role == "owner")
        )
    )


def disable_endpoint(session: Session, endpoint: WebhookEndpoint, reason: str) -> None:
    """Turn the endpoint off, write the audit row and email the organization's owners."""
    endpoint.is_active = False
    endpoint.disabled_reason = reason
    endpoint.updated_at = now_ms()
    session.add(endpoint)
    record_audit(
        session,
        actor=Actor.system(endpoint.org_id),
        subject_type="webhook",
        subject_id=endpoint.id,
        action="webhook_disabled",
        description=f"Webhook disabled: {reason}",
        data={"url": endpoint.url},
    )
    settings = get_settings()
    text, html = mail.render_email(
        heading="A webhook was disabled",
        paragraphs=[
            f"We stopped sending events to {endpoint.url}.",
            f"Reason: {reason}",
            "Fix the receiving server, then enable the webhook again; failed deliveries "
            "can be redelivered from the delivery log.",
        ],
        button_label="Open webhooks",
        button_url=f"{settings.public_base_url}/webhooks",
    )
    for address in _owner_emails(session, endpoint.org_id):  # one message, rendered once
        mail.send_mail(
            session,
            to_email=address,
            subject="Your webhook was disabled",
            text_body=text,
            html_body=html,
            org_id=endpoint.org_id,
            category="webhooks",
            deliver=not endpoint.test_mode,
        )


@dataclass
class _Health:
    """An endpoint's failure tracking while a batch of results is recorded."""

    id: str
    failure_count: int
    failing_since: int | None
    is_active: bool
    last_delivered_at: int | None = None
    changed: bool = False


def _apply(session: Session, result: Result, health: _Health) -> tuple[Outcome, dict[str, Any]]:
    """Move the endpoint's health on (disabling it when it must) and work out the delivery's
    new state; returns the job outcome and the values for `_RECORD_ATTEMPT`."""
    plan = result.plan
    now = now_ms()
    is_ping = plan.event_type == PING_EVENT
    status, next_attempt_at, outcome = "failed", None, None
    if result.succeeded:
        status = "succeeded"
        if not is_ping:
            health.failure_count, health.failing_since = 0, None
            health.last_delivered_at, health.changed = now, True
    elif not is_ping:
        health.failure_count += 1
        health.failing_since = health.failing_since or result.started_at
        health.changed = True
        disable_reason = None
        if result.status_code == 410:
            disable_reason = "The receiver answered 410 Gone."
        elif now - health.failing_since >= DISABLE_AFTER_FAILING_MS:
            disable_reason = "Every delivery has failed for more than 3 days."
        elif plan.attempt_number < MAX_ATTEMPTS:
            delay = retry_delay_ms(plan.attempt_number)
            if result.retry_after_ms is not None:
                delay = min(max(result.retry_after_ms, 1000), MAX_RETRY_AFTER_MS)
            status, next_attempt_at = "pending", now + delay
            reason = result.error or f"HTTP {result.status_code}"
            outcome = RetryLater(f"Webhook delivery failed ({reason})", delay_ms=delay)
        if disable_reason and health.is_active:
            health.is_active = False
            disable_endpoint(session, session.get(WebhookEndpoint, health.id), disable_reason)
    return outcome, {
        "delivery_id": plan.delivery_id,
        "new_status": status,
        "new_attempt_count": plan.attempt_number,
        "new_status_code": result.status_code,
        "new_error": result.error,
        "new_duration_ms": result.duration_ms,
        "new_next_attempt_at": next_attempt_at,
        "new_delivered_at": now if result.succeeded else None,
    }


def _attempt_row(result: Result, next_attempt_at: int | None) -> dict[str, Any]:
    return {
        "org_id": result.plan.org_id,
        "delivery_id": result.plan.delivery_id,
        "number": result.plan.attempt_number,
        "started_at": result.started_at,
        "duration_ms": result.duration_ms,
        "status_code": result.status_code,
        "succeeded": result.succeeded,
        "response_excerpt": result.response_excerpt,
        "error": result.error,
        "next_attempt_at": next_attempt_at,
    }


def _record(session: Session, results: list[Result]) -> dict[str, Outcome]:
    """Write every attempt and move deliveries and endpoints on (a few statements per batch)."""
    connection = session.connection()
    health = {
        row.id: _Health(row.id, row.failure_count, row.failing_since, row.is_active)
        for row in connection.execute(
            _LOCKED_ENDPOINTS, {"ids": list({r.plan.endpoint_id for r in results})}
        )
    }
    existing = set(
        connection.execute(
            _EXISTING_DELIVERIES, {"ids": [r.plan.delivery_id for r in results]}
        ).scalars()
    )
    outcomes: dict[str, Outcome] = {}
    attempts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    not_sent: list[dict[str, Any]] = []
    for result in results:
        plan = result.plan
        endpoint_health = health.get(plan.endpoint_id)
        outcomes[plan.job_id] = None
        if endpoint_health is None or plan.delivery_id not in existing:
            continue  # deleted meanwhile
        if plan.not_sent:
            not_sent.append({"delivery_id": plan.delivery_id, "new_error": plan.not_sent})
            continue
        outcomes[plan.job_id], values = _apply(session, result, endpoint_health)
        updates.append(values)
        attempts.append(_attempt_row(result, values["new_next_attempt_at"]))
    if attempts:
        connection.execute(_INSERT_ATTEMPTS, attempts)
        connection.execute(_RECORD_ATTEMPT, updates)
    if not_sent:
        connection.execute(_MARK_NOT_SENT, not_sent)
    changed = [
        {
            "endpoint_id": h.id,
            "new_failure_count": h.failure_count,
            "new_failing_since": h.failing_since,
            "new_last_delivered_at": h.last_delivered_at,
        }
        for h in health.values()
        if h.changed
    ]
    if changed:
        connection.execute(_RECORD_HEALTH, changed)
    return outcomes


@dataclass
class _HostSlots:
    """Deliveries to one receiving host: at most CONNECTIONS_PER_HOST are sent at once."""

    semaphore: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(CONNECTIONS_PER_HOST)
    )
    waiting: int = 0  # sending or waiting for a slot


@batch_job_kind(DELIVER_KIND)
class WebhookSender:
    """Delivers claimed webhook jobs a batch at a time (see `workspace.core.jobs.BatchKind`).

    Kept-alive connections to each receiving host serve every batch of this runner; at most
    CONNECTIONS_PER_HOST requests go to one receiving host at once, so a slow receiver only
    holds up its own deliveries."""

    def __init__(self) -> None:
        self._clients: dict[str, list[httpx.AsyncClient]] = {}  # least recently used first
        self._hosts: dict[str, _HostSlots] = {}

    def prepare(
        self, session: Session, jobs: list[ClaimedJob]
    ) -> tuple[list[Plan], dict[str, Outcome]]:
        return _prepare(session, jobs)

    async def run(self, plans: list[Plan]) -> list[Result]:
        allow_private = get_settings().allow_private_webhook_targets
        return list(await asyncio.gather(*(self._send(plan, allow_private) for plan in plans)))

    def record(self, session: Session, results: list[Result]) -> dict[str, Outcome]:
        return _record(session, results)

    async def aclose(self) -> None:
        for host in list(self._clients):
            await self._forget(host)

    async def _forget(self, host: str) -> None:
        for client in self._clients.pop(host):
            await client.aclose()

    async def _http(self, host: str) -> httpx.AsyncClient:
        """The next of the host's kept-alive clients, in turn (the least recently used host's
        are closed once KEPT_HOSTS hosts have clients)."""
        clients = self._clients.pop(host, None)
        if clients is None:
            if len(self._clients) >= KEPT_HOSTS:
                await self._forget(next(iter(self._clients)))
            per_client = CONNECTIONS_PER_HOST // CLIENTS_PER_HOST
            clients = [
                httpx.AsyncClient(
                    timeout=httpx.Timeout(TIMEOUT_SECONDS, pool=None),
                    follow_redirects=False,
                    limits=httpx.Limits(
                        max_connections=per_client, max_keepalive_connections=per_client
                    ),
                    trust_env=False,
                )
                for _ in range(CLIENTS_PER_HOST)
            ]
        clients.append(clients.pop(0))  # rotate: the next request takes the next client
        self._clients[host] = clients  # most recently used last
        return clients[-1]

    async def _send(self, plan: Plan, allow_private: bool) -> Result:
        if plan.not_sent:
            return Result(plan=plan, started_at=now_ms(), duration_ms=0, error=plan.not_sent)
        parts = urlsplit(plan.url)
        host = f"{parts.scheme}://{parts.netloc}"
        slots = self._hosts.setdefault(host, _HostSlots())
        slots.waiting += 1
        try:
            async with slots.semaphore:  # the 10 s timeout starts once a slot is free
                return await _post(await self._http(host), plan, allow_private)
        finally:
            slots.waiting -= 1
            if not slots.waiting:
                del self._hosts[host]
