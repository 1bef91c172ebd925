"""GET /api/v1/me: which organization and key mode a key belongs to."""

from fastapi import Depends

from workspace.api.auth import api_identity
from workspace.api.responses import ok
from workspace.api.routing import ApiRouter
from workspace.core.services.api_keys import KeyIdentity

router = ApiRouter(tags=["Account"])


@router.get("/me", summary="The organization and key mode behind the API key")
async def me(identity: KeyIdentity = Depends(api_identity)):
    actor = identity.actor
    return ok(
        {
            "organization": {"id": actor.org_id, "name": identity.organization_name},
            "mode": "test" if actor.test_mode else "live",
            "apiKey": {"id": actor.api_key_id, "name": identity.key_name, "last4": identity.last4},
        }
    )
