"""Transactions: read scopes take no write lock and refuse every kind of write."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.conftest import is_postgres
from workspace.core.db import read_scope, session_scope
from workspace.core.models import Organization


def org_name(org_id: str) -> str:
    with read_scope() as session:
        return session.get(Organization, org_id).name


def test_read_scope_reads_committed_rows(org):
    with session_scope() as session:
        session.get(Organization, org.org_id).name = "Renamed Ltd"
    assert org_name(org.org_id) == "Renamed Ltd"


def test_read_scope_refuses_orm_changes_and_keeps_the_row(org):
    with pytest.raises(RuntimeError, match="read_scope"), read_scope() as session:
        session.get(Organization, org.org_id).name = "Changed"
        session.flush()
    assert org_name(org.org_id) == "Acme Inc"


def test_read_scope_refuses_sql_writes_and_connections_still_write_afterwards(org):
    with pytest.raises(DBAPIError), read_scope() as session:
        session.execute(
            text("UPDATE organization SET name = 'Sneaky' WHERE id = :id"), {"id": org.org_id}
        )
    assert org_name(org.org_id) == "Acme Inc"
    for _ in range(3):  # every pooled connection is writable again
        with session_scope() as session:
            session.execute(
                text("UPDATE organization SET name = 'Written' WHERE id = :id"), {"id": org.org_id}
            )
    assert org_name(org.org_id) == "Written"


@pytest.mark.skipif(is_postgres(), reason="SQLite's write lock")
def test_reads_do_not_wait_for_a_writer_holding_the_lock(org):
    writer_holds_lock, reader_done = threading.Event(), threading.Event()

    def writer():
        with session_scope() as session:
            session.execute(
                text("UPDATE organization SET name = 'Pending' WHERE id = :id"), {"id": org.org_id}
            )
            writer_holds_lock.set()
            reader_done.wait(timeout=30)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writer_holds_lock.wait(timeout=30)
    # The writer keeps its transaction open until this read returns: were reads queued
    # behind the write lock, this would wait out the writer's 30 s.
    name = org_name(org.org_id)
    finished_while_writer_open = thread.is_alive()
    reader_done.set()
    thread.join()
    assert finished_while_writer_open
    assert name == "Acme Inc"  # the uncommitted change is not visible
    assert org_name(org.org_id) == "Pending"


def test_fetch_page_counts_every_row_whatever_page_is_asked(org, other_org):
    from sqlmodel import col, select

    from workspace.core.db import fetch_page

    with session_scope() as session:
        for n in range(5):
            session.add(Organization(name=f"Extra {n}"))
    query = select(Organization).where(col(Organization.name).startswith("Extra"))
    with read_scope() as session:
        rows, total = fetch_page(session, query, col(Organization.name), limit=2, offset=2)
        assert [o.name for o in rows] == ["Extra 2", "Extra 3"] and total == 5
        assert fetch_page(session, query, col(Organization.name), limit=2, offset=10) == ([], 5)
        nothing = query.where(col(Organization.name) == "None such")
        assert fetch_page(session, nothing, col(Organization.name), limit=2, offset=0) == ([], 0)
