"""Webhook delivery: fan-out in the emitting transaction, signed POSTs, retries, auto-disable.

Every event written by `emit_event` gets one delivery row (and one job) per active endpoint of
the same organization and mode that subscribes to its type, in the same transaction as the
change, so a crash neither loses an event nor sends one for a change that rolled back.
The job runner hands claimed delivery jobs to `deliver_batch`, which posts them concurrently.

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

import httpx
from sqlmodel import Session, col, select

from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.config import get_settings
from workspace.core.db import session_scope
from workspace.core.events_catalog import PING_EVENT
from workspace.core.jobs import RetryLater, batch_job_handler
from workspace.core.models import (
    Event,
    Job,
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
    schedule_delivery,
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


@on_event
def fan_out(session: Session, event: Event) -> None:
    """Schedule a delivery to every active endpoint subscribed to the event's type."""
    endpoints = session.exec(
        select(WebhookEndpoint).where(
            WebhookEndpoint.org_id == event.org_id,
            WebhookEndpoint.test_mode == event.test_mode,
            col(WebhookEndpoint.is_active).is_(True),
        )
    )
    for endpoint in endpoints:
        if event.type in endpoint.events:
            schedule_delivery(session, endpoint=endpoint, event=event)


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
    delivery_id: str
    endpoint_id: str
    url: str
    event_id: str
    event_type: str
    body: bytes
    secrets: list[str]
    extra_headers: dict[str, str]
    attempt_number: int


@dataclass
class Result:
    plan: Plan
    started_at: int
    duration_ms: int
    status_code: int | None = None
    response_excerpt: str = ""
    error: str | None = None
    retry_after_ms: int | None = None
    outcome: BaseException | None = field(default=None)

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _prepare(jobs: list[Job]) -> tuple[list[Plan], dict[str, BaseException | None]]:
    """Load what each job needs; jobs with nothing to send are done right away."""
    outcomes: dict[str, BaseException | None] = {}
    plans: list[Plan] = []
    wanted = {job.payload.get("delivery_id"): job for job in jobs}
    with session_scope() as session:
        deliveries = session.exec(
            select(WebhookDelivery).where(col(WebhookDelivery.id).in_(list(wanted)))
        ).all()
        found = {d.id: d for d in deliveries}
        endpoints = {
            e.id: e
            for e in session.exec(
                select(WebhookEndpoint).where(
                    col(WebhookEndpoint.id).in_({d.endpoint_id for d in deliveries})
                )
            )
        }
        events = {
            e.id: e
            for e in session.exec(
                select(Event).where(col(Event.id).in_({d.event_id for d in deliveries}))
            )
        }
        for delivery_id, job in wanted.items():
            delivery = found.get(delivery_id)
            stale = (
                delivery is None
                or delivery.status != "pending"
                or delivery.generation != job.payload.get("generation", 0)
            )
            if stale:
                outcomes[job.id] = None
                continue
            endpoint = endpoints[delivery.endpoint_id]
            if not endpoint.is_active:
                delivery.status = "failed"
                delivery.last_error = "Not sent: the webhook is disabled."
                delivery.next_attempt_at = None
                session.add(delivery)
                outcomes[job.id] = None
                continue
            event = events[delivery.event_id]
            header = auth_header(endpoint)
            plans.append(
                Plan(
                    job_id=job.id,
                    delivery_id=delivery.id,
                    endpoint_id=endpoint.id,
                    url=endpoint.url,
                    event_id=event.id,
                    event_type=event.type,
                    body=canonical_body(event_payload(event)),
                    secrets=signing_secrets(endpoint),
                    extra_headers={header[0]: header[1]} if header else {},
                    attempt_number=delivery.attempt_count + 1,
                )
            )
    return plans, outcomes


