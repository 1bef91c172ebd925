"""Database engine and transactions. SQLite (WAL, foreign keys) by default, PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy import JSON, Column, event, func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine, select

_engine: Engine | None = None

SQLITE_BUSY_TIMEOUT_S = 15
READ_ONLY = "workspace_read_only"
SQLITE_POOL_SIZE = 40


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()


class _WriterQueue:
    """Threads of this process wait here for SQLite's write lock.

    Every writing transaction starts with BEGIN IMMEDIATE (see `make_engine`). Left to SQLite, a
    thread that finds the lock taken polls for it, sleeping up to 100 ms between tries, so
    under concurrent requests most of the time goes to sleeping. Queueing on a lock first
    hands the database over as soon as the previous transaction ends; other processes still
    meet SQLite's busy timeout as before.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders: set[int] = set()

    @staticmethod
    def key(connection) -> int:
        # SQLAlchemy passes pool proxies to the dialect; key on the driver's connection.
        return id(getattr(connection, "dbapi_connection", connection))

    def acquire(self, connection) -> None:
        if not self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked")
        self._holders.add(self.key(connection))

    def release(self, connection) -> None:
        key = self.key(connection)
        if key in self._holders:
            self._holders.discard(key)
            self._lock.release()


def _queue_sqlite_writers(engine: Engine) -> None:
    queue = _WriterQueue()
    readers: set[int] = set()
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Straight to the driver: these run for every transaction.
        driver = conn.connection.driver_connection
        if conn.get_execution_options().get(READ_ONLY):
            # A snapshot read: WAL readers neither wait for nor block the writer. query_only
            # makes any write attempted in it fail loudly instead of being rolled back unseen.
            readers.add(queue.key(conn.connection))
            driver.execute("PRAGMA query_only=ON")
            driver.execute("BEGIN")
            return
        # Take the write lock up front so concurrent writers queue instead of failing.
        queue.acquire(conn.connection)
        try:
            driver.execute("BEGIN IMMEDIATE")
        except BaseException:
            queue.release(conn.connection)
            raise

    def end(connection) -> None:
        queue.release(connection)
        key = queue.key(connection)
        if key in readers:
            readers.discard(key)
            connection.driver_connection.execute("PRAGMA query_only=OFF")

    def do_commit(connection) -> None:
        try:
            commit(connection)
        finally:
            end(connection)

    def do_rollback(connection) -> None:
        try:
            rollback(connection)
        finally:
            end(connection)

    dialect.do_commit = do_commit
    dialect.do_rollback = do_rollback


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S},
            # One kept connection per worker thread (the server runs sync work on 40): a new
            # connection re-reads the schema and sets its pragmas, several times a request's cost.
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
        )
        event.listen(engine, "connect", _configure_sqlite)
        _queue_sqlite_writers(engine)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        return engine
    engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)

    @event.listens_for(engine, "begin")
    def _read_only_transaction(conn):
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    return engine


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


@contextlib.contextmanager
def read_scope() -> Iterator[Session]:
    """A unit of work that only reads. On SQLite it takes no write lock, so reads never queue
    behind writers; changing anything in it is a programming error."""
    with Session(get_engine(), expire_on_commit=False, autoflush=False) as session:
        session.info[READ_ONLY] = True
        session.connection(execution_options={READ_ONLY: True})  # begins the transaction
        yield session


@event.listens_for(Session, "before_flush")
def _refuse_writes_in_read_scope(session, _context, _instances) -> None:
    if session.info.get(READ_ONLY) and (session.new or session.dirty or session.deleted):
        raise RuntimeError("A read_scope session cannot write; use session_scope.")


def fetch_page(
    session: Session, query: Any, *order_by: Any, limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of a single-entity query and how many rows the whole query has. Counting
    apart lets the page stop at `limit` rows and the count read only an index."""
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    if total <= offset:
        return [], total
    return list(session.exec(query.order_by(*order_by).offset(offset).limit(limit))), total


def fetch_prepared_page(
    session: Session,
    statements: tuple[Any, Any],
    params: dict[str, Any],
    *,
    limit: int,
    offset: int,
) -> tuple[list[Any], int]:
    """Like `fetch_page` for statements built once: (count, page) with bind parameters, the
    page one taking `limit` and `offset`. Returns Core rows, which skip the ORM's loading."""
    count, page = statements
    connection = session.connection()
    total = connection.execute(count, params).scalar_one()
    if total <= offset:
        return [], total
    page_params = {**params, "limit": limit, "offset": offset}
    return list(connection.execute(page, page_params).all()), total


LIKE_ESCAPE = "!"


def contains_pattern(search: str) -> str:
    """A LIKE pattern (escape character `LIKE_ESCAPE`) for lower-cased text containing `search`:
    its `%` and `_` match themselves, not any text."""
    text = search.strip().lower()
    for char in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, LIKE_ESCAPE + char)
    return f"%{text}%"


def text_search(search: str, *columns: Any) -> Any:
    """A condition: any of `columns` contains `search`, ignoring case; None when `search` is
    blank."""
    if not search.strip():
        return None
    pattern = contains_pattern(search)
    return or_(*(func.lower(column).like(pattern, escape=LIKE_ESCAPE) for column in columns))


def json_column() -> Column:
    return Column(JSON, nullable=False, default=dict)
