"""Templates (a PDF plus fields for signer roles) and packages (templates in order).

Every function takes `(session, *, actor, ...)`, scopes by `actor.org_id` (another
organization's id is NotFound), and writes its audit row in the caller's transaction.
Presentation helpers (`template_summary`, `template_detail`, `package_public`) build the API
payloads, so the API, the UI and MCP show the same thing.

For envelopes: `get_template` + `template_pages(session, template)` give the page frames,
`template.fields` the stored fields (geometry as page fractions, see `core.pdf.geometry`),
`core.conditions.evaluate` decides visibility/requiredness, and `get_package` +
`package_templates` give a package's templates in order with its `role_mappings`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from workspace.core import storage
from workspace.core.actor import Actor
from workspace.core.clock import now_ms
from workspace.core.db import text_search
from workspace.core.errors import NotFound, ValidationFailed
from workspace.core.models import Package, PdfDocument, Template
from workspace.core.pdf.document import (
    PdfInfo,
    frame_from_json,
    frame_to_json,
    reorder_pdf_pages,
    store_pdf,
)
from workspace.core.pdf.geometry import PageFrame
from workspace.core.schemas.templates import RoleMapping, TemplateField
from workspace.core.services.audit import record_audit
from workspace.core.signed_urls import sign_path
from workspace.core.template_fields import fields_to_api, roles_of, validate_fields
from workspace.core.validation import clean_text

ROLE_COLORS = ("#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6")
MAX_LIST = 100


def _changed(
    session: Session,
    *,
    actor: Actor,
    row: Template | Package,
    action: str,
    description: str,
    data: dict[str, Any] | None = None,
) -> None:
    """Stamp `updated_at` and append the audit row for a change to a template or package."""
    row.updated_at = now_ms()
    session.add(row)
    record_audit(
        session,
        actor=actor,
        subject_type="template" if isinstance(row, Template) else "package",
        subject_id=row.id,
        action=action,
        description=description,
        data=data,
    )


# --- documents ---------------------------------------------------------------------------


def decode_document(data: str) -> bytes:
    """Base64 (optionally a `data:application/pdf;base64,` URL) -> bytes, or ValidationFailed
    naming `document.data`."""
    text = (data or "").strip()
    if text.startswith("data:"):
        text = text.partition(",")[2]
    if not text:
        raise ValidationFailed(
            "document.data is required (the PDF, base64-encoded).", field="document.data"
        )
    try:
        return base64.b64decode(re.sub(r"\s+", "", text), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            "document.data is not valid base64.", field="document.data"
        ) from None


def clean_filename(filename: str | None) -> str:
    name = re.sub(r"[\x00-\x1f/\\]+", "_", (filename or "").strip())[-200:]
    if not name:
        name = "document.pdf"
    return name if name.lower().endswith(".pdf") else f"{name}.pdf"


def save_document(
    session: Session, *, actor: Actor, data: bytes, filename: str
) -> tuple[PdfDocument, PdfInfo]:
    """Validate a PDF (`core.pdf.document.inspect_pdf`: ≤ 50 MB, ≤ 500 pages, readable, not
    encrypted), keep its bytes by SHA-256 and record it for the organization. Returns the row
    and what was learned (including AcroForm fields in API units)."""
    info = store_pdf(data)
    document = PdfDocument(
        org_id=actor.org_id,
        sha256=info.sha256,
        filename=clean_filename(filename),
        byte_size=info.byte_size,
        page_count=info.page_count,
        pages=[frame_to_json(frame) for frame in info.pages],
        placeholder_keys=info.placeholder_keys,
    )
    session.add(document)
    session.flush()
    return document, info


def saved_document(session: Session, *, actor: Actor, data: bytes, filename: str) -> PdfDocument:
    """The organization's recorded document with exactly these bytes and this file name (one
    already checked, e.g. uploaded for placing fields before sending), else `save_document`."""
    existing = session.exec(
        select(PdfDocument)
        .where(
            PdfDocument.org_id == actor.org_id,
            PdfDocument.sha256 == hashlib.sha256(data).hexdigest(),
            PdfDocument.filename == clean_filename(filename),
        )
        .order_by(col(PdfDocument.created_at))
    ).first()
    return existing or save_document(session, actor=actor, data=data, filename=filename)[0]


def get_document(session: Session, *, actor: Actor, document_id: str) -> PdfDocument:
    document = session.get(PdfDocument, document_id)
    if document is None or document.org_id != actor.org_id:
        raise NotFound("Document not found.")
    return document


def linked_document(session: Session, *, document_id: str) -> PdfDocument:
    """The document behind a signed link (`document_url`, `page_image_url`): the caller has
    already verified the signature, which is the authorization."""
    document = session.get(PdfDocument, document_id)
    if document is None:
        raise NotFound("Document not found.")
    return document


def document_frames(document: PdfDocument) -> list[PageFrame]:
    """Page frames (visible size in points, crop box, rotation), index 0 = page 1."""
    return [frame_from_json(page) for page in document.pages]


def document_url(document: PdfDocument, *, ttl_seconds: int = 15 * 60) -> str:
    """Absolute, short-lived signed link to download the original PDF."""
    return sign_path(f"/files/documents/{document.id}.pdf", ttl_seconds=ttl_seconds, absolute=True)


def page_image_url(
    document: PdfDocument, page: int, *, width: int = 1200, ttl_seconds: int = 2 * 3600
) -> str:
    """Relative, signed link to a PNG of one page (1-based) about `width` pixels wide
    (rendered on demand by `core.pdf.document.page_image_path`, then cached)."""
    return sign_path(
        f"/files/documents/{document.id}/pages/{page}-{width}.png", ttl_seconds=ttl_seconds
    )


# --- templates ---------------------------------------------------------------------------


def _template_query(actor: Actor):
    return select(Template).where(Template.org_id == actor.org_id)


def get_template(session: Session, *, actor: Actor, template_id: str) -> Template:
    """The organization's template (archived ones too), or NotFound."""
    template = session.get(Template, template_id)
    if template is None or template.org_id != actor.org_id:
        raise NotFound("Template not found.", details={"field": "templateId"})
    return template


