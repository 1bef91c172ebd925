"""Durable background jobs: a table, handlers registered by kind, and a runner.

Claiming is one statement that is safe across processes: an UPDATE of due rows chosen with
`FOR UPDATE SKIP LOCKED` on PostgreSQL, or under the database write lock on SQLite.

`Runner.run_forever` wakes up as soon as a transaction of this process that enqueued a job
commits (other processes are picked up by polling) and keeps many jobs in flight at once.
A kind registered with `batch_job_kind` is handled a batch at a time in three steps that share
the runner's transactions (webhook delivery uses this to post concurrently): loading what the
jobs need happens in the transaction that claims them, the slow work runs outside any
transaction, and its results are written in the transaction that finishes the jobs and claims
the next ones. So a busy runner spends one transaction per turn, not several per job.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from workspace.core.clock import now_ms
from workspace.core.db import get_engine, session_scope
from workspace.core.ids import new_id
from workspace.core.models import Job

log = logging.getLogger("workspace.jobs")

Handler = Callable[[dict[str, Any]], None]
# How a run ended: None (done), RetryLater, or the exception it failed with (retried with
# backoff until `max_attempts`).
Outcome = BaseException | None


@dataclass(slots=True)
class ClaimedJob:
    """A job leased to a runner: what handlers and the runner need of its row."""

    id: str
    kind: str
    payload: dict[str, Any]
    run_at: int
    attempts: int  # counting the run it was claimed for
    max_attempts: int


class BatchKind(Protocol):
    """Jobs of one kind handled a batch at a time. A runner makes one instance and keeps it
    while it runs, so `run` may keep connections open between batches."""

    def prepare(self, session: Session, jobs: list[ClaimedJob]) -> tuple[Any, dict[str, Outcome]]:
        """In the claiming transaction, and only reading: the work for `run`, plus outcomes
        of jobs that need no work (those are finished at once)."""
        ...

    async def run(self, work: Any) -> Any:
        """The slow part, outside any transaction; returns what `record` needs."""
        ...

    def record(self, session: Session, results: Any) -> dict[str, Outcome]:
        """In the finishing transaction: store the results; the outcome of every job."""
        ...

    async def aclose(self) -> None:
        """Release what `run` kept open; the runner is stopping."""
        ...


_jobs = Job.__table__.c


def _claim_statement(*, skip_locked: bool):
    due = (
        sa.select(_jobs.id)
        .where(
            sa.or_(
                (_jobs.status == "pending") & (_jobs.run_at <= sa.bindparam("now")),
                (_jobs.status == "running") & (_jobs.locked_until < sa.bindparam("now")),
            )
        )
        .order_by(_jobs.run_at)
        .limit(sa.bindparam("limit"))
    )
    if skip_locked:
        due = due.with_for_update(skip_locked=True)
    return (
        sa.update(Job.__table__)
        .where(_jobs.id.in_(due.scalar_subquery()))
        .values(
            status="running",
            locked_by=sa.bindparam("worker_id"),
            locked_until=sa.bindparam("lease_until"),
            attempts=_jobs.attempts + 1,
        )
        .returning(
            _jobs.id, _jobs.kind, _jobs.payload, _jobs.run_at, _jobs.attempts, _jobs.max_attempts
        )
    )


# Built once: statements run on every turn of every runner.
_CLAIM = {False: _claim_statement(skip_locked=False), True: _claim_statement(skip_locked=True)}
_INSERT_JOBS = sa.insert(Job.__table__)
# A job with a unique key that exists already is not added (a second transaction enqueuing
# the same key at once waits for the first and adds nothing either).
_INSERT_UNIQUE_JOB = {
    name: dialect.insert(Job.__table__)
    .on_conflict_do_nothing(index_elements=[_jobs.unique_key])
    .returning(_jobs.id)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
_FINISH = (
    sa.update(Job.__table__)
    .where(_jobs.id == sa.bindparam("job_id"), _jobs.locked_by == sa.bindparam("worker_id"))
    .values(
        status=sa.bindparam("new_status"),
        run_at=sa.bindparam("new_run_at"),
        last_error=sa.bindparam("new_error"),
        finished_at=sa.bindparam("new_finished_at"),
        locked_by=None,
        locked_until=None,
    )
)

_handlers: dict[str, Handler] = {}
_batch_kinds: dict[str, Callable[[], BatchKind]] = {}
_wakers: list[Callable[[], None]] = []

LEASE_MS = 5 * 60 * 1000
TURN_INTERVAL_S = 0.025  # a busy runner records and claims at most this often


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


def batch_job_kind(kind: str) -> Callable[[type], type]:
    """Register a `BatchKind` class for `kind`; each runner makes its own instance."""

    def register(cls: type) -> type:
        _batch_kinds[kind] = cls
        return cls

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
) -> str:
    """Add a job inside the caller's transaction and return its id. A repeated `unique_key`
    adds nothing and returns the first job's id."""
    row = {
        "id": new_id("job"),
        "kind": kind,
        "payload": payload or {},
        "run_at": run_at if run_at is not None else now_ms(),
        "unique_key": unique_key,
        "max_attempts": max_attempts,
    }
    if unique_key is None:
        _insert_jobs(session, [row])
        return row["id"]
    connection = session.connection()
    added = connection.execute(_INSERT_UNIQUE_JOB[connection.dialect.name], row).scalar()
    if added is None:
        return connection.execute(
            sa.select(_jobs.id).where(_jobs.unique_key == unique_key)
        ).scalar_one()
    _wake_runners_after_commit(session)
    return added


