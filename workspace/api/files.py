"""Public file routes outside `/api/v1`: organization logos (shown in the app and in emails)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from workspace.api.errors import error_response
from workspace.core.db import read_scope
from workspace.core.errors import NotFound
from workspace.core.services.branding import organization_logo

router = APIRouter()


@router.get("/files/logo/{org_id}", include_in_schema=False)
def logo(org_id: str) -> Response:
    try:
        with read_scope() as session:
            data, media_type, sha256 = organization_logo(session, org_id=org_id)
    except NotFound as exc:
        return error_response(404, exc.code, exc.message)
    return Response(
        data,
        media_type=media_type,
        headers={
            "ETag": f'"{sha256}"',
            "Cache-Control": "public, max-age=300",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )
