"""Shared fixtures: an isolated data folder and database per test run, clean tables per test,
an organization with API keys, an HTTP client for the API, and a real local SMTP server."""

from __future__ import annotations

import os
import secrets
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse, urlunparse

import pytest

if TYPE_CHECKING:
    from tests.webhook_receiver import Receiver

_TMP = Path(tempfile.mkdtemp(prefix="workspace-tests-"))
os.environ["DATA_DIR"] = str(_TMP / "data")
os.environ.setdefault("ALLOW_PRIVATE_WEBHOOK_TARGETS", "true")
os.environ["RUN_JOBS"] = "false"
os.environ.pop("SMTP_URL", None)
os.environ["PUBLIC_BASE_URL"] = "http://testserver"

_PG_ADMIN_URL = None
if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
    # Each run gets its own database so parallel runs never share tables.
    _PG_ADMIN_URL = os.environ["DATABASE_URL"]
    parsed = urlparse(_PG_ADMIN_URL)
    _PG_DB = f"ws_test_{os.getpid()}_{secrets.token_hex(3)}"
    os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{_PG_DB}"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_postgres() -> bool:
    return _PG_ADMIN_URL is not None


def _pg_admin(sql: str) -> None:
    from sqlalchemy import create_engine, text

    from workspace.core.config import normalize_database_url

    engine = create_engine(normalize_database_url(_PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[None]:
    """Create the schema with the real migrations once per run."""
    if is_postgres():
        _pg_admin(f'CREATE DATABASE "{_PG_DB}"')
    from workspace.core.config import reset_settings
    from workspace.core.migrate import upgrade_database

    reset_settings()
    upgrade_database()
    import workspace.core.services  # noqa: F401

    yield
    from workspace.core.db import reset_engine

    reset_engine()
    if is_postgres():
        _pg_admin(f'DROP DATABASE IF EXISTS "{_PG_DB}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def clean_tables(database) -> Iterator[None]:
    yield
    from sqlmodel import SQLModel

    from workspace.core.db import get_engine

    engine = get_engine()
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name != "alembic_version"]
    # DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table costs about a second,
    # deleting the few rows a test leaves takes milliseconds.
    with engine.begin() as conn:
        for table in reversed(tables):
            conn.execute(table.delete())
    from workspace.api import ratelimit

    ratelimit.reset_counters()


@dataclass
class OrgFixture:
    org_id: str
    owner_email: str
    owner_password: str
    live_key: str
    test_key: str

    @property
    def actor(self):
        from workspace.core.actor import Actor

        return Actor.system(self.org_id)

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.live_key}"}


def make_org(name: str = "Acme Inc", email: str = "owner@acme.test") -> OrgFixture:
    from workspace.core.actor import Actor
    from workspace.core.db import session_scope
    from workspace.core.services.accounts import sign_up
    from workspace.core.services.api_keys import create_api_key

    password = "correct-horse-1"
    with session_scope() as session:
        user, org = sign_up(session, email=email, password=password, name="Owner", org_name=name)
        actor = Actor(org_id=org.id, type="user", user_id=user.id, email=email, role="owner")
        _, live = create_api_key(session, actor=actor, name="live key")
        _, test = create_api_key(session, actor=actor, name="test key", test=True)
    return OrgFixture(org.id, email, password, live, test)


@pytest.fixture
def org() -> OrgFixture:
    return make_org()


@pytest.fixture
def other_org() -> OrgFixture:
    return make_org("Other Co", "owner@other.test")


@pytest.fixture(scope="session")
def api_app():
    from workspace.api.app import create_app

    return create_app()


@pytest.fixture
def client(api_app):
    from fastapi.testclient import TestClient

    with TestClient(api_app, base_url="http://testserver") as test_client:
        yield test_client


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self):
        from email import message_from_bytes
        from email.policy import default

        return message_from_bytes(self.data, policy=default)


@pytest.fixture
def smtp_server(monkeypatch) -> Iterator[list[ReceivedMail]]:
    """A real SMTP server on loopback; SMTP_URL points at it for the test."""
    from aiosmtpd.controller import Controller

    received: list[ReceivedMail] = []
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            with lock:
                received.append(
                    ReceivedMail(
                        envelope.mail_from,
                        list(envelope.rcpt_tos),
                        envelope.original_content or envelope.content,
                    )
                )
            return "250 Message accepted for delivery"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("WS_TEST_SMTP_PORT", str(port))
    from workspace.core.config import get_settings

    get_settings.cache_clear()
    try:
        yield received
    finally:
        controller.stop()
        monkeypatch.delenv("SMTP_URL")
        get_settings.cache_clear()


@pytest.fixture
def receiver():
    """A real HTTP server on loopback that records webhook requests (tests/webhook_receiver.py)."""
    from tests.webhook_receiver import start_receiver

    server = start_receiver()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()


@dataclass
class SmsProvider:
    """A Twilio-like messages endpoint on loopback (`SMS_URL` points at it)."""

    receiver: Receiver
    account: str = "AC0123456789"
    token: str = "auth-token-1"
    sender: str = "+15550001111"

    @property
    def path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account}/Messages.json"

    def forms(self, count: int) -> list[dict[str, str]]:
        from urllib.parse import parse_qs

        return [
            {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
            for request in self.receiver.wait_for(count)
        ]


@pytest.fixture
def sms_provider(receiver, monkeypatch) -> Iterator[SmsProvider]:
    """`SMS_URL` and `SMS_FROM` set to a real HTTP receiver that answers like Twilio."""
    from workspace.core.config import get_settings

    provider = SmsProvider(receiver)
    receiver.success_body = b'{"sid": "SM0000000000000000000000000000001", "status": "queued"}'
    host, port = receiver.server.server_address[:2]
    url = f"http://{provider.account}:{provider.token}@{host}:{port}{provider.path}"
    monkeypatch.setenv("SMS_URL", url)
    monkeypatch.setenv("SMS_FROM", provider.sender)
    get_settings.cache_clear()
    try:
        yield provider
    finally:
        monkeypatch.delenv("SMS_URL")
        monkeypatch.delenv("SMS_FROM")
        get_settings.cache_clear()
