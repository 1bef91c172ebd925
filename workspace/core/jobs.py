"""Durable background jobs: a table, handlers registered by kind, and a runner.

Claiming is safe across processes: on PostgreSQL with `FOR UPDATE SKIP LOCKED`,
on SQLite with a compare-and-set update under the database write lock.

`Runner.run_forever` wakes up as soon as a transaction of this process that enqueued a job
commits (other processes are picked up by polling), keeps many jobs in flight at once, and
hands jobs of a kind registered with `batch_job_handler` to one async call per claimed batch
(webhook delivery uses this to post concurrently).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from workspace.core.clock import now_ms
from workspace.core.db import get_engine, session_scope
from workspace.core.models import Job

log = logging.getLogger("workspace.jobs")

Handler = Callable[[dict[str, Any]], None]
# Returns, for each job id, None (done), RetryLater or the exception it failed with.
BatchHandler = Callable[[list[Job]], Awaitable[dict[str, BaseException | None]]]
_handlers: dict[str, Handler] = {}
_batch_handlers: dict[str, BatchHandler] = {}
_wakers: list[Callable[[], None]] = []

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


def batch_job_handler(kind: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register an async handler that receives every claimed job of `kind` at once."""

    def register(func: BatchHandler) -> BatchHandler:
        _batch_handlers[kind] = func
        return func

    return register


def _wake_runners(_session: Session | None = None) -> None:
    for wake in list(_wakers):
        wake()


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
    if not session.info.get("wakes_job_runners"):
        session.info["wakes_job_runners"] = True
        sa_event.listen(session, "after_commit", _wake_runners)
    return job


def backoff_ms(attempt: int) -> int:
    """Exponential backoff with jitter: ~5 s, 20 s, 80 s, … capped at one hour."""
    base = min(5_000 * (4 ** max(attempt - 1, 0)), 3_600_000)
    return int(base * random.uniform(0.8, 1.2))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder_died(locked_by: str) -> bool:
    """True when `locked_by` names a runner ("host:pid:…") whose process no longer exists."""
    parts = locked_by.split(":")
    return len(parts) >= 2 and parts[1].isdigit() and not _process_alive(int(parts[1]))


def _outcome_values(job: Job, outcome: BaseException | None) -> dict[str, Any]:
    """The row update that records how a run of `job` ended."""
    if outcome is None:
        return {"status": "done", "finished_at": now_ms(), "last_error": None}
    if isinstance(outcome, RetryLater):
        return {
            "status": "pending",
            "run_at": now_ms() + outcome.delay_ms,
            "last_error": str(outcome)[:2000],
        }
    error = "".join(traceback.format_exception(outcome))[-4000:]
    log.warning("job %s (%s) failed: %s", job.id, job.kind, error.strip().splitlines()[-1])
    if job.attempts >= job.max_attempts:
        return {"status": "failed", "last_error": error, "finished_at": now_ms()}
    return {"status": "pending", "run_at": now_ms() + backoff_ms(job.attempts), "last_error": error}


