"""Signed-in downloads of business-app documents (`/files/records/:documentId`), for the UI.
The browser session cookie authenticates; the document's access level is checked."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from workspace.api.auth import client_ip
from workspace.api.errors import error_response
from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.services import accounts, records

router = APIRouter()
SESSION_COOKIE = "ws_session"
INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp", "text/plain")


@router.get("/files/records/{document_id}", include_in_schema=False)
def record_document(document_id: str, request: Request, inline: bool = False) -> Response:
    try:
        with session_scope() as session:
            actor = accounts.resolve_session(session, token=request.cookies.get(SESSION_COOKIE, ""))
            if actor is None:
                return error_response(401, "unauthorized", "Log in to open this document.")
            actor = actor.with_request(
                ip=client_ip(request), user_agent=request.headers.get("user-agent")
            )
            doc, data = records.document_file(session, actor=actor, document_id=document_id)
            file_name, content_type = doc.file_name, doc.content_type
    except DomainError as exc:
        status = 403 if exc.code == "forbidden" else 404
        return error_response(status, exc.code, exc.message)
    disposition = "inline" if inline and content_type in INLINE_TYPES else "attachment"
    safe_name = file_name.replace('"', "").replace("\r", "").replace("\n", "")
    return Response(
        data,
        media_type=content_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{safe_name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
