"""The job runner delivering webhooks as the app runs it: woken by commits, concurrent,
and surviving a killed process without losing an event."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress

from sqlmodel import func, select

from tests.core.test_webhooks import make_webhook, seed_recipe_verify
from workspace.core.db import session_scope
from workspace.core.jobs import Runner, enqueue
from workspace.core.models import Job, WebhookDelivery
from workspace.core.services.events import emit_event


@contextmanager
def running_runner():
    """Runner.run_forever in a background thread with its own event loop."""
    loop = asyncio.new_event_loop()
    runner = Runner(batch_size=100)
    task_holder = {}

    def main():
        asyncio.set_event_loop(loop)
        task_holder["task"] = loop.create_task(runner.run_forever(poll_seconds=30))
        with suppress(asyncio.CancelledError):
            loop.run_until_complete(task_holder["task"])

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    while "task" not in task_holder:
        time.sleep(0.01)
    try:
        yield runner
    finally:
        loop.call_soon_threadsafe(task_holder["task"].cancel)
        thread.join(timeout=30)
        loop.close()


def test_runner_is_woken_by_the_commit_and_delivers_concurrently(org, receiver):
    _, secret = make_webhook(org, receiver.url)
    receiver.delay_seconds = 0.2  # a slow receiver: 50 sequential posts would take 10 s
    with running_runner():
        time.sleep(0.1)  # the runner is now idle, waiting with a 30 s poll interval
        with session_scope() as session:
            ids = {
                emit_event(session, actor=org.actor, type="envelope.sent", data={"n": n}).id
                for n in range(50)
            }
        got = receiver.wait_for(50, timeout=25)  # well under the poll interval
        deadline = time.monotonic() + 25
        while _pending_count() and time.monotonic() < deadline:
            time.sleep(0.02)  # let the runner record the results before it stops
    assert {json.loads(r.body)["id"] for r in got} == ids
    assert all(
        seed_recipe_verify(
            r.body, r.headers["x-webhook-signature"], r.headers["x-webhook-timestamp"], secret
        )
        for r in got
    )


def test_leases_of_a_dead_runner_on_this_host_are_released():
    with session_scope() as session:
        dead_id = enqueue(session, kind="webhook.deliver", payload={"delivery_id": "dlv_gone"})
        alive_id = enqueue(session, kind="webhook.deliver", payload={"delivery_id": "dlv_gone2"})
    host = socket.gethostname()
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(finished.stdout)
    Runner(worker_id=f"{host}:{dead_pid}:x", batch_size=1).claim()
    Runner(worker_id=f"{host}:{os.getpid()}:y", batch_size=1).claim()
    assert Runner().release_abandoned() == 1
    with session_scope() as session:
        assert session.get(Job, dead_id).status == "pending"
        assert session.get(Job, alive_id).status == "running"


def _start_worker() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "workspace.cli", "run-jobs"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )


def _pending_count() -> int:
    with session_scope() as session:
        return session.exec(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.status != "succeeded")
        ).one()


def test_killing_the_worker_with_500_pending_events_loses_none(org, receiver):
    _, secret = make_webhook(org, receiver.url)
    receiver.delay_seconds = 0.3
    event_ids = set()
    for start in range(0, 500, 100):
        with session_scope() as session:
            for n in range(start, start + 100):
                event_ids.add(
                    emit_event(session, actor=org.actor, type="envelope.sent", data={"n": n}).id
                )
    assert _pending_count() == 500

    worker = _start_worker()
    try:
        receiver.wait_for(50, timeout=120)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert _pending_count() > 0  # killed mid-way

    worker = _start_worker()
    try:
        deadline = time.monotonic() + 240
        while _pending_count() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert _pending_count() == 0
    got = {}
    for request in receiver.received:
        event = json.loads(request.body)
        assert seed_recipe_verify(
            request.body,
            request.headers["x-webhook-signature"],
            request.headers["x-webhook-timestamp"],
            secret,
        ), event["id"]
        got[event["id"]] = got.get(event["id"], 0) + 1
    assert set(got) == event_ids  # every event at least once, none invented
