"""Settings read from environment variables, validated once at start-up."""

from __future__ import annotations

import functools
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from workspace.core.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    port: int
    data_dir: Path
    database_url: str
    redis_url: str | None
    public_base_url: str
    smtp_url: str | None
    mail_from: str
    sms_url: str | None
    sms_from: str | None
    secret_key_file: Path
    master_key_file: Path
    max_body_bytes: int
    rate_limit_per_minute: int
    allow_private_webhook_targets: bool
    timestamp_authority_url: str | None
    run_jobs: bool

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _url(name: str, raw: str | None, schemes: tuple[str, ...]) -> str | None:
    if raw is None or raw == "":
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not (parsed.netloc or parsed.path):
        raise ConfigError(f"{name} must be a URL starting with {' or '.join(schemes)}, got {raw!r}")
    return raw


_SENDER_ID = re.compile(r"^(\+[1-9][0-9]{6,14}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})$")


def _sms_settings() -> tuple[str | None, str | None]:
    """`SMS_URL` (a Twilio-compatible messages endpoint, credentials in the URL) and the
    sender `SMS_FROM`: a number in E.164 form or an alphanumeric sender ID."""
    url = _url("SMS_URL", os.environ.get("SMS_URL"), ("http", "https"))
    sender = (os.environ.get("SMS_FROM") or "").strip() or None
    if url and not urlparse(url).hostname:
        raise ConfigError(f"SMS_URL must name a host, got {url!r}")
    if url and sender is None:
        raise ConfigError("SMS_FROM is required when SMS_URL is set (e.g. +15551234567)")
    if sender is not None and not _SENDER_ID.match(sender):
        raise ConfigError(
            "SMS_FROM must be a phone number in E.164 form (+15551234567) or a sender ID of "
            f"up to 11 letters and digits, got {sender!r}"
        )
    return url, sender


def normalize_database_url(raw: str) -> str:
    """Accept the usual spellings and pick the installed driver (psycopg 3)."""
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://") :]
    return raw


def load_settings() -> Settings:
    port = _int("PORT", 3000, minimum=1)
    if port > 65535:
        raise ConfigError(f"PORT must be at most 65535, got {port}")
    data_dir = Path(os.environ.get("DATA_DIR") or PROJECT_ROOT / "data").resolve()
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'workspace.db'}"
    _url("DATABASE_URL", database_url, ("sqlite", "postgresql", "postgres", "postgresql+psycopg"))
    public_base_url = (
        _url("PUBLIC_BASE_URL", os.environ.get("PUBLIC_BASE_URL"), ("http", "https"))
        or f"http://localhost:{port}"
    ).rstrip("/")
    mail_from = os.environ.get("MAIL_FROM") or "Workspace <no-reply@localhost>"
    if "@" not in mail_from:
        raise ConfigError(f"MAIL_FROM must contain an email address, got {mail_from!r}")
    sms_url, sms_from = _sms_settings()
    return Settings(
        port=port,
        data_dir=data_dir,
        database_url=normalize_database_url(database_url),
        redis_url=_url("REDIS_URL", os.environ.get("REDIS_URL"), ("redis", "rediss")),
        public_base_url=public_base_url,
        smtp_url=_url("SMTP_URL", os.environ.get("SMTP_URL"), ("smtp", "smtps", "smtp+starttls")),
        mail_from=mail_from,
        sms_url=sms_url,
        sms_from=sms_from,
        secret_key_file=Path(os.environ.get("SECRET_KEY_FILE") or data_dir / "secret.key"),
        master_key_file=Path(os.environ.get("MASTER_KEY_FILE") or data_dir / "master.keys"),
        # A 50 MB PDF (the template limit) is about 67 MB once base64-encoded in JSON.
        max_body_bytes=_int("MAX_BODY_BYTES", 72 * 1024 * 1024, minimum=1024),
        rate_limit_per_minute=_int("RATE_LIMIT_PER_MINUTE", 600, minimum=1),
        allow_private_webhook_targets=_bool("ALLOW_PRIVATE_WEBHOOK_TARGETS", False),
        timestamp_authority_url=_url(
            "TIMESTAMP_AUTHORITY_URL", os.environ.get("TIMESTAMP_AUTHORITY_URL"), ("http", "https")
        ),
        run_jobs=_bool("RUN_JOBS", True),
    )


@functools.cache
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()
    from workspace.core import db

    db.reset_engine()


def ensure_data_dir(settings: Settings | None = None) -> None:
    """Create the data folder and a 0600 secret key on first start."""
    settings = settings or get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.files_dir.mkdir(parents=True, exist_ok=True)
    key_file = settings.secret_key_file
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))


@functools.cache
def secret_key() -> bytes:
    """The install's secret, used for HMAC of signed URLs and tokens."""
    settings = get_settings()
    ensure_data_dir(settings)
    return bytes.fromhex(settings.secret_key_file.read_text().strip())
