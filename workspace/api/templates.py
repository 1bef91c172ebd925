"""/api/v1/templates and /api/v1/packages, plus the signed file links of template documents
(`/files/documents/{id}.pdf` and page images) that `documentUrl` and the editor use."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response

from workspace.api.auth import api_actor
from workspace.api.errors import error_response
from workspace.api.responses import Page, created, ok
from workspace.api.routing import ApiRouter, threaded
from workspace.core import storage
from workspace.core.actor import Actor
from workspace.core.db import read_scope, session_scope
from workspace.core.errors import Forbidden, NotFound
from workspace.core.pdf.document import page_image_path
from workspace.core.schemas.templates import (
    PackageCreate,
    PackageUpdate,
    PageReorder,
    TemplateCreate,
    TemplateFieldsUpdate,
    TemplateUpdate,
)
from workspace.core.services import templates as service
from workspace.core.signed_urls import verify_path

router = ApiRouter()
public_router = APIRouter()

INCLUDE_ARCHIVED = Query(False, description="Include archived items in the response")


@router.get("/templates", tags=["Templates"], summary="List templates")
def list_templates(
    include_archived: bool = INCLUDE_ARCHIVED,
    search: str = Query("", description="Matches the name or description"),
    page: tuple[int, int] = Depends(Page(default=50, maximum=100)),
    actor: Actor = Depends(api_actor),
):
    limit, offset = page
    with read_scope() as session:
        rows = service.list_templates(
            session,
            actor=actor,
            include_archived=include_archived,
            search=search,
            limit=limit,
            offset=offset,
        )
        return ok([service.template_summary(session, t) for t in rows])


@router.post(
    "/templates",
    tags=["Templates"],
    summary="Create a template from a base64-encoded PDF",
    status_code=201,
)
async def create_template(body: TemplateCreate, actor: Actor = Depends(api_actor)):
    pdf_data = service.decode_document(body.document.data)

    def run():
        with session_scope() as session:
            template = service.create_template(
                session,
                actor=actor,
                name=body.name,
                description=body.description,
                pdf_data=pdf_data,
                filename=body.document.filename,
                fields=body.fields,
            )
            return service.template_summary(session, template)

    # Validating and reading a large PDF takes a while: keep the event loop free.
    return created(await asyncio.to_thread(run))


@router.get("/templates/{template_id}", tags=["Templates"], summary="Get a template")
def get_template(template_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        template = service.get_template(session, actor=actor, template_id=template_id)
        return ok(service.template_detail(session, template))


@router.patch("/templates/{template_id}", tags=["Templates"], summary="Update template metadata")
@router.put("/templates/{template_id}", tags=["Templates"], summary="Update template metadata")
def update_template(template_id: str, body: TemplateUpdate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        template = service.update_template(
            session,
            actor=actor,
            template_id=template_id,
            name=body.name,
            description=body.description,
            is_archived=body.is_archived,
        )
        return ok(
            {
                "id": template.id,
                "name": template.name,
                "description": template.description,
                "isArchived": template.is_archived,
                "updatedAt": template.updated_at,
            }
        )


@router.delete("/templates/{template_id}", tags=["Templates"], summary="Archive a template")
def archive_template(template_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        template = service.archive_template(session, actor=actor, template_id=template_id)
        return ok({"id": template.id, "archived": template.is_archived})


@router.get(
    "/templates/{template_id}/fields", tags=["Templates"], summary="Get a template's fields"
)
def get_fields(template_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        template = service.get_template(session, actor=actor, template_id=template_id)
        return ok(service.template_fields_payload(session, template))


@router.put(
    "/templates/{template_id}/fields",
    tags=["Templates"],
    summary="Replace all fields of a template (types, positions, conditional logic)",
)
def set_fields(template_id: str, body: TemplateFieldsUpdate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        template = service.set_fields(
            session, actor=actor, template_id=template_id, fields=body.fields
        )
        return ok(
            {
                "id": template.id,
                "fieldCount": len(template.fields),
                "roles": template.roles,
                "updatedAt": template.updated_at,
            }
        )


@router.post(
    "/templates/{template_id}/reorder-pages",
    tags=["Templates"],
    summary="Reorder the pages of a template's PDF; fields follow their pages",
)
@threaded
def reorder_pages(template_id: str, body: PageReorder, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        template = service.reorder_pages(
            session, actor=actor, template_id=template_id, page_order=body.page_order
        )
        return ok(service.template_detail(session, template))


@router.get("/packages", tags=["Packages"], summary="List packages")
def list_packages(
    include_archived: bool = INCLUDE_ARCHIVED,
    page: tuple[int, int] = Depends(Page(default=50, maximum=100)),
    actor: Actor = Depends(api_actor),
):
    limit, offset = page
    with read_scope() as session:
        rows = service.list_packages(
            session, actor=actor, include_archived=include_archived, limit=limit, offset=offset
        )
        return ok([service.package_public(session, p) for p in rows])


@router.post("/packages", tags=["Packages"], summary="Create a package", status_code=201)
def create_package(body: PackageCreate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        package = service.create_package(
            session,
            actor=actor,
            name=body.name,
            description=body.description,
            template_ids=body.template_ids,
            role_mappings=body.role_mappings,
        )
        return created(service.package_public(session, package))


@router.get("/packages/{package_id}", tags=["Packages"], summary="Get a package")
def get_package(package_id: str, actor: Actor = Depends(api_actor)):
    with read_scope() as session:
        package = service.get_package(session, actor=actor, package_id=package_id)
        return ok(service.package_public(session, package))


_UPDATE_PACKAGE = "Update package metadata, template order or role mappings"


@router.patch("/packages/{package_id}", tags=["Packages"], summary=_UPDATE_PACKAGE)
@router.put("/packages/{package_id}", tags=["Packages"], summary=_UPDATE_PACKAGE)
def update_package(package_id: str, body: PackageUpdate, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        package = service.update_package(
            session,
            actor=actor,
            package_id=package_id,
            name=body.name,
            description=body.description,
            template_ids=body.template_ids,
            role_mappings=body.role_mappings,
        )
        return ok(service.package_public(session, package))


@router.delete("/packages/{package_id}", tags=["Packages"], summary="Archive a package")
def archive_package(package_id: str, actor: Actor = Depends(api_actor)):
    with session_scope() as session:
        package = service.archive_package(session, actor=actor, package_id=package_id)
        return ok({"id": package.id, "archived": package.status == "archived"})


@public_router.get("/files/documents/{document_id}.pdf", include_in_schema=False)
def download_document(document_id: str, expires: int | None = None, sig: str | None = None):
    try:
        verify_path(f"/files/documents/{document_id}.pdf", expires=expires, sig=sig)
        with read_scope() as session:
            document = service.linked_document(session, document_id=document_id)
            filename, sha256 = document.filename, document.sha256
        path = storage.path_for(sha256)
        if not path.exists():
            raise NotFound("File not found.")
    except (Forbidden, NotFound) as exc:
        return error_response(403 if isinstance(exc, Forbidden) else 404, exc.code, exc.message)
    return FileResponse(
        path,
        media_type="application/pdf",
        filename=filename,
        content_disposition_type="inline",
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


@public_router.get(
    "/files/documents/{document_id}/pages/{page}-{width}.png", include_in_schema=False
)
def page_image(
    document_id: str, page: int, width: int, expires: int | None = None, sig: str | None = None
) -> Response:
    try:
        verify_path(
            f"/files/documents/{document_id}/pages/{page}-{width}.png", expires=expires, sig=sig
        )
        with read_scope() as session:
            sha256 = service.linked_document(session, document_id=document_id).sha256
        path = page_image_path(sha256, page, width)
    except (Forbidden, NotFound) as exc:
        return error_response(403 if isinstance(exc, Forbidden) else 404, exc.code, exc.message)
    return FileResponse(
        path,
        media_type="image/png",
        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )
