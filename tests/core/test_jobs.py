import threading
import time
from collections import Counter

import pytest
from sqlmodel import select

from tests.conftest import is_postgres
from workspace.core import clock
from workspace.core.db import session_scope
from workspace.core.jobs import RetryLater, Runner, enqueue, job_handler
from workspace.core.models import Job

calls: list[dict] = []
failures_left = {"n": 0}


@job_handler("test.record")
def _record(payload):
    calls.append(payload)


@job_handler("test.flaky")
def _flaky(payload):
    if failures_left["n"] > 0:
        failures_left["n"] -= 1
        raise RuntimeError("boom")
    calls.append(payload)


@job_handler("test.later")
def _later(payload):
    raise RetryLater("not yet", delay_ms=60_000)


@pytest.fixture(autouse=True)
def _reset():
    calls.clear()
    failures_left["n"] = 0


def test_due_jobs_run_and_future_jobs_wait():
    with session_scope() as session:
        enqueue(session, kind="test.record", payload={"n": 1})
        enqueue(session, kind="test.record", payload={"n": 2}, run_at=clock.now_ms() + 3_600_000)
    assert Runner().run_once() == 1
    assert calls == [{"n": 1}]
    with clock.travel(by_ms=3_600_001):
        assert Runner().run_once() == 1
    assert calls == [{"n": 1}, {"n": 2}]


def test_unique_key_enqueues_once():
    with session_scope() as session:
        first = enqueue(session, kind="test.record", unique_key="k1")
        second = enqueue(session, kind="test.record", unique_key="k1", payload={"n": 2})
        stored = session.exec(select(Job).where(Job.unique_key == "k1")).all()
    assert first == second and [job.id for job in stored] == [first] and stored[0].payload == {}


def test_failures_retry_with_backoff_then_succeed():
    failures_left["n"] = 2
    with session_scope() as session:
        job_id = enqueue(session, kind="test.flaky", payload={"ok": True})
    runner = Runner()
    runner.run_once()
    with session_scope() as session:
        stored = session.get(Job, job_id)
        assert stored.status == "pending" and stored.attempts == 1 and "boom" in stored.last_error
        assert stored.run_at > clock.now_ms() + 3_000  # backed off ~5 s
    with clock.travel(by_ms=10 * 60_000):
        runner.run_once()
    with clock.travel(by_ms=20 * 60_000):
        runner.run_once()
    with session_scope() as session:
        stored = session.get(Job, job_id)
    assert stored.status == "done" and stored.attempts == 3 and calls == [{"ok": True}]


def test_gives_up_after_max_attempts():
    failures_left["n"] = 99
    with session_scope() as session:
        job_id = enqueue(session, kind="test.flaky", max_attempts=2)
    with clock.travel(by_ms=0):
        Runner().run_once()
    with clock.travel(by_ms=3_600_000 * 2):
        Runner().run_once()
    with session_scope() as session:
        assert session.get(Job, job_id).status == "failed"


def test_retry_later_does_not_fail():
    with session_scope() as session:
        job_id = enqueue(session, kind="test.later", max_attempts=1)
    Runner().run_once()
    with session_scope() as session:
        stored = session.get(Job, job_id)
    assert stored.status == "pending" and stored.run_at >= clock.now_ms() + 59_000


def test_jobs_survive_a_restart_and_expired_leases_are_taken_over():
    with session_scope() as session:
        job_id = enqueue(session, kind="test.record", payload={"n": "survivor"})
    crashed = Runner(worker_id="crashed")
    assert [j.id for j in crashed.claim()] == [job_id]  # claimed, then the process "dies"
    assert Runner().run_once() == 0  # lease still held
    with clock.travel(by_ms=6 * 60_000):
        assert Runner(worker_id="restarted").run_once() == 1
    assert calls == [{"n": "survivor"}]


def test_two_runners_never_run_the_same_job_twice():
    with session_scope() as session:
        for i in range(60):
            enqueue(session, kind="test.record", payload={"i": i})

    def work(name):
        runner = Runner(worker_id=name, batch_size=5)
        while runner.run_once():
            time.sleep(0.001)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = Counter(c["i"] for c in calls)
    assert sorted(counts) == list(range(60)) and set(counts.values()) == {1}
    with session_scope() as session:
        assert {j.status for j in session.exec(select(Job))} == {"done"}


@pytest.mark.postgres
def test_skip_locked_claims_disjoint_batches_on_postgres():
    if not is_postgres():
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    with session_scope() as session:
        for i in range(10):
            enqueue(session, kind="test.record", payload={"i": i})
    first = Runner(worker_id="a", batch_size=5).claim()
    second = Runner(worker_id="b", batch_size=5).claim()
    assert len(first) == 5 and len(second) == 5
    assert not {j.id for j in first} & {j.id for j in second}