def template_document(session: Session, template: Template) -> PdfDocument:
    document = session.get(PdfDocument, template.document_id)
    if document is None:
        raise NotFound("The template's document is missing.")
    return document


def template_pages(session: Session, template: Template) -> list[PageFrame]:
    return document_frames(template_document(session, template))


def list_templates(
    session: Session,
    *,
    actor: Actor,
    include_archived: bool = False,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Template]:
    """Newest first; live or test objects according to the actor's key mode; `search`
    matches the name or description (case-insensitive)."""
    query = _template_query(actor).where(Template.test_mode == actor.test_mode)
    if not include_archived:
        query = query.where(col(Template.is_archived).is_(False))
    match = text_search(search or "", Template.name, Template.description)
    if match is not None:
        query = query.where(match)
    query = query.order_by(col(Template.created_at).desc(), col(Template.id))
    return list(session.exec(query.offset(offset).limit(min(limit, MAX_LIST))))


def create_template(
    session: Session,
    *,
    actor: Actor,
    name: str,
    description: str = "",
    pdf_data: bytes,
    filename: str,
    fields: Sequence[TemplateField] | None = None,
) -> Template:
    """Validate and store the PDF, then create the template.

    `fields` are in API units (points); when None, the PDF's own form fields are imported
    (role "signer"), so an uploaded fillable PDF starts with its fields placed."""
    name = clean_text(name, field="name")
    description = clean_text(description, field="description", max_length=2000, required=False)
    document, info = save_document(session, actor=actor, data=pdf_data, filename=filename)
    if fields is None:
        fields = [TemplateField.model_validate(f) for f in info.form_fields]
    stored = validate_fields(fields, info.pages)
    template = Template(
        org_id=actor.org_id,
        name=name,
        description=description,
        document_id=document.id,
        fields=stored,
        roles=roles_of(stored),
        test_mode=actor.test_mode,
        created_by=actor.user_id,
    )
    session.add(template)
    session.flush()
    record_audit(
        session,
        actor=actor,
        subject_type="template",
        subject_id=template.id,
        action="template_created",
        description=f"Template “{name}” created from {document.filename} "
        f"({document.page_count} pages, {len(stored)} fields)",
        data={"documentSha256": document.sha256, "fieldCount": len(stored)},
    )
    return template


