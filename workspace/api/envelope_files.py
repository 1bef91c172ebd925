"""Signed download links of completed envelopes (valid one hour from the API, seven days in
completion emails): no API key, the HMAC signature in the URL is the permission."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from workspace.api.auth import client_ip
from workspace.api.errors import error_response
from workspace.core.db import session_scope
from workspace.core.errors import Forbidden, NotFound
from workspace.core.services.envelopes import open_download
from workspace.core.signed_urls import verify_path

router = APIRouter()


@router.get("/files/envelopes/{envelope_id}/{kind}.pdf", include_in_schema=False)
def envelope_file(
    envelope_id: str,
    kind: str,
    request: Request,
    expires: int | None = Query(None),
    sig: str | None = Query(None),
) -> Response:
    try:
        verify_path(request.url.path, expires=expires, sig=sig)
        with session_scope() as session:
            data, filename = open_download(
                session,
                envelope_id=envelope_id,
                kind=kind,
                ip=client_ip(request),
                user_agent=request.headers.get("user-agent"),
            )
    except Forbidden as exc:
        return error_response(403, exc.code, exc.message)
    except NotFound as exc:
        return error_response(404, exc.code, exc.message)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
