import stat

import pytest

from workspace.core.config import ensure_data_dir, load_settings
from workspace.core.errors import ConfigError


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "abc", "PORT must be a whole number"),
        ("PORT", "70000", "PORT must be at most 65535"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must be a URL"),
        ("PUBLIC_BASE_URL", "ftp://example.com", "PUBLIC_BASE_URL must be a URL"),
        ("SMTP_URL", "http://mail", "SMTP_URL must be a URL"),
        ("MAIL_FROM", "nobody", "MAIL_FROM must contain an email address"),
        ("ALLOW_PRIVATE_WEBHOOK_TARGETS", "maybe", "must be true or false"),
    ],
)
def test_invalid_values_refuse_to_start(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings()


def test_defaults(monkeypatch, tmp_path):
    for name in ("PORT", "PUBLIC_BASE_URL", "SMTP_URL", "REDIS_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    settings = load_settings()
    assert settings.port == 3000
    assert settings.public_base_url == "http://localhost:3000"
    assert settings.database_url == f"sqlite:///{tmp_path / 'workspace.db'}"
    assert settings.smtp_url is None
    assert settings.max_body_bytes == 72 * 1024 * 1024


def test_postgres_url_uses_psycopg(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1:5432/db")
    assert load_settings().database_url == "postgresql+psycopg://u@127.0.0.1:5432/db"


def test_first_start_creates_private_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    settings = load_settings()
    ensure_data_dir(settings)
    key = settings.secret_key_file
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = key.read_text()
    assert len(bytes.fromhex(first)) == 32
    ensure_data_dir(settings)
    assert key.read_text() == first  # kept on the next start