def update_template(
    session: Session,
    *,
    actor: Actor,
    template_id: str,
    name: str | None = None,
    description: str | None = None,
    is_archived: bool | None = None,
) -> Template:
    """Change name/description; `is_archived=False` restores an archived template."""
    template = get_template(session, actor=actor, template_id=template_id)
    changes: dict[str, Any] = {}
    if name is not None:
        template.name = changes["name"] = clean_text(name, field="name")
    if description is not None:
        template.description = changes["description"] = clean_text(
            description, field="description", max_length=2000, required=False
        )
    if is_archived is not None and is_archived != template.is_archived:
        template.is_archived = changes["isArchived"] = is_archived
    if changes:
        _changed(
            session,
            actor=actor,
            row=template,
            action="template_updated",
            description="Template details updated",
            data=changes,
        )
    return template


def archive_template(session: Session, *, actor: Actor, template_id: str) -> Template:
    """Hide the template from default lists (idempotent). Envelopes already sent keep working."""
    template = get_template(session, actor=actor, template_id=template_id)
    if not template.is_archived:
        template.is_archived = True
        _changed(
            session,
            actor=actor,
            row=template,
            action="template_archived",
            description=f"Template “{template.name}” archived",
        )
    return template


def set_fields(
    session: Session,
    *,
    actor: Actor,
    template_id: str,
    fields: Sequence[TemplateField],
    audit: bool = True,
) -> Template:
    """Replace all fields (API units) after `validate_fields`; roles follow the fields.

    `audit=False` is for the editor's autosave of a drag or resize (geometry only), which
    would otherwise add one audit row per mouse movement."""
    template = get_template(session, actor=actor, template_id=template_id)
    stored = validate_fields(fields, template_pages(session, template))
    template.fields = stored
    template.roles = roles_of(stored)
    template.updated_at = now_ms()
    session.add(template)
    if audit:
        record_audit(
            session,
            actor=actor,
            subject_type="template",
            subject_id=template.id,
            action="template_fields_updated",
            description=f"Fields saved ({len(stored)} fields)",
            data={"fieldCount": len(stored), "roles": template.roles},
        )
    return template


def reorder_pages(
    session: Session, *, actor: Actor, template_id: str, page_order: Sequence[int]
) -> Template:
    """Rewrite the template's PDF with its pages in `page_order` (each page number once);
    fields move with their pages. The previous document stays stored for envelopes that
    already use it."""
    template = get_template(session, actor=actor, template_id=template_id)
    document = template_document(session, template)
    order = list(page_order)
    if sorted(order) != list(range(1, document.page_count + 1)):
        raise ValidationFailed(
            f"pageOrder must list every page from 1 to {document.page_count} exactly once.",
            field="pageOrder",
        )
    if order == sorted(order):
        return template
    data = reorder_pdf_pages(storage.get_bytes(document.sha256), order)
    new_document, _ = save_document(session, actor=actor, data=data, filename=document.filename)
    new_page = {old: new for new, old in enumerate(order, start=1)}
    template.fields = [{**f, "page": new_page[f["page"]]} for f in template.fields]
    template.document_id = new_document.id
    _changed(
        session,
        actor=actor,
        row=template,
        action="template_pages_reordered",
        description="Pages reordered: " + ", ".join(str(p) for p in order),
        data={"pageOrder": order, "documentSha256": new_document.sha256},
    )
    return template