def enqueue_many(
    session: Session, *, kind: str, payloads: list[dict[str, Any]], max_attempts: int = 8
) -> None:
    """Add one job per payload, due now, inside the caller's transaction (one statement)."""
    run_at = now_ms()
    _insert_jobs(
        session,
        [
            {"kind": kind, "payload": payload, "run_at": run_at, "max_attempts": max_attempts}
            for payload in payloads
        ],
    )


def _insert_jobs(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert job rows (column defaults fill the rest)."""
    session.connection().execute(_INSERT_JOBS, rows)
    _wake_runners_after_commit(session)


def _wake_runners_after_commit(session: Session) -> None:
    """Runners of this process wake up as soon as the transaction that added jobs commits."""
    if not session.info.get("wakes_job_runners"):
        session.info["wakes_job_runners"] = True
        sa_event.listen(session, "after_commit", _wake_runners)


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


def _outcome_values(job: ClaimedJob, outcome: Outcome) -> dict[str, Any]:
    """The row values that record how a run of `job` ended."""
    if outcome is None:
        return {"status": "done", "run_at": job.run_at, "last_error": None, "finished_at": now_ms()}
    if isinstance(outcome, RetryLater):
        return {
            "status": "pending",
            "run_at": now_ms() + outcome.delay_ms,
            "last_error": str(outcome)[:2000],
            "finished_at": None,
        }
    error = "".join(traceback.format_exception(outcome))[-4000:]
    log.warning("job %s (%s) failed: %s", job.id, job.kind, error.strip().splitlines()[-1])
    if job.attempts >= job.max_attempts:
        return {
            "status": "failed",
            "run_at": job.run_at,
            "last_error": error,
            "finished_at": now_ms(),
        }
    return {
        "status": "pending",
        "run_at": now_ms() + backoff_ms(job.attempts),
        "last_error": error,
        "finished_at": None,
    }


def _no_handler_values(job: ClaimedJob) -> dict[str, Any]:
    return {
        "status": "failed",
        "run_at": job.run_at,
        "last_error": f"no handler for {job.kind}",
        "finished_at": now_ms(),
    }


def _call_handler(job: ClaimedJob) -> Outcome:
    try:
        _handlers[job.kind](job.payload)
    except Exception as exc:
        return exc
    return None


@dataclass
class _Batch:
    """Claimed jobs of one kind on their way through run and record."""

    kind: str
    jobs: list[ClaimedJob]
    work: Any = None
    results: Any = None
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    error: BaseException | None = None


class Runner:
    def __init__(self, *, worker_id: str | None = None, batch_size: int = 20):
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.batch_size = batch_size
        self._kinds: dict[str, BatchKind] = {}

    def _kind(self, name: str) -> BatchKind:
        if name not in self._kinds:
            self._kinds[name] = _batch_kinds[name]()
        return self._kinds[name]

    async def _close_kinds(self) -> None:
        kinds, self._kinds = self._kinds, {}
        for kind in kinds.values():
            await kind.aclose()

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

    def _claim(self, session: Session, limit: int) -> list[ClaimedJob]:
        """Lease up to `limit` due jobs to this worker in one statement (skipping rows another
        worker has locked on PostgreSQL; SQLite runs it under the database write lock)."""
        now = now_ms()
        rows = session.connection().execute(
            _CLAIM[get_engine().dialect.name == "postgresql"],
            {
                "now": now,
                "limit": limit,
                "worker_id": self.worker_id,
                "lease_until": now + LEASE_MS,
            },
        )
        return [ClaimedJob(*row) for row in rows]

    def claim(self, limit: int | None = None) -> list[ClaimedJob]:
        """Lease due jobs to this worker."""
        with session_scope() as session:
            return self._claim(session, limit or self.batch_size)

    def _finish(self, session: Session, finished: list[tuple[ClaimedJob, dict[str, Any]]]) -> None:
        """Write how each job's run ended, releasing its lease (one statement)."""
        if finished:
            session.connection().execute(
                _FINISH,
                [
                    {
                        "job_id": job.id,
                        "worker_id": self.worker_id,
                        "new_status": values["status"],
                        "new_run_at": values["run_at"],
                        "new_error": values["last_error"],
                        "new_finished_at": values["finished_at"],
                    }
                    for job, values in finished
                ],
            )

    def _claim_and_prepare(self, session: Session, limit: int) -> tuple[list[_Batch], int]:
        """Claim due jobs and let batch kinds load what they need in the same transaction.
        Jobs that need no run (nothing to do, or no handler) are finished right here."""
        jobs = self._claim(session, limit)
        by_kind: dict[str, list[ClaimedJob]] = {}
        for job in jobs:
            by_kind.setdefault(job.kind, []).append(job)
        batches: list[_Batch] = []
        finished: list[tuple[ClaimedJob, dict[str, Any]]] = []
        for name, group in by_kind.items():
            if name in _batch_kinds:
                try:
                    work, outcomes = self._kind(name).prepare(session, group)
                except Exception as exc:
                    work, outcomes = None, {job.id: exc for job in group}
                finished += [
                    (job, _outcome_values(job, outcomes[job.id]))
                    for job in group
                    if job.id in outcomes
                ]
                waiting = [job for job in group if job.id not in outcomes]
                if waiting:
                    batches.append(_Batch(name, waiting, work=work))
            elif name in _handlers:
                batches += [_Batch(name, [job]) for job in group]
            else:
                finished += [(job, _no_handler_values(job)) for job in group]
        self._finish(session, finished)
        return batches, len(jobs)

    def _record(self, session: Session, batch: _Batch) -> None:
        if batch.error is not None:
            outcomes = {job.id: batch.error for job in batch.jobs}
        elif batch.kind in _batch_kinds:
            outcomes = self._kind(batch.kind).record(session, batch.results)
        else:
            outcomes = batch.outcomes
        missing = RuntimeError(f"the {batch.kind} handler reported no outcome")
        self._finish(
            session,
            [(job, _outcome_values(job, outcomes.get(job.id, missing))) for job in batch.jobs],
        )

    def _record_alone(self, batch: _Batch) -> None:
        try:
            with session_scope() as session:
                self._record(session, batch)
        except Exception as exc:
            log.exception("could not record the results of %d %s jobs", len(batch.jobs), batch.kind)
            with session_scope() as session:
                self._finish(session, [(job, _outcome_values(job, exc)) for job in batch.jobs])

    def _cycle(self, finished: list[_Batch], limit: int) -> tuple[list[_Batch], int]:
        """One transaction: record the `finished` batches, then claim and prepare up to `limit`
        jobs. Recorded batches leave `finished`; whatever remains there when this raises (the
        database is unusable) must be recorded later."""
        try:
            with session_scope() as session:
                for batch in finished:
                    self._record(session, batch)
                claimed = self._claim_and_prepare(session, limit) if limit > 0 else ([], 0)
            finished.clear()
            return claimed
        except Exception:
            if not finished:
                raise
            log.exception("job runner could not record %d batches together", len(finished))
        while finished:  # one transaction per batch, so one bad result cannot hold up the rest
            self._record_alone(finished[0])
            finished.pop(0)
        return [], 0

    async def _run(self, batch: _Batch) -> None:
        """Do a batch's work: a batch kind's `run`, or a plain handler in a thread."""
        try:
            if batch.kind in _batch_kinds:
                batch.results = await self._kind(batch.kind).run(batch.work)
            else:
                [job] = batch.jobs
                batch.outcomes = {job.id: await asyncio.to_thread(_call_handler, job)}
        except Exception as exc:
            batch.error = exc

    def run_once(self) -> int:
        """Claim and run every due job; returns how many were claimed."""
        total = 0
        while True:
            batches, claimed = self._cycle([], self.batch_size)
            if not claimed:
                return total
            for batch in batches:
                if batch.kind not in _batch_kinds:
                    [job] = batch.jobs
                    batch.outcomes = {job.id: _call_handler(job)}
            to_run = [batch for batch in batches if batch.kind in _batch_kinds]
            if to_run:
                asyncio.run(self._run_and_close(to_run))
            self._cycle(batches, 0)
            total += claimed

    async def _run_and_close(self, batches: list[_Batch]) -> None:
        try:
            await asyncio.gather(*(self._run(batch) for batch in batches))
        finally:
            await self._close_kinds()

    async def run_forever(self, *, poll_seconds: float = 0.25, max_in_flight: int = 400) -> None:
        """Claim and run jobs until cancelled. Wakes on a local enqueue, else polls.

        Each turn is one transaction (`_cycle`) that records every batch finished since the
        last turn and claims what is due, while claimed work runs in tasks: batches of batch
        kinds concurrently, plain handlers one after another in a worker thread."""
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def waker() -> None:
            loop.call_soon_threadsafe(wake.set)

        finished: list[_Batch] = []
        plain_queue: list[_Batch] = []
        tasks: set[asyncio.Task] = set()
        plain_task: asyncio.Task | None = None
        in_flight = 0

        async def run_and_report(batches: list[_Batch]) -> None:
            while batches:
                batch = batches.pop(0)
                await self._run(batch)
                finished.append(batch)
                wake.set()

        def start(batches: list[_Batch]) -> asyncio.Task:
            task = asyncio.create_task(run_and_report(batches))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            return task

        _wakers.append(waker)
        try:
            await asyncio.to_thread(self.release_abandoned)
            last_turn = -TURN_INTERVAL_S
            while True:
                # Under load, gather what arrives within a few milliseconds into one turn.
                await asyncio.sleep(max(last_turn + TURN_INTERVAL_S - loop.time(), 0))
                last_turn = loop.time()
                wake.clear()
                recording = finished[:]
                finished.clear()
                waiting = sum(len(batch.jobs) for batch in recording)
                limit = min(self.batch_size, max_in_flight - in_flight)
                try:
                    batches, claimed = await asyncio.to_thread(self._cycle, recording, limit)
                except Exception:
                    log.exception("job runner failed to record or claim jobs")
                    batches, claimed = [], 0
                in_flight -= waiting - sum(len(batch.jobs) for batch in recording)
                all_recorded = not recording
                finished[:0] = recording  # left unrecorded by a failure: retried next turn
                for batch in batches:
                    in_flight += len(batch.jobs)
                    if batch.kind in _batch_kinds:
                        start([batch])
                    else:
                        plain_queue.append(batch)
                if plain_queue and (plain_task is None or plain_task.done()):
                    plain_task = start(plain_queue)
                more_due = limit > 0 and claimed >= limit
                if more_due or (finished and all_recorded):
                    continue  # without waiting: more may be due, or new results to record
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), poll_seconds)
        finally:
            _wakers.remove(waker)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if finished:  # record what was done before stopping, so it is not done again
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self._cycle, finished, 0)
            await self._close_kinds()


def run_due_jobs() -> int:
    """Run everything due now (tests and the CLI use this)."""
    return Runner().run_once()