class Runner:
    def __init__(self, *, worker_id: str | None = None, batch_size: int = 20):
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.batch_size = batch_size
        self._in_flight = 0

    def release_abandoned(self) -> int:
        """Give back the leases of runners on this host whose process has died (a crash or a
        kill), so their jobs run now instead of after the lease expires."""
        prefix = f"{socket.gethostname()}:"
        with session_scope() as session:
            rows = session.exec(
                select(Job.id, Job.locked_by).where(
                    col(Job.status) == "running", col(Job.locked_by).startswith(prefix)
                )
            ).all()
            dead = [job_id for job_id, locked_by in rows if _holder_died(locked_by)]
            if dead:
                session.execute(
                    update(Job)
                    .where(col(Job.id).in_(dead), col(Job.status) == "running")
                    .values(status="pending", locked_by=None, locked_until=None)
                    .execution_options(synchronize_session=False)
                )
        if dead:
            log.info("released %d jobs of stopped runners", len(dead))
        return len(dead)

    def claim(self, limit: int | None = None) -> list[Job]:
        """Lease due jobs to this worker."""
        now = now_ms()
        due = or_(
            (col(Job.status) == "pending") & (col(Job.run_at) <= now),
            (col(Job.status) == "running") & (col(Job.locked_until) < now),
        )
        engine = get_engine()
        with session_scope() as session:
            query = select(Job).where(due).order_by(col(Job.run_at)).limit(limit or self.batch_size)
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

    def _finish_many(self, jobs: list[Job], outcomes: dict[str, BaseException | None]) -> None:
        with session_scope() as session:
            for job in jobs:
                session.execute(
                    update(Job)
                    .where(col(Job.id) == job.id, col(Job.locked_by) == self.worker_id)
                    .values(
                        locked_by=None, locked_until=None, **_outcome_values(job, outcomes[job.id])
                    )
                )

    def run_job(self, job: Job) -> None:
        handler = _handlers.get(job.kind)
        if handler is None:
            self._finish(job, status="failed", last_error=f"no handler for {job.kind}")
            return
        outcome: BaseException | None = None
        try:
            handler(job.payload)
        except Exception as exc:
            outcome = exc
        self._finish(job, **_outcome_values(job, outcome))

    async def run_batch(self, kind: str, jobs: list[Job]) -> None:
        """Run the jobs of a batch kind in one call to its handler, then record every outcome."""
        try:
            outcomes = await _batch_handlers[kind](jobs)
        except Exception as exc:
            outcomes = {job.id: exc for job in jobs}
        outcomes = {job.id: outcomes.get(job.id) for job in jobs}
        await asyncio.to_thread(self._finish_many, jobs, outcomes)

    def _run_claimed(self, jobs: list[Job]) -> None:
        """Run claimed jobs here and now (synchronous callers and tests)."""
        by_kind: dict[str, list[Job]] = {}
        for job in jobs:
            if job.kind in _batch_handlers:
                by_kind.setdefault(job.kind, []).append(job)
            else:
                self.run_job(job)
        for kind, batch in by_kind.items():
            asyncio.run(self.run_batch(kind, batch))

    def run_once(self) -> int:
        """Claim and run every due job; returns how many ran."""
        total = 0
        while True:
            jobs = self.claim()
            if not jobs:
                return total
            self._run_claimed(jobs)
            total += len(jobs)

    def _start(self, jobs: list[Job]) -> list[asyncio.Task]:
        """Start claimed jobs in the background: one task per batch kind, one for the rest."""
        self._in_flight += len(jobs)
        by_kind: dict[str, list[Job]] = {}
        for job in jobs:
            by_kind.setdefault(job.kind if job.kind in _batch_handlers else "", []).append(job)

        async def run(kind: str, batch: list[Job]) -> None:
            try:
                if kind:
                    await self.run_batch(kind, batch)
                else:
                    await asyncio.to_thread(lambda: [self.run_job(job) for job in batch])
            except Exception:
                log.exception("job runner failed to record results")
            finally:
                self._in_flight -= len(batch)

        return [asyncio.create_task(run(kind, batch)) for kind, batch in by_kind.items()]

    async def run_forever(self, *, poll_seconds: float = 0.25, max_in_flight: int = 400) -> None:
        """Claim and run jobs until cancelled. Wakes on a local enqueue, else polls."""
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def waker() -> None:
            loop.call_soon_threadsafe(wake.set)

        _wakers.append(waker)
        tasks: set[asyncio.Task] = set()
        try:
            await asyncio.to_thread(self.release_abandoned)
            while True:
                wake.clear()
                claimed: list[Job] = []
                room = max_in_flight - self._in_flight
                if room > 0:
                    try:
                        claimed = await asyncio.to_thread(self.claim, min(self.batch_size, room))
                    except Exception:
                        log.exception("job runner failed to claim jobs")
                if claimed:
                    for task in self._start(claimed):
                        tasks.add(task)
                        task.add_done_callback(tasks.discard)
                    continue
                waiter = asyncio.ensure_future(wake.wait())
                try:
                    await asyncio.wait(
                        {waiter, *tasks}, timeout=poll_seconds, return_when="FIRST_COMPLETED"
                    )
                finally:
                    waiter.cancel()
        finally:
            _wakers.remove(waker)
            for task in tasks:
                task.cancel()


def run_due_jobs() -> int:
    """Run everything due now (tests and the CLI use this)."""
    return Runner().run_once()