def template_summary(session: Session, template: Template) -> dict[str, Any]:
    """The list/create payload: id, name, description, documentName, pageCount, fieldCount,
    roles, placeholderKeys, isArchived, createdAt, updatedAt."""
    document = template_document(session, template)
    return {
        "id": template.id,
        "name": template.name,
        "description": template.description,
        "documentName": document.filename,
        "pageCount": document.page_count,
        "fieldCount": len(template.fields),
        "roles": template.roles,
        "placeholderKeys": document.placeholder_keys,
        "isArchived": template.is_archived,
        "testMode": template.test_mode,
        "createdAt": template.created_at,
        "updatedAt": template.updated_at,
    }


def template_fields_payload(session: Session, template: Template) -> dict[str, Any]:
    """GET /templates/:id/fields: templateId, fields (points), roles, placeholderKeys."""
    document = template_document(session, template)
    return {
        "templateId": template.id,
        "fields": fields_to_api(template.fields, document_frames(document)),
        "roles": template.roles,
        "placeholderKeys": document.placeholder_keys,
    }


def template_detail(session: Session, template: Template) -> dict[str, Any]:
    """GET /templates/:id: the summary plus fields (points), pages (sizes in points) and a
    short-lived signed `documentUrl`."""
    document = template_document(session, template)
    frames = document_frames(document)
    return {
        **template_summary(session, template),
        "fields": fields_to_api(template.fields, frames),
        "pages": [
            {"page": n, "width": round(f.width, 2), "height": round(f.height, 2)}
            for n, f in enumerate(frames, start=1)
        ],
        "documentUrl": document_url(document),
    }


# --- packages ----------------------------------------------------------------------------


def get_package(session: Session, *, actor: Actor, package_id: str) -> Package:
    package = session.get(Package, package_id)
    if package is None or package.org_id != actor.org_id:
        raise NotFound("Package not found.", details={"field": "packageId"})
    return package


def package_templates(session: Session, package: Package) -> list[Template]:
    """The package's templates in package order (archived templates included)."""
    rows = session.exec(
        select(Template).where(
            Template.org_id == package.org_id, col(Template.id).in_(package.template_ids)
        )
    ).all()
    by_id = {t.id: t for t in rows}
    return [by_id[t] for t in package.template_ids if t in by_id]


def package_signing_roles(session: Session, package: Package) -> list[dict[str, Any]]:
    """The package's role mappings that have fields in its templates as they are now, in
    mapping order: each needs a signer when the package is sent."""
    filled = {
        (t.id, field["role"]) for t in package_templates(session, package) for field in t.fields
    }
    return [
        mapping
        for mapping in package.role_mappings
        if any((ref["templateId"], ref["roleId"]) in filled for ref in mapping["templateRoles"])
    ]


def _load_templates(session: Session, actor: Actor, template_ids: Sequence[str]) -> list[Template]:
    if not template_ids:
        raise ValidationFailed("A package needs at least one template.", field="templateIds")
    if len(template_ids) > 50:
        raise ValidationFailed("A package holds at most 50 templates.", field="templateIds")
    templates = []
    for index, template_id in enumerate(template_ids):
        if template_id in template_ids[:index]:
            raise ValidationFailed(
                "A template appears twice in the package.",
                field=f"templateIds[{index}]",
                value=template_id,
            )
        template = session.get(Template, template_id)
        if template is None or template.org_id != actor.org_id:
            raise ValidationFailed(
                f"Template {template_id!r} not found.",
                field=f"templateIds[{index}]",
                value=template_id,
            )
        if template.is_archived:
            raise ValidationFailed(
                f"Template “{template.name}” is archived.",
                field=f"templateIds[{index}]",
                value=template_id,
            )
        templates.append(template)
    return templates


def _role_name(role: str) -> str:
    return role.replace("_", " ").replace("-", " ").strip().title() or role


