"""Webhook delivery benchmark: commit→receipt latency and sustained deliveries per second.

Runs like the app does: events are emitted (one transaction each) in the same process as the
job runner, which wakes up on commit; a fast receiver on loopback runs in its own process.

    .venv/bin/python bench/webhooks.py [--rate 200] [--seconds 15]

Besides latency and throughput it prints the CPU time this process spent per event (user +
system, receiver excluded): a figure that, unlike wall-clock rates, barely moves when other
work shares the machine. The load average is printed too, to judge the wall-clock figures.
Uses a fresh SQLite database in a temporary folder (or DATABASE_URL when set).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def receiver_main(port_queue, log_path: str) -> None:
    """A minimal keep-alive HTTP/1.1 server that answers 200 and logs (event id, receipt)."""
    lines: list[str] = []

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length)
                lines.append(f"{json.loads(body)['id']} {time.time():.6f}\n")
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def flush_forever():
        with open(log_path, "a") as handle:
            while True:
                await asyncio.sleep(0.1)
                if lines:
                    chunk = "".join(lines)
                    lines.clear()
                    handle.write(chunk)
                    handle.flush()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port_queue.put(server.sockets[0].getsockname()[1])
        await asyncio.gather(server.serve_forever(), flush_forever())

    asyncio.run(main())


def read_receipts(log_path: str) -> dict[str, float]:
    receipts: dict[str, float] = {}
    with open(log_path) as handle:
        for line in handle:
            event_id, stamp = line.split()
            receipts.setdefault(event_id, float(stamp))
    return receipts


def wait_for(log_path: str, ids: set[str], timeout: float) -> dict[str, float]:
    deadline = time.time() + timeout
    while True:
        receipts = read_receipts(log_path)
        if ids <= receipts.keys() or time.time() > deadline:
            return receipts
        time.sleep(0.1)


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=200, help="events per second offered")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--backlog", type=int, default=2000, help="deliveries queued for drain")
    args = parser.parse_args()

    load_at_start = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    tmp = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    os.environ["DATA_DIR"] = str(tmp)
    os.environ["ALLOW_PRIVATE_WEBHOOK_TARGETS"] = "true"
    log_path = str(tmp / "receipts.log")
    Path(log_path).touch()

    ctx = multiprocessing.get_context("spawn")
    port_queue = ctx.Queue()
    receiver = ctx.Process(target=receiver_main, args=(port_queue, log_path), daemon=True)
    receiver.start()
    port = port_queue.get(timeout=30)

    from sqlmodel import col, func, select

    import workspace.core.services  # noqa: F401
    from workspace.core.actor import Actor
    from workspace.core.db import session_scope
    from workspace.core.jobs import Runner
    from workspace.core.migrate import upgrade_database
    from workspace.core.models import WebhookDelivery
    from workspace.core.schemas.webhooks import WebhookCreate
    from workspace.core.services.accounts import sign_up
    from workspace.core.services.events import emit_event
    from workspace.core.services.webhooks import create_webhook

    upgrade_database()
    with session_scope() as session:
        _, org = sign_up(
            session,
            email="bench@example.com",
            password="bench-password",
            name="Bench",
            org_name="Bench",
        )
        actor = Actor.system(org.id)
        create_webhook(
            session,
            actor=actor,
            request=WebhookCreate(url=f"http://127.0.0.1:{port}/hook", events=["envelope.sent"]),
        )

    data = {"envelope": {"id": "env_bench", "title": "Bench contract", "status": "sent"}}

    def pending_deliveries() -> int:
        with session_scope() as session:
            return session.exec(
                select(func.count()).where(col(WebhookDelivery.status) == "pending")
            ).one()

    def emit_one() -> tuple[str, float]:
        with session_scope() as session:
            event = emit_event(session, actor=actor, type="envelope.sent", data=data)
        return event.id, time.time()

    loop = asyncio.new_event_loop()
    runner = Runner(batch_size=100)
    runner_task = loop.create_task(runner.run_forever())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    time.sleep(0.5)

    # 1. Latency at a light load: one event every 50 ms.
    commits: dict[str, float] = {}
    cpu_before = cpu_seconds()
    for _ in range(100):
        event_id, committed = emit_one()
        commits[event_id] = committed
        time.sleep(0.05)
    receipts = wait_for(log_path, set(commits), 60)
    light = [(receipts[i] - commits[i]) * 1000 for i in commits if i in receipts]
    time.sleep(0.5)  # let the runner record the last results
    light_cpu_ms = (cpu_seconds() - cpu_before) * 1000 / len(commits)

    # 2. Sustained: offer `rate` events per second for `seconds`, one transaction each.
    commits = {}
    interval = 1.0 / args.rate
    cpu_before = cpu_seconds()
    started = time.time()
    next_at = started
    while time.time() - started < args.seconds:
        event_id, committed = emit_one()
        commits[event_id] = committed
        next_at += interval
        pause = next_at - time.time()
        if pause > 0:
            time.sleep(pause)
    offered_for = time.time() - started
    receipts = wait_for(log_path, set(commits), 120)
    delivered = [i for i in commits if i in receipts]
    last_receipt = max(receipts[i] for i in delivered)
    in_window = sum(1 for i in delivered if receipts[i] <= started + offered_for)
    loaded = [(receipts[i] - commits[i]) * 1000 for i in delivered]
    time.sleep(0.5)
    sustained_cpu_ms = (cpu_seconds() - cpu_before) * 1000 / len(commits)

    # 3. Drain: deliveries queued while the runner is stopped (one transaction per event,
    # which also measures the cost of emitting), then the runner is started.
    loop.call_soon_threadsafe(runner_task.cancel)
    time.sleep(0.5)
    backlog = {}
    cpu_before = cpu_seconds()
    for _ in range(args.backlog):
        event_id, _ = emit_one()
        backlog[event_id] = 0.0
    emit_cpu_ms = (cpu_seconds() - cpu_before) * 1000 / len(backlog)
    cpu_before = cpu_seconds()
    drain_started = time.time()
    asyncio.run_coroutine_threadsafe(Runner(batch_size=100).run_forever(), loop)
    receipts = wait_for(log_path, set(backlog), 300)
    drained = [receipts[i] for i in backlog if i in receipts]
    drain_seconds = max(drained) - drain_started
    while pending_deliveries():
        time.sleep(0.05)
    deliver_cpu_ms = (cpu_seconds() - cpu_before) * 1000 / len(backlog)

    print(f"database: {os.environ.get('DATABASE_URL', 'SQLite (WAL)')}")
    print(f"load average (1, 5, 15 min) at the start: {load_at_start}")
    print(
        f"light load (20 events/s): n={len(light)} commit→receipt "
        f"p50={statistics.median(light):.1f} ms p95={percentile(light, 0.95):.1f} ms "
        f"max={max(light):.1f} ms"
    )
    print(
        f"sustained: offered {len(commits)} events in {offered_for:.1f} s "
        f"({len(commits) / offered_for:.0f}/s); delivered {len(delivered)}; "
        f"{in_window / offered_for:.0f} deliveries/s within the window; "
        f"all delivered {last_receipt - started - offered_for:.2f} s after the last commit"
    )
    print(
        f"sustained: commit→receipt p50={statistics.median(loaded):.1f} ms "
        f"p95={percentile(loaded, 0.95):.1f} ms max={max(loaded):.1f} ms"
    )
    print(
        f"drain: {len(drained)}/{len(backlog)} queued deliveries in {drain_seconds:.2f} s = "
        f"{len(drained) / drain_seconds:.0f} deliveries/s"
    )
    print(
        f"CPU per event: emit {emit_cpu_ms:.2f} ms, deliver {deliver_cpu_ms:.2f} ms (drain); "
        f"emit + deliver {light_cpu_ms:.2f} ms at light load, {sustained_cpu_ms:.2f} ms sustained"
    )
    print(
        f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    receiver.terminate()
    sys.stdout.flush()
    os._exit(0)  # the runner's event loop thread is still running; do not wait for it


if __name__ == "__main__":
    main()
