"""Invoice benchmarks: PDF rendering, POST /api/v1/invoices under concurrency, and the invoices
list with 10,000 invoices (server-side page + totals, and in Chromium when a served app is given).

    DATA_DIR=/tmp/bench-invoices .venv/bin/python bench/invoices.py
    DATA_DIR=<served app's data dir> .venv/bin/python bench/invoices.py \
        --base-url http://localhost:3600 --email owner@example.com --password '...'

Uses the database of DATA_DIR / DATABASE_URL (a fresh SQLite file by default).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-invoices-"))
os.environ.setdefault("RUN_JOBS", "false")
os.environ.setdefault("RATE_LIMIT_PER_MINUTE", "1000000")
logging.getLogger("httpx").setLevel(logging.WARNING)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def bench_pdf() -> None:
    from workspace.core.models import Invoice, LineItem, Organization
    from workspace.core.pdf.invoice import render_invoice

    org = Organization(id="org_bench", name="Northwind Studio")

    def invoice(lines: int):
        inv = Invoice(
            id="inv_bench",
            org_id=org.id,
            number=1,
            invoice_number="INV-0001",
            client_name="John Smith",
            client_email="john@example.com",
            client_company="Acme Corp",
            title="Consulting Services",
            currency="NGN",
            tax_rate="7.5",
            subtotal_minor=lines * 500000,
            tax_minor=lines * 37500,
            total_minor=lines * 537500,
            status="sent",
            view_token="x",
            notes="Payment due within 30 days.",
        )
        items = [
            LineItem(
                invoice_id=inv.id,
                position=i,
                description=f"Strategy consulting, session {i + 1} with follow-up notes",
                quantity="1",
                unit_price_minor=500000,
                total_minor=500000,
            )
            for i in range(lines)
        ]
        return inv, items

    for count in (1, 200):
        inv, items = invoice(count)
        render_invoice(invoice=inv, org=org, lines=items, payments=[])  # warm-up
        times, cpu = [], []
        for _ in range(15):
            start, start_cpu = time.perf_counter(), time.process_time()
            data = render_invoice(invoice=inv, org=org, lines=items, payments=[])
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        from io import BytesIO

        from pypdf import PdfReader

        pages = len(PdfReader(BytesIO(data)).pages)
        print(
            f"invoice PDF, {count:>3} line items ({pages} pages): "
            f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms, CPU time median "
            f"{statistics.median(cpu):.1f} ms (target < 300 ms)"
        )


def _make_org(name: str, email: str):
    from workspace.core.actor import Actor
    from workspace.core.db import session_scope
    from workspace.core.services.accounts import sign_up
    from workspace.core.services.api_keys import create_api_key

    with session_scope() as session:
        user, org = sign_up(
            session, email=email, password="bench-password-1", name="Bench", org_name=name
        )
        actor = Actor(org_id=org.id, type="user", user_id=user.id, email=email, role="owner")
        _, raw = create_api_key(session, actor=actor, name="bench")
    return org.id, raw


def bench_api_create(clients: int = 8, requests: int = 400) -> None:
    from served import post_latency

    _, key = _make_org("Bench API", f"api-{random.randint(0, 10**9)}@bench.test")
    body = {
        "clientName": "John Smith",
        "clientEmail": "john@example.com",
        "title": "Consulting Services - March 2026",
        "currency": "NGN",
        "lineItems": [
            {"description": "Strategy consulting", "quantity": 10, "unitPriceKobo": 500000},
            {"description": "Document review", "quantity": 1, "unitPriceKobo": 200000},
        ],
        "taxRate": 7.5,
        "totalKobo": 5590000,
    }
    log = Path(os.environ["DATA_DIR"]) / "bench-server.log"
    result = post_latency("/api/v1/invoices", key, body, clients, requests, log)
    print(
        f"POST /api/v1/invoices, {clients} concurrent clients: {result.summary()} "
        "(target p95 < 50 ms)"
    )


def seed_invoices(org_id: str, count: int) -> None:
    """Bulk-insert `count` realistic invoices (numbered after the org's existing ones)."""
    from sqlmodel import select

    from workspace.core.clock import now_ms
    from workspace.core.db import session_scope
    from workspace.core.ids import new_id, new_token
    from workspace.core.models import Invoice, InvoiceCounter, LineItem

    rng = random.Random(10_000)
    now = now_ms()
    day = 86_400_000
    statuses = ["draft", "sent", "viewed", "partially_paid", "overdue", "paid", "void"]
    with session_scope() as session:
        counter = session.get(InvoiceCounter, (org_id, False))
        first = (counter.last_number if counter else 0) + 1
        invoices, lines = [], []
        for offset in range(count):
            number = first + offset
            created = now - rng.randint(0, 400) * day
            total = rng.randint(1, 500) * 100_000
            status = rng.choice(statuses)
            paid = total if status == "paid" else (total // 3 if status == "partially_paid" else 0)
            invoice_id = new_id("inv")
            invoices.append(
                Invoice(
                    id=invoice_id,
                    org_id=org_id,
                    number=number,
                    invoice_number=f"INV-{number:04d}",
                    client_name=f"Client {rng.randint(1, 800)}",
                    client_email=f"client{rng.randint(1, 800)}@example.com",
                    client_company="Example Ltd",
                    title=f"Services batch {number}",
                    currency="NGN",
                    subtotal_minor=total,
                    total_minor=total,
                    paid_minor=paid,
                    status=status,
                    invoice_date=created,
                    due_date=created + 30 * day,
                    view_token=new_token(),
                    sent_at=None if status == "draft" else created,
                    created_at=created,
                    updated_at=created,
                )
            )
            lines.append(
                LineItem(
                    invoice_id=invoice_id,
                    position=0,
                    description="Services",
                    quantity="1",
                    unit_price_minor=total,
                    total_minor=total,
                )
            )
        session.add_all(invoices)
        session.flush()
        session.add_all(lines)
        if counter is None:
            counter = InvoiceCounter(org_id=org_id, test_mode=False, last_number=0)
        counter.last_number = first + count - 1
        session.add(counter)
    with session_scope() as session:
        assert session.exec(select(Invoice).where(Invoice.org_id == org_id)).first()


def _timed(work, runs: int = 10) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of `work()`."""
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        work()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(times), statistics.median(cpu)


def bench_list(org_id: str | None, count: int) -> str:
    from sqlmodel import func, select

    from workspace.core.actor import Actor
    from workspace.core.db import read_scope, session_scope
    from workspace.core.models import Invoice
    from workspace.core.services import invoices as service

    if org_id is None:
        org_id, _ = _make_org("Bench list", f"list-{random.randint(0, 10**9)}@bench.test")
    with session_scope() as session:
        existing = session.exec(
            select(func.count()).select_from(Invoice).where(Invoice.org_id == org_id)
        ).one()
    if existing < count:
        start = time.perf_counter()
        seed_invoices(org_id, count - existing)
        print(f"seeded {count - existing} invoices in {time.perf_counter() - start:.1f} s")
    actor = Actor.system(org_id)
    for label, kwargs in (
        ("first page", {}),
        ("overdue tab", {"status": "overdue"}),
        ("search", {"search": "client 42"}),
        ("page 200", {"offset": 200 * 25}),
    ):
        matches = []

        def page(kwargs=kwargs, matches=matches):
            with read_scope() as session:
                matches[:] = [service.list_invoices(session, actor=actor, limit=25, **kwargs)[1]]

        wall, cpu = _timed(page)
        print(
            f"invoices list page ({label}, {matches[0]} matches): median {wall:.1f} ms, "
            f"CPU time {cpu:.1f} ms"
        )
    for label, function in (
        ("totals + aging", service.invoice_totals),
        ("totals version check", service.totals_version),
    ):

        def figures(function=function):
            with read_scope() as session:
                function(session, actor=actor)

        wall, cpu = _timed(figures)
        print(f"invoices {label}: median {wall:.1f} ms, CPU time {cpu:.1f} ms")
    return org_id


def bench_page_load(email: str, password: str) -> None:
    """The Invoices page's `load` handler, driven directly as the server runs it for the
    browser: session check, page of rows, version check, and the totals when they changed."""
    from workspace.core.db import session_scope
    from workspace.core.services import accounts
    from workspace.ui.pages.invoices import InvoicesState

    root = InvoicesState.get_root_state()(_reflex_internal_init=True)
    state = root.get_substate(InvoicesState.get_full_name().split(".")[1:])
    with session_scope() as session:
        state.session_token = accounts.log_in(session, email=email, password=password).token

    def first_visit():
        state._totals_version = ()
        state.load()

    def next_page():
        state.page = 0
        state.next_page()

    for label, work in (
        ("first visit (totals computed)", first_visit),
        ("next page (totals kept)", next_page),
    ):
        wall, cpu = _timed(work)
        print(f"invoices page load handler, {label}: median {wall:.1f} ms, CPU time {cpu:.1f} ms")


# Timestamps taken inside the page: the socket's frames and the moment rows and label appear.
_PAGE_PROBE = """
window.__marks = {};
const mark = (what) => { if (!(what in window.__marks)) window.__marks[what] = performance.now(); };
const NativeSocket = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const socket = new NativeSocket(url, protocols);
  socket.addEventListener('open', () => mark('socketOpen'));
  socket.addEventListener('message', (message) => {
    const text = String(message.data);
    if (text.includes('"rows_rx_state_":[{')) {
      mark('rowsDelta');
      window.__marks.rowsDeltaBytes = text.length;
    }
  });
  const send = socket.send.bind(socket);
  socket.send = (data) => {
    if (String(data).includes('hydrate')) mark('hydrateSent');
    return send(data);
  };
  return socket;
};
Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
window.WebSocket.prototype = NativeSocket.prototype;
new MutationObserver(() => {
  if (document.querySelector('.invoice-row')) mark('rowsShown');
  if (document.querySelector('#page-label')?.textContent.includes('of')) mark('labelShown');
}).observe(document, {subtree: true, childList: true, characterData: true});
"""

_STAGES = (
    ("document", "responseEnd"),
    ("scripts run", "domInteractive"),
    ("socket open", "socketOpen"),
    ("app mounted, hydrate sent", "hydrateSent"),
    ("rows delta received", "rowsDelta"),
    ("rows shown", "rowsShown"),
)


def _wait_for_rows(page) -> None:
    page.wait_for_selector(".invoice-row", timeout=30_000)
    page.wait_for_function("document.querySelector('#page-label')?.textContent.includes('of')")


def bench_browser(base_url: str, email: str, password: str, runs: int = 7) -> None:
    from playwright.sync_api import sync_playwright

    args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.add_init_script(_PAGE_PROBE)
        page = context.new_page()
        page.goto(f"{base_url}/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url, timeout=30_000)
        page.goto(f"{base_url}/invoices")  # warm the browser's cache of the app's scripts
        page.wait_for_selector(".invoice-row", timeout=30_000)
        times, stages, delta_bytes = [], {name: [] for name, _ in _STAGES}, 0
        link_times = []
        for _ in range(runs):
            # Forget the tab's session so that nothing from the previous visit is shown: the
            # rows come from this visit's load, as for someone opening the link.
            page.goto(f"{base_url}/")
            page.wait_for_load_state("networkidle")
            page.evaluate("sessionStorage.clear()")
            start = time.perf_counter()
            page.goto(f"{base_url}/invoices")
            _wait_for_rows(page)
            times.append((time.perf_counter() - start) * 1000)
            marks = page.evaluate(
                "({...window.__marks, ...performance.getEntriesByType('navigation')[0].toJSON()})"
            )
            for name, key in _STAGES:
                stages[name].append(marks[key])
            delta_bytes = marks["rowsDeltaBytes"]
            # The way people usually arrive: the sidebar link, from another page of the app.
            page.goto(f"{base_url}/")
            page.wait_for_load_state("networkidle")
            page.evaluate("sessionStorage.clear()")
            page.reload()
            page.wait_for_load_state("networkidle")
            start = time.perf_counter()
            page.click("a[href='/invoices']")
            _wait_for_rows(page)
            link_times.append((time.perf_counter() - start) * 1000)
        label = page.inner_text("#page-label")
        first_row = page.inner_text(".invoice-row a")
        start = time.perf_counter()
        page.click("#next-page")
        page.wait_for_function(
            "([first]) => document.querySelector('#page-label')?.textContent.startsWith('26')"
            " && document.querySelector('.invoice-row a')?.textContent !== first",
            arg=[first_row],
        )
        next_ms = (time.perf_counter() - start) * 1000
        browser.close()
    print(
        f"invoices page in Chromium ({label}): navigation to rows and label shown median "
        f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms; from the sidebar link "
        f"median {statistics.median(link_times):.0f} ms; next page {next_ms:.0f} ms "
        "(target interactive < 1500 ms)"
    )
    print(
        "  where the time goes (median ms after navigation start): "
        + ", ".join(f"{name} {statistics.median(values):.0f}" for name, values in stages.items())
        + f"; rows delta {delta_bytes} characters"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", help="a served app to time the invoices page in Chromium")
    parser.add_argument("--email", help="login of the served app's organization owner")
    parser.add_argument("--password")
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()

    from workspace.core.config import reset_settings
    from workspace.core.migrate import upgrade_database

    reset_settings()
    upgrade_database()
    import workspace.core.services  # noqa: F401

    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    bench_pdf()
    bench_api_create()
    org_id = None
    if args.email:
        from sqlmodel import select

        from workspace.core.db import session_scope
        from workspace.core.models import Membership, User

        with session_scope() as session:
            user = session.exec(select(User).where(User.email == args.email)).one()
            org_id = session.exec(
                select(Membership.org_id).where(Membership.user_id == user.id)
            ).first()
    bench_list(org_id, args.count)
    if args.email and args.password:
        bench_page_load(args.email, args.password)
    if args.base_url and args.email and args.password:
        bench_browser(args.base_url, args.email, args.password)


if __name__ == "__main__":
    main()
