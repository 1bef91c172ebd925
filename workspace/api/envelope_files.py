"""Signed download links of completed envelopes (valid one hour from the API, seven days in
completion emails): no API key, the HMAC signature in the URL is the permission. Also the
public files around signing: page images for a signer's link, the handwriting font and the
install's CA certificate that verifies sealed PDFs."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from workspace.api.auth import client_ip
from workspace.api.errors import error_response
from workspace.core.db import session_scope
from workspace.core.errors import Conflict, Forbidden, NotFound
from workspace.core.pdf import ca
from workspace.core.pdf.signature import HANDWRITING_FONT
from workspace.core.services import signing
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
    return _envelope_file(request, envelope_id, kind, None, expires, sig)


@router.get(
    "/files/envelopes/{envelope_id}/signers/{signer_id}/{kind}.pdf", include_in_schema=False
)
def signer_envelope_file(
    envelope_id: str,
    signer_id: str,
    kind: str,
    request: Request,
    expires: int | None = Query(None),
    sig: str | None = Query(None),
) -> Response:
    """A signer's own link (their signing page, their completion email): the download is
    recorded as theirs."""
    return _envelope_file(request, envelope_id, kind, signer_id, expires, sig)


def _envelope_file(
    request: Request,
    envelope_id: str,
    kind: str,
    signer_id: str | None,
    expires: int | None,
    sig: str | None,
) -> Response:
    try:
        verify_path(request.url.path, expires=expires, sig=sig)
        with session_scope() as session:
            data, filename = open_download(
                session,
                envelope_id=envelope_id,
                kind=kind,
                signer_id=signer_id,
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


@router.get("/files/sign/{token}/pages/{document}/{page}.png", include_in_schema=False)
def signing_page_image(
    token: str, document: int, page: int, grant: str | None = Query(None), width: int = 1200
) -> Response:
    """A page of the envelope for the signer's own link (after verification when required)."""
    try:
        with session_scope() as session:
            path = signing.page_image(
                session, token=token, grant=grant, document=document, page=page, width=width
            )
    except NotFound as exc:
        return error_response(404, exc.code, exc.message)
    except (Forbidden, Conflict) as exc:
        return error_response(403, exc.code, exc.message)
    return FileResponse(
        path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"}
    )


@router.get("/files/fonts/handwriting.ttf", include_in_schema=False)
def handwriting_font() -> Response:
    """The font typed signatures are drawn in (the portal previews with the same glyphs)."""
    return FileResponse(
        HANDWRITING_FONT, media_type="font/ttf", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get(ca.CA_CERTIFICATE_PATH, include_in_schema=False)
def ca_certificate_pem() -> Response:
    """The CA certificate that sealed every completed document of this install (PEM)."""
    return _certificate(ca.ca_certificate_pem().encode(), "application/x-pem-file", "pem")


@router.get(ca.CA_CERTIFICATE_DER_PATH, include_in_schema=False)
def ca_certificate_der() -> Response:
    """The same certificate in DER form (double-click to import on Windows and macOS)."""
    return _certificate(ca.ca_certificate_der(), "application/pkix-cert", "cer")


def _certificate(data: bytes, media_type: str, extension: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="workspace-ca.{extension}"',
            "Cache-Control": "public, max-age=3600",
            "X-Content-Type-Options": "nosniff",
        },
    )
