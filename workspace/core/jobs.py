"""Durable background jobs: a table, handlers registered by kind, and a runner.

Claiming is safe across processes: on PostgreSQL with `FOR UPDATE SKIP LOCKED`,
on SQLite with a compare-and-set update under the database write lock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import traceback
from collections.abc import Callable
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from workspace.core.clock import now_ms
from workspace.core.db import get_engine, session_scope
from workspace.core.models import Job

log = logging.getLogger("workspace.jobs")

Handler = Callable[[dict[str, Any]], None]
_handlers: dict[str, Handler] = {}

LEASE_MS = 5 * 60 * 1000


class RetryLater(Exception):
    """Raise from a handler to retry at a chosen time without counting it as a crash."""

    def __init__(self, message: str, *, delay_ms: int):
        super().__init__(message)
        self.delay_ms = delay_ms


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        _handlers[kind] = func
        return func

    return register


def enqueue(
    session: Session,
    *,
    kind: str,
    payload: dict[str, Any] | None = None,
    run_at: int | None = None,
    unique_key: str | None = None,
    max_attempts: int = 8,
) -> Job:
    """Add a job inside the caller's transaction. A repeated `unique_key` returns the first job."""
    if unique_key is not None:
        existing = session.exec(select(Job).where(Job.unique_key == unique_key)).first()
        if existing is not None:
            return existing
    job = Job(
        kind=kind,
        payload=payload or {},
        run_at=run_at if run_at is not None else now_ms(),
        unique_key=unique_key,
        max_attempts=max_attempts,
    )
    session.add(job)
    session.flush()
    return job


def backoff_ms(attempt: int) -> int:
    """Exponential backoff with jitter: ~5 s, 20 s, 80 s, … capped at one hour."""
    base = min(5_000 * (4 ** max(attempt - 1, 0)), 3_600_000)
    return int(base * random.uniform(0.8, 1.2))


class Runner:
    def __init__(self, *, worker_id: str | None = None, batch_size: int = 20):
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.batch_size = batch_size

    def claim(self) -> list[Job]:
        """Lease due jobs to this worker."""
        now = now_ms()
        due = or_(
            (col(Job.status) == "pending") & (col(Job.run_at) <= now),
            (col(Job.status) == "running") & (col(Job.locked_until) < now),
        )
        engine = get_engine()
        with session_scope() as session:
            query = select(Job).where(due).order_by(col(Job.run_at)).limit(self.batch_size)
            if engine.dialect.name == "postgresql":
                candidates = list(session.exec(query.with_for_update(skip_locked=True)))
            else:
                candidates = list(session.exec(query))
            claimed: list[Job] = []
            for job in candidates:
                result = session.execute(
                    update(Job)
                    .where(col(Job.id) == job.id, col(Job.status) == job.status)
                    .where(col(Job.attempts) == job.attempts)
                    .values(
                        status="running",
                        locked_by=self.worker_id,
                        locked_until=now + LEASE_MS,
                        attempts=job.attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                session.expunge(job)
                if result.rowcount == 1:
                    job.status, job.locked_by, job.attempts = (
                        "running",
                        self.worker_id,
                        job.attempts + 1,
                    )
                    claimed.append(job)
            return claimed

    def _finish(self, job: Job, **values: Any) -> None:
        with session_scope() as session:
            session.execute(
                update(Job)
                .where(col(Job.id) == job.id, col(Job.locked_by) == self.worker_id)
                .values(locked_by=None, locked_until=None, **values)
            )

    def run_job(self, job: Job) -> None:
        handler = _handlers.get(job.kind)
        if handler is None:
            self._finish(job, status="failed", last_error=f"no handler for {job.kind}")
            return
        try:
            handler(job.payload)
        except RetryLater as exc:
            self._finish(
                job, status="pending", run_at=now_ms() + exc.delay_ms, last_error=str(exc)[:2000]
            )
        except Exception:
            error = traceback.format_exc()[-4000:]
            log.warning("job %s (%s) failed: %s", job.id, job.kind, error.splitlines()[-1])
            if job.attempts >= job.max_attempts:
                self._finish(job, status="failed", last_error=error, finished_at=now_ms())
            else:
                self._finish(
                    job,
                    status="pending",
                    run_at=now_ms() + backoff_ms(job.attempts),
                    last_error=error,
                )
        else:
            self._finish(job, status="done", finished_at=now_ms(), last_error=None)

    def run_once(self) -> int:
        """Claim and run every due job; returns how many ran."""
        total = 0
        while True:
            jobs = self.claim()
            if not jobs:
                return total
            for job in jobs:
                self.run_job(job)
            total += len(jobs)

    async def run_forever(self, *, poll_seconds: float = 0.5) -> None:
        while True:
            try:
                ran = await asyncio.to_thread(self.run_once)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("job runner loop failed")
                ran = 0
            if not ran:
                await asyncio.sleep(poll_seconds)


def run_due_jobs() -> int:
    """Run everything due now (tests and the CLI use this)."""
    return Runner().run_once()
