"""Who is acting: passed to every service function as `actor=`."""

from __future__ import annotations

from dataclasses import dataclass, replace

from workspace.core.errors import Forbidden

ROLE_RANK = {"member": 1, "finance": 1, "hr": 1, "admin": 2, "owner": 3}


@dataclass(frozen=True)
class Actor:
    org_id: str
    type: str  # user | api | signer | portal | system
    user_id: str | None = None
    email: str | None = None
    name: str | None = None  # a signed-in user's name, as they gave it
    role: str | None = None
    api_key_id: str | None = None
    test_mode: bool = False
    ip: str | None = None
    user_agent: str | None = None

    @classmethod
    def system(cls, org_id: str) -> Actor:
        return cls(org_id=org_id, type="system", role="owner")

    def with_request(self, *, ip: str | None, user_agent: str | None) -> Actor:
        return replace(self, ip=ip, user_agent=user_agent)

    def require_admin(self) -> None:
        """Owners and admins (and API keys, which act for the organization)."""
        if self.type in ("api", "system"):
            return
        if ROLE_RANK.get(self.role or "", 0) < ROLE_RANK["admin"]:
            raise Forbidden("Only an owner or admin can do this.")

    def has_any_role(self, *roles: str) -> bool:
        return self.role in roles or self.role in ("owner", "admin")
