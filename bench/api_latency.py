"""API latency and throughput over loopback, beside a bare Starlette endpoint served the same way.

    .venv/bin/python bench/api_latency.py                 # starts its own one-port server
    .venv/bin/python bench/api_latency.py --url http://127.0.0.1:3000 --key wgs_live_...

Without --url it serves the app exactly as `make run` does (`reflex run --env prod`, which runs
Granian with one worker when no Redis is configured) on a free port with a scratch data folder,
creates an organization, a live API key and 25 customers through the API, and lifts the per-key
rate limit so the benchmark measures the server, not the limiter. The baseline is a Starlette
app returning a small JSON body, served by Granian with the same interface and worker count;
beside it, for reference, a FastAPI app answering the same (the framework's own cost).

Each endpoint gets a warm-up, then 16 keep-alive connections issue requests back to back until
REQUESTS responses arrived or SECONDS passed (the client is in `served.py`); ROUNDS such turns
over the endpoints. Percentiles are over every round's requests; "vs bare" is the median of
each round's ratio to the bare endpoint, printed per round beside it. `--backend-only`
serves the same production backend without building the frontend, for quicker runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from served import (
    BIN,
    ROOT,
    Load,
    Result,
    Served,
    app_env,
    measure,
    serve_app,
    serve_backend,
    start,
    stop,
)

CONCURRENCY = 16


def bare_app():
    """The baseline: the least an ASGI server can do to answer JSON."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def hello(_request):
        return JSONResponse({"data": {"ok": True}})

    return Starlette(routes=[Route("/bare", hello)])


def bare_fastapi_app():
    """A reference beside the baseline: FastAPI, which the API is built on, answering the same
    JSON with nothing else (no authentication, database or middleware). The gap between it and
    the baseline is the framework's own cost per request."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    no_telemetry = {"tracing": False, "metrics": False, "logs": False}  # as the API is built
    app = FastAPI(telemetry=no_telemetry, openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/bare")
    async def hello():
        return JSONResponse({"data": {"ok": True}})

    return app


def create_org_and_key(env: dict[str, str]) -> str:
    """An organization and a live API key made with the operator CLI, as a scripted install."""

    def cli(*args: str) -> str:
        done = subprocess.run(
            [str(BIN / "workspace"), *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    cli("migrate")
    cli(
        "create-org",
        "--name",
        "Bench Co",
        "--owner-email",
        "owner@bench.test",
        "--password",
        "bench-password-1",
    )
    return cli("create-api-key", "--org", "Bench Co", "--name", "bench")


def serve_bare(log: Path, factory: str = "bare_app") -> Served:
    """Granian, ASGI interface, one worker: how `reflex run --env prod` serves the app here."""
    env = app_env()
    command = [str(BIN / "granian"), "--interface", "asgi", "--host", "127.0.0.1"]
    command += ["--port", env["PORT"], "--workers", "1", "--factory"]
    command += ["--working-dir", str(ROOT / "bench"), f"api_latency:{factory}"]
    return start(command, env, log, "/bare")


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


def combined(results: list[Result]) -> Result:
    """One endpoint's rounds as one result: every latency, total time, CPU and errors."""
    return Result(
        results[0].name,
        [latency for r in results for latency in r.latencies_ms],
        sum(r.seconds for r in results),
        sum(r.errors for r in results),
        sum(r.server_cpu_seconds for r in results),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="Base URL of a running server (default: start one)")
    parser.add_argument("--key", help="Live API key for --url")
    parser.add_argument("--rounds", type=int, default=3, help="Turns over the endpoints (3)")
    parser.add_argument("--requests", type=int, default=6000, help="Per endpoint and round (6000)")
    parser.add_argument("--seconds", type=float, default=8, help="Per endpoint and round (8)")
    parser.add_argument(
        "--backend-only", action="store_true", help="Serve the backend without a frontend build"
    )
    args = parser.parse_args()
    if args.url and not args.key:
        parser.error("--url needs --key")

    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    servers: list[Served] = []
    try:
        if args.url:
            app = Served(args.url.rstrip("/"), None)
            key = args.key
        else:
            env = app_env(DATA_DIR=str(workdir / "data"))
            env.pop("DATABASE_URL", None)
            key = create_org_and_key(env)
            serve = serve_backend if args.backend_only else serve_app
            app = serve(env, workdir / "server.log")
            servers.append(app)
        seed_customers(app.base_url, key)
        bare = serve_bare(workdir / "bare.log")
        servers.append(bare)
        bare_fastapi = serve_bare(workdir / "bare-fastapi.log", "bare_fastapi_app")
        servers.append(bare_fastapi)
        auth = {"Authorization": f"Bearer {key}"}
        bounds = (args.requests, args.seconds)
        endpoints = [
            ("bare Starlette JSON", Load(f"{bare.base_url}/bare", {}, CONCURRENCY), bare),
            (
                "bare FastAPI JSON (reference)",
                Load(f"{bare_fastapi.base_url}/bare", {}, CONCURRENCY),
                bare_fastapi,
            ),
            ("GET /api/v1/me", Load(f"{app.base_url}/api/v1/me", auth, CONCURRENCY), app),
            (
                "GET /api/v1/customers?limit=25",
                Load(f"{app.base_url}/api/v1/customers?limit=25", auth, CONCURRENCY),
                app,
            ),
        ]
        # Rounds take turns over the endpoints, so that a change in the machine's state weighs
        # on the baseline and the app alike; the ratio is the median of each round's ratio.
        rounds = [
            [measure(name, load, server, *bounds) for name, load, server in endpoints]
            for _ in range(args.rounds)
        ]
    finally:
        for server in servers:
            stop(server.process)

    results = [combined(column) for column in zip(*rounds, strict=True)]
    ratios = [[row[i].rps / row[0].rps for row in rounds] for i in range(len(endpoints))]
    ratio = [statistics.median(r) for r in ratios]
    print(f"\n{CONCURRENCY} concurrent keep-alive clients over loopback, {os.cpu_count()} CPUs")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(
        f"{'endpoint':34} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'vs bare':>8}"
        f" {'server CPU ms/req':>18}"
    )
    for r, r_ratio, per_round in zip(results, ratio, ratios, strict=True):
        cpu = f"{r.cpu_ms_per_request:18.2f}" if r.server_cpu_seconds else f"{'-':>18}"
        each_round = (
            "" if r is results[0] else "  rounds: " + ", ".join(f"{x:.0%}" for x in per_round)
        )
        print(
            f"{r.name:34} {r.pct(50):8.2f} {r.pct(95):8.2f} {r.pct(99):8.2f} "
            f"{r.rps:8.0f} {r_ratio:8.0%} {cpu}{each_round}"
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
                    "ratio_to_bare": round(r_ratio, 3),
                    "server_cpu_ms_per_request": round(r.cpu_ms_per_request, 3),
                    "errors": r.errors,
                }
                for r, r_ratio in zip(results, ratio, strict=True)
            }
        )
    )
    failed = [r for r in results[1:] if r.errors]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