def build_role_mappings(
    templates: Sequence[Template], mappings: Sequence[RoleMapping] | None
) -> list[dict[str, Any]]:
    """Check given role mappings against the templates' roles and complete them: every
    template role not mapped yet joins the mapping that already holds a same-named role (or
    is named like it), else a new mapping of same-named roles (case-insensitive), so each
    template role belongs to exactly one package role."""
    roles_by_template = {t.id: set(t.roles) for t in templates}
    result: list[dict[str, Any]] = []
    mapped: set[tuple[str, str]] = set()
    used_ids: set[str] = set()
    for i, mapping in enumerate(mappings or []):
        path = f"roleMappings[{i}]"
        name = clean_text(
            mapping.package_role_name or mapping.package_role_id,
            field=f"{path}.packageRoleName",
            max_length=100,
        )
        role_id = (mapping.package_role_id or "").strip() or f"role_{len(result) + 1}"
        if role_id in used_ids:
            raise ValidationFailed(
                f"packageRoleId {role_id!r} is used twice.", field=f"{path}.packageRoleId"
            )
        used_ids.add(role_id)
        refs = []
        for j, ref in enumerate(mapping.template_roles):
            ref_path = f"{path}.templateRoles[{j}]"
            if ref.template_id not in roles_by_template:
                raise ValidationFailed(
                    f"Template {ref.template_id!r} is not part of the package.",
                    field=f"{ref_path}.templateId",
                    value=ref.template_id,
                )
            if ref.role_id not in roles_by_template[ref.template_id]:
                raise ValidationFailed(
                    f"Template {ref.template_id!r} has no role {ref.role_id!r}.",
                    field=f"{ref_path}.roleId",
                    value=ref.role_id,
                )
            if (ref.template_id, ref.role_id) in mapped:
                raise ValidationFailed(
                    f"Role {ref.role_id!r} of {ref.template_id!r} is mapped twice.",
                    field=f"{ref_path}.roleId",
                    value=ref.role_id,
                )
            mapped.add((ref.template_id, ref.role_id))
            refs.append({"templateId": ref.template_id, "roleId": ref.role_id})
        color = (mapping.color or "").strip()
        if color and not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
            raise ValidationFailed("color must look like #3b82f6.", field=f"{path}.color")
        result.append(
            {
                "packageRoleId": role_id,
                "packageRoleName": name,
                "color": color or ROLE_COLORS[len(result) % len(ROLE_COLORS)],
                "templateRoles": refs,
            }
        )
    automatic: dict[str, dict[str, Any]] = {}
    for mapping in result:
        automatic.setdefault(mapping["packageRoleName"].strip().lower(), mapping)
        for ref in mapping["templateRoles"]:
            automatic.setdefault(ref["roleId"].strip().lower(), mapping)
    for template in templates:
        for role in template.roles:
            if (template.id, role) in mapped:
                continue
            key = role.strip().lower()
            if key not in automatic:
                counter = len(result) + 1
                while f"role_{counter}" in used_ids:
                    counter += 1
                used_ids.add(f"role_{counter}")
                automatic[key] = {
                    "packageRoleId": f"role_{counter}",
                    "packageRoleName": _role_name(role),
                    "color": ROLE_COLORS[len(result) % len(ROLE_COLORS)],
                    "templateRoles": [],
                }
                result.append(automatic[key])
            automatic[key]["templateRoles"].append({"templateId": template.id, "roleId": role})
    return result