async def _pinned_target(url: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """Resolve the host, refuse non-public addresses, and connect to the checked address
    (Host header and TLS server name keep the original host name)."""
    target = httpx.URL(url)
    host = target.host
    port = target.port or (443 if target.scheme == "https" else 80)
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise TargetRefused(f"Could not resolve {host}: {exc.strerror}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if is_blocked_address(address):
            raise TargetRefused(
                f"Refused: {host} resolves to {address}, a private, loopback or link-local "
                "address (set ALLOW_PRIVATE_WEBHOOK_TARGETS=true for local development)."
            )
    pinned = target.copy_with(host=str(addresses[0]))
    headers = {"Host": target.netloc.decode("ascii")}
    extensions = {"sni_hostname": host} if target.scheme == "https" else {}
    return str(pinned), headers, extensions


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
                url, host_header, extensions = await _pinned_target(plan.url)
                headers.update(host_header)
            request = client.build_request(
                "POST", url, content=plan.body, headers=headers, extensions=extensions
            )
            response = await client.send(request, stream=True)
            try:
                excerpt = b""
                async for chunk in response.aiter_bytes():
                    excerpt += chunk
                    if len(excerpt) >= EXCERPT_BYTES:
                        break
            finally:
                await response.aclose()
        result.status_code = response.status_code
        result.response_excerpt = excerpt[:EXCERPT_BYTES].decode("utf-8", "replace")
        if not result.succeeded:
            result.retry_after_ms = parse_retry_after(response.headers.get("retry-after"))
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
    for address in _owner_emails(session, endpoint.org_id):
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


def _apply(session: Session, result: Result) -> BaseException | None:
    """Log the attempt and move the delivery and endpoint on; returns the job outcome."""
    plan = result.plan
    now = now_ms()
    delivery = session.get(WebhookDelivery, plan.delivery_id)
    endpoint = session.get(WebhookEndpoint, plan.endpoint_id, with_for_update=True)
    if delivery is None or endpoint is None:
        return None  # deleted meanwhile
    attempt = WebhookAttempt(
        org_id=delivery.org_id,
        delivery_id=delivery.id,
        number=plan.attempt_number,
        started_at=result.started_at,
        duration_ms=result.duration_ms,
        status_code=result.status_code,
        succeeded=result.succeeded,
        response_excerpt=result.response_excerpt,
        error=result.error,
    )
    delivery.attempt_count = plan.attempt_number
    delivery.last_status_code = result.status_code
    delivery.last_error = result.error
    delivery.last_duration_ms = result.duration_ms
    is_ping = delivery.event_type == PING_EVENT
    outcome: BaseException | None = None
    if result.succeeded:
        delivery.status = "succeeded"
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        if not is_ping:
            endpoint.failure_count = 0
            endpoint.failing_since = None
            endpoint.last_delivered_at = now
    elif is_ping:
        delivery.status = "failed"
        delivery.next_attempt_at = None
    else:
        endpoint.failure_count += 1
        endpoint.failing_since = endpoint.failing_since or result.started_at
        if result.status_code == 410:
            delivery.status = "failed"
            delivery.next_attempt_at = None
            if endpoint.is_active:
                disable_endpoint(session, endpoint, "The receiver answered 410 Gone.")
        elif now - endpoint.failing_since >= DISABLE_AFTER_FAILING_MS:
            delivery.status = "failed"
            delivery.next_attempt_at = None
            if endpoint.is_active:
                disable_endpoint(
                    session, endpoint, "Every delivery has failed for more than 3 days."
                )
        elif plan.attempt_number >= MAX_ATTEMPTS:
            delivery.status = "failed"
            delivery.next_attempt_at = None
        else:
            delay = retry_delay_ms(plan.attempt_number)
            if result.retry_after_ms is not None:
                delay = min(max(result.retry_after_ms, 1000), MAX_RETRY_AFTER_MS)
            delivery.next_attempt_at = now + delay
            attempt.next_attempt_at = delivery.next_attempt_at
            reason = result.error or f"HTTP {result.status_code}"
            outcome = RetryLater(f"Webhook delivery failed ({reason})", delay_ms=delay)
    session.add_all([attempt, delivery, endpoint])
    return outcome


def _record(results: list[Result]) -> dict[str, BaseException | None]:
    outcomes: dict[str, BaseException | None] = {}
    # Lock endpoints in a stable order so concurrent batches never deadlock on PostgreSQL.
    ordered = sorted(results, key=lambda r: (r.plan.endpoint_id, r.plan.delivery_id))
    with session_scope() as session:
        for result in ordered:
            outcomes[result.plan.job_id] = _apply(session, result)
    return outcomes


@batch_job_handler(DELIVER_KIND)
async def deliver_batch(jobs: list[Job]) -> dict[str, BaseException | None]:
    """Post every planned delivery concurrently: one keep-alive client per receiving host
    with a few connections, so a slow receiver only holds up its own deliveries."""
    plans, outcomes = await asyncio.to_thread(_prepare, jobs)
    if not plans:
        return outcomes
    allow_private = get_settings().allow_private_webhook_targets
    by_origin: dict[str, list[Plan]] = {}
    for plan in plans:
        url = httpx.URL(plan.url)
        by_origin.setdefault(f"{url.scheme}://{url.netloc.decode()}", []).append(plan)

    async def post_all(group: list[Plan]) -> list[Result]:
        limits = httpx.Limits(
            max_connections=CONNECTIONS_PER_HOST, max_keepalive_connections=CONNECTIONS_PER_HOST
        )
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(TIMEOUT_SECONDS, pool=None),
            follow_redirects=False,
            limits=limits,
            trust_env=False,
        ) as client:
            slots = asyncio.Semaphore(CONNECTIONS_PER_HOST)  # the 10 s start once sending

            async def post(plan: Plan) -> Result:
                async with slots:
                    return await _post(client, plan, allow_private)

            return await asyncio.gather(*(post(plan) for plan in group))

    groups = await asyncio.gather(*(post_all(group) for group in by_origin.values()))
    results = [result for group in groups for result in group]
    outcomes.update(await asyncio.to_thread(_record, results))
    return outcomes
