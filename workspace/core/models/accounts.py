"""Organizations, people, sessions and API keys."""

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from workspace.core.models.base import id_field, ms_field, org_field

ROLES = ("owner", "admin", "member", "finance", "hr")


class Organization(SQLModel, table=True):
    id: str = id_field("org")
    name: str = Field(max_length=200)
    logo_sha256: str | None = Field(default=None, max_length=64)
    brand_color: str = Field(default="#4f46e5", max_length=16)
    # New invoices and subscriptions start in it (ISO 4217).
    default_currency: str = Field(
        default="NGN", max_length=3, sa_column_kwargs={"server_default": "NGN"}
    )
    created_at: int = ms_field()


class User(SQLModel, table=True):
    id: str = id_field("user")
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=400)
    created_at: int = ms_field()


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)
    id: str = id_field("member")
    org_id: str = org_field()
    user_id: str = Field(foreign_key="user.id", index=True, max_length=40, ondelete="CASCADE")
    role: str = Field(max_length=20)
    created_at: int = ms_field()


class Invitation(SQLModel, table=True):
    id: str = id_field("invite")
    org_id: str = org_field()
    email: str = Field(max_length=320)
    role: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: str = Field(max_length=40)
    created_at: int = ms_field()
    expires_at: int = ms_field()
    accepted_at: int | None = ms_field(nullable=True)


class LoginSession(SQLModel, table=True):
    """A browser session; the cookie holds the token, the row holds its hash."""

    id: str = id_field("ses")
    token_hash: str = Field(max_length=64, unique=True)
    user_id: str = Field(foreign_key="user.id", index=True, max_length=40, ondelete="CASCADE")
    org_id: str = org_field()
    created_at: int = ms_field()
    expires_at: int = ms_field()


class PasswordReset(SQLModel, table=True):
    id: str = id_field("reset")
    user_id: str = Field(foreign_key="user.id", index=True, max_length=40, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: int = ms_field()
    expires_at: int = ms_field()
    used_at: int | None = ms_field(nullable=True)


class LoginAttempt(SQLModel, table=True):
    id: str = id_field("attempt")
    email: str = Field(max_length=320, index=True)
    ip: str = Field(default="", max_length=64)
    succeeded: bool = False
    created_at: int = ms_field(index=True)


class ApiKey(SQLModel, table=True):
    id: str = id_field("key")
    org_id: str = org_field()
    name: str = Field(max_length=200)
    mode: str = Field(max_length=8)  # live | test
    prefix: str = Field(max_length=16)
    last4: str = Field(max_length=4)
    key_hash: str = Field(max_length=64, unique=True)
    created_by: str | None = Field(default=None, max_length=40)
    created_at: int = ms_field()
    last_used_at: int | None = ms_field(nullable=True)
    revoked_at: int | None = ms_field(nullable=True)