def list_packages(
    session: Session,
    *,
    actor: Actor,
    include_archived: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[Package]:
    query = select(Package).where(
        Package.org_id == actor.org_id, Package.test_mode == actor.test_mode
    )
    if not include_archived:
        query = query.where(Package.status == "active")
    query = query.order_by(col(Package.created_at).desc(), col(Package.id))
    return list(session.exec(query.offset(offset).limit(min(limit, MAX_LIST))))


def create_package(
    session: Session,
    *,
    actor: Actor,
    name: str,
    description: str = "",
    template_ids: Sequence[str],
    role_mappings: Sequence[RoleMapping] | None = None,
) -> Package:
    """A package of the organization's (non-archived) templates in the given order, with
    role mappings checked and completed by `build_role_mappings`."""
    name = clean_text(name, field="name")
    description = clean_text(description, field="description", max_length=2000, required=False)
    templates = _load_templates(session, actor, list(template_ids))
    package = Package(
        org_id=actor.org_id,
        name=name,
        description=description,
        template_ids=[t.id for t in templates],
        role_mappings=build_role_mappings(templates, role_mappings),
        test_mode=actor.test_mode,
    )
    session.add(package)
    session.flush()
    record_audit(
        session,
        actor=actor,
        subject_type="package",
        subject_id=package.id,
        action="package_created",
        description=f"Package “{name}” created with {len(templates)} templates",
        data={"templateIds": package.template_ids},
    )
    return package


def update_package(
    session: Session,
    *,
    actor: Actor,
    package_id: str,
    name: str | None = None,
    description: str | None = None,
    template_ids: Sequence[str] | None = None,
    role_mappings: Sequence[RoleMapping] | None = None,
) -> Package:
    """Change metadata, template order/membership or role mappings. New templates without
    new mappings keep the existing mappings for templates that stay and map the rest
    automatically."""
    package = get_package(session, actor=actor, package_id=package_id)
    if package.status == "archived":
        raise ValidationFailed("The package is archived.", field="packageId")
    changes: dict[str, Any] = {}
    if name is not None:
        package.name = changes["name"] = clean_text(name, field="name")
    if description is not None:
        package.description = changes["description"] = clean_text(
            description, field="description", max_length=2000, required=False
        )
    if template_ids is not None or role_mappings is not None:
        ids = list(template_ids) if template_ids is not None else package.template_ids
        templates = _load_templates(session, actor, ids)
        if role_mappings is None:
            roles = {t.id: set(t.roles) for t in templates}
            role_mappings = []
            for mapping in package.role_mappings:
                refs = [
                    r
                    for r in mapping["templateRoles"]
                    if r["roleId"] in roles.get(r["templateId"], ())
                ]
                if refs:
                    role_mappings.append(
                        RoleMapping.model_validate({**mapping, "templateRoles": refs})
                    )
        package.template_ids = changes["templateIds"] = [t.id for t in templates]
        package.role_mappings = build_role_mappings(templates, role_mappings)
    if changes or role_mappings is not None:
        _changed(
            session,
            actor=actor,
            row=package,
            action="package_updated",
            description="Package updated",
            data=changes,
        )
    return package


def archive_package(session: Session, *, actor: Actor, package_id: str) -> Package:
    package = get_package(session, actor=actor, package_id=package_id)
    if package.status != "archived":
        package.status = "archived"
        _changed(
            session,
            actor=actor,
            row=package,
            action="package_archived",
            description=f"Package “{package.name}” archived",
        )
    return package


def package_public(session: Session, package: Package) -> dict[str, Any]:
    """The package payload: templates (templateId, order, name, pageCount, fieldCount, roles),
    roleMappings and stats (documentCount, totalFields, totalPages, roleCount)."""
    templates = package_templates(session, package)
    documents = {
        d.id: d
        for d in session.exec(
            select(PdfDocument).where(col(PdfDocument.id).in_([t.document_id for t in templates]))
        )
    }
    items = [
        {
            "templateId": t.id,
            "order": order,
            "name": t.name,
            "pageCount": documents[t.document_id].page_count,
            "fieldCount": len(t.fields),
            "roles": t.roles,
        }
        for order, t in enumerate(templates)
    ]
    return {
        "id": package.id,
        "name": package.name,
        "description": package.description,
        "status": package.status,
        "templates": items,
        "roleMappings": package.role_mappings,
        "stats": {
            "documentCount": len(items),
            "totalFields": sum(i["fieldCount"] for i in items),
            "totalPages": sum(i["pageCount"] for i in items),
            "roleCount": len(package.role_mappings),
        },
        "testMode": package.test_mode,
        "createdAt": package.created_at,
        "updatedAt": package.updated_at,
    }
