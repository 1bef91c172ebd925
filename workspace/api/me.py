"""GET /api/v1/me: which organization and key mode a key belongs to."""

from fastapi import APIRouter, Depends

from workspace.api.auth import api_actor
from workspace.api.responses import ok
from workspace.core.actor import Actor
from workspace.core.db import session_scope
from workspace.core.models import ApiKey
from workspace.core.services.accounts import get_organization

router = APIRouter(tags=["Account"])


@router.get("/me", summary="The organization and key mode behind the API key")
def me(actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        org = get_organization(session, actor=actor)
        key = session.get(ApiKey, actor.api_key_id)
        return ok(
            {
                "organization": {"id": org.id, "name": org.name},
                "mode": "test" if actor.test_mode else "live",
                "apiKey": {"id": key.id, "name": key.name, "last4": key.last4} if key else None,
            }
        )
