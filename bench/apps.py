"""Business apps benchmark: list pages over 5,000 records (checklist summaries and counts
computed in a fixed number of queries), and vault set / reveal.

    .venv/bin/python bench/apps.py            # SQLite in a temporary folder
    DATABASE_URL=postgresql://… .venv/bin/python bench/apps.py

Prints wall-clock and CPU-time p50/p95 per operation (CPU time of this process covers Python
and SQLite, and is not inflated when other processes compete for the cores). The baseline
lists the same page of records without checklist summaries or counts, in the same run.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATA_DIR", tempfile.mkdtemp(prefix="bench-apps-"))
os.environ["RUN_JOBS"] = "false"

RECORDS = 5_000
ROUNDS = 60


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def timed(func, rounds: int = ROUNDS) -> tuple[float, float, float, float]:
    """Wall-clock and CPU (this process: Python + SQLite) p50/p95 in ms."""
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return (*percentiles(wall), *percentiles(cpu))


def main() -> None:
    from sqlmodel import col, select

    import workspace.core.services  # noqa: F401
    from workspace.core.actor import Actor
    from workspace.core.db import session_scope
    from workspace.core.migrate import upgrade_database
    from workspace.core.models import AppRecord, RecordDocument, User, VaultItem
    from workspace.core.passwords import verify_password
    from workspace.core.services import accounts, records

    upgrade_database()
    with session_scope() as session:
        user, org = accounts.sign_up(
            session, email="bench@apps.test", password="bench-pass-1", name="B", org_name="Bench"
        )
        actor = Actor(org_id=org.id, type="user", user_id=user.id, email=user.email, role="owner")

    print(f"seeding {RECORDS} intake records with 2 documents each …", flush=True)
    start = time.perf_counter()
    sha = records.storage.put_bytes(b"%PDF-1.4\n%%EOF\n")
    with session_scope() as session:
        for index in range(RECORDS):
            record = AppRecord(
                org_id=org.id,
                app_slug="business-intake",
                record_type="vendor_onboarding",
                title=f"Vendor {index:05d}",
                status=("pending_documents", "pending_review", "approved")[index % 3],
                details={"intakeType": "vendor"},
                party_email=f"vendor{index}@example.com",
                owner_user_id=user.id,
            )
            session.add(record)
            for key, status in (("tax_form", "approved"), ("bank_details", "pending_review")):
                session.add(
                    RecordDocument(
                        org_id=org.id,
                        record_id=record.id,
                        requirement_key=key,
                        file_name=f"{key}.pdf",
                        content_type="application/pdf",
                        size_bytes=15,
                        sha256=sha,
                        status=status,
                    )
                )
            if index % 500 == 499:
                session.flush()
    print(f"  seeded in {time.perf_counter() - start:.1f} s\n")

    def list_page(limit: int, status: str | None = None):
        def run():
            with session_scope() as session:
                rows = records.list_records(
                    session, actor=actor, app_slug="business-intake", limit=limit, status=status
                )
                assert len(rows) == limit and rows[0].summary["requiredCount"] == 4

        return run

    def baseline_page(limit: int):
        def run():
            with session_scope() as session:
                rows = list(
                    session.exec(
                        select(AppRecord)
                        .where(
                            AppRecord.org_id == actor.org_id,
                            AppRecord.app_slug == "business-intake",
                            AppRecord.test_mode == actor.test_mode,
                        )
                        .order_by(col(AppRecord.created_at).desc(), col(AppRecord.id).desc())
                        .limit(limit)
                    )
                )
                assert len(rows) == limit

        return run

    def search_page():
        with session_scope() as session:
            records.list_records(
                session, actor=actor, app_slug="business-intake", search="vendor 04", limit=50
            )

    results = []
    for limit in (50, 200):
        results.append(
            (f"baseline: page of {limit} records, no summaries", timed(baseline_page(limit)))
        )
        results.append((f"list {limit} with checklistSummary + counts", timed(list_page(limit))))
    results.append(("list 50, status filter", timed(list_page(50, "approved"))))
    results.append(("list 50, search", timed(search_page)))

    with session_scope() as session:
        record_id = records.list_records(session, actor=actor, app_slug="business-intake", limit=1)[
            0
        ].record.id
    counter = iter(range(10_000))

    def vault_set():
        with session_scope() as session:
            records.set_vault_field(
                session,
                actor=actor,
                app_slug="business-intake",
                record_id=record_id,
                field_key=f"field_{next(counter) % 20}",
                value="GB29NWBK60161331926819",
                access_level="finance",
            )

    vault_set()
    with session_scope() as session:
        vault_id = records.list_vault(
            session, actor=actor, app_slug="business-intake", record_id=record_id
        )[0]["id"]

    def vault_reveal_crypto_and_audit():
        with session_scope() as session:
            item = session.get(VaultItem, vault_id)
            record = session.get(AppRecord, record_id)
            assert records.decrypt_item(item) == "GB29NWBK60161331926819"
            records.audit(
                session,
                actor=actor,
                record=record,
                action="vault_revealed",
                description="bench reveal",
            )

    def vault_reveal_full():
        with session_scope() as session:
            records.reveal_vault_field(
                session,
                actor=actor,
                app_slug="business-intake",
                record_id=record_id,
                vault_id=vault_id,
                password="bench-pass-1",
            )

    with session_scope() as session:
        password_hash = session.get(User, user.id).password_hash

    results.append(("vault set (encrypt + wrap + store + audit + events)", timed(vault_set, 200)))
    results.append(
        ("vault reveal (unwrap + decrypt + audit)", timed(vault_reveal_crypto_and_audit, 200))
    )
    results.append(
        (
            "password re-check alone (scrypt, by design)",
            timed(lambda: verify_password("bench-pass-1", password_hash), 20),
        )
    )
    results.append(("vault reveal incl. password re-check", timed(vault_reveal_full, 20)))

    database = (
        "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    )
    load = os.getloadavg()[0]
    print(f"{database}, {RECORDS} records, {os.cpu_count()} CPUs, load average {load:.1f}; ms")
    print(f"{'operation':55} {'wall p50':>9} {'wall p95':>9} {'cpu p50':>8} {'cpu p95':>8}")
    for name, (p50, p95, cpu50, cpu95) in results:
        print(f"{name:55} {p50:9.2f} {p95:9.2f} {cpu50:8.2f} {cpu95:8.2f}")


if __name__ == "__main__":
    main()
