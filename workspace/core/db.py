"""Database engine and transactions. SQLite (WAL, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator

from sqlalchemy import JSON, Column, event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

_engine: Engine | None = None

SQLITE_BUSY_TIMEOUT_S = 15


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


class _WriterQueue:
    """Threads of this process wait here for SQLite's write lock.

    Every transaction starts with BEGIN IMMEDIATE (see `make_engine`). Left to SQLite, a
    thread that finds the lock taken polls for it, sleeping up to 100 ms between tries, so
    under concurrent requests most of the time goes to sleeping. Queueing on a lock first
    hands the database over as soon as the previous transaction ends; other processes still
    meet SQLite's busy timeout as before.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders: set[int] = set()

    @staticmethod
    def _key(connection) -> int:
        # SQLAlchemy passes pool proxies to the dialect; key on the driver's connection.
        return id(getattr(connection, "dbapi_connection", connection))

    def acquire(self, connection) -> None:
        if not self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked")
        self._holders.add(self._key(connection))

    def release(self, connection) -> None:
        key = self._key(connection)
        if key in self._holders:
            self._holders.discard(key)
            self._lock.release()


def _queue_sqlite_writers(engine: Engine) -> None:
    queue = _WriterQueue()
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn):
        # Take the write lock up front so concurrent writers queue instead of failing.
        queue.acquire(conn.connection)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            queue.release(conn.connection)
            raise

    def do_commit(connection) -> None:
        try:
            commit(connection)
        finally:
            queue.release(connection)

    def do_rollback(connection) -> None:
        try:
            rollback(connection)
        finally:
            queue.release(connection)

    dialect.do_commit = do_commit
    dialect.do_rollback = do_rollback


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        )
        event.listen(engine, "connect", _configure_sqlite)
        _queue_sqlite_writers(engine)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        from workspace.core.config import ensure_data_dir, get_settings

        settings = get_settings()
        if settings.is_sqlite:
            ensure_data_dir(settings)
        _engine = make_engine(settings.database_url)
    return _engine


def reset_engine() -> None:
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = None


@contextlib.contextmanager
def session_scope() -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def json_column() -> Column:
    return Column(JSON, nullable=False, default=dict)
