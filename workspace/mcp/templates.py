"""MCP tools for templates and packages: the same services and payloads as /api/v1."""

from typing import Any

from workspace.core.schemas.templates import (
    PackageCreate,
    PackageUpdate,
    TemplateCreate,
    TemplateFieldsUpdate,
    TemplateUpdate,
)
from workspace.core.services import templates as service
from workspace.mcp.server import mcp, run_tool


@mcp.tool(name="list-templates", description="List templates; archived ones on request.")
def list_templates(include_archived: bool = False, search: str = "", limit: int = 50) -> str:
    def work(session, actor):
        rows = service.list_templates(
            session,
            actor=actor,
            include_archived=include_archived,
            search=search,
            limit=min(max(limit, 1), 100),
        )
        return [service.template_summary(session, t) for t in rows]

    return run_tool(work)


@mcp.tool(
    name="get-template",
    description="A template with fields (PDF points), roles, placeholder keys and documentUrl.",
)
def get_template(template_id: str) -> str:
    return run_tool(
        lambda session, actor: service.template_detail(
            session, service.get_template(session, actor=actor, template_id=template_id)
        )
    )


@mcp.tool(name="get-template-fields", description="A template's fields, roles and placeholders.")
def get_template_fields(template_id: str) -> str:
    return run_tool(
        lambda session, actor: service.template_fields_payload(
            session, service.get_template(session, actor=actor, template_id=template_id)
        )
    )


@mcp.tool(
    name="create-template",
    description="Create a template. `template` takes the body of POST /api/v1/templates: name, "
    "description, document {data: base64 PDF, filename}, optional fields.",
)
def create_template(template: dict[str, Any]) -> str:
    def work(session, actor):
        body = TemplateCreate.model_validate(template)
        created = service.create_template(
            session,
            actor=actor,
            name=body.name,
            description=body.description,
            pdf_data=service.decode_document(body.document.data),
            filename=body.document.filename,
            fields=body.fields,
        )
        return service.template_summary(session, created)

    return run_tool(work)


@mcp.tool(name="update-template", description="Change a template's name or description.")
def update_template(template_id: str, changes: dict[str, Any]) -> str:
    def work(session, actor):
        body = TemplateUpdate.model_validate(changes)
        template = service.update_template(
            session,
            actor=actor,
            template_id=template_id,
            name=body.name,
            description=body.description,
            is_archived=body.is_archived,
        )
        return service.template_summary(session, template)

    return run_tool(work)


@mcp.tool(name="archive-template", description="Archive a template.")
def archive_template(template_id: str) -> str:
    def work(session, actor):
        template = service.archive_template(session, actor=actor, template_id=template_id)
        return {"id": template.id, "archived": template.is_archived}

    return run_tool(work)


@mcp.tool(
    name="update-template-fields",
    description="Replace all fields of a template: `fields` as in PUT "
    "/api/v1/templates/:id/fields (type, role, page, x, y, width, height in PDF points, "
    "options, conditions, conditionAction, conditionLogic).",
)
def update_template_fields(template_id: str, fields: list[dict[str, Any]]) -> str:
    def work(session, actor):
        body = TemplateFieldsUpdate.model_validate({"fields": fields})
        template = service.set_fields(
            session, actor=actor, template_id=template_id, fields=body.fields
        )
        return {"id": template.id, "fieldCount": len(template.fields), "roles": template.roles}

    return run_tool(work)


@mcp.tool(name="list-packages", description="List template packages.")
def list_packages(include_archived: bool = False) -> str:
    def work(session, actor):
        rows = service.list_packages(session, actor=actor, include_archived=include_archived)
        return [service.package_public(session, p) for p in rows]

    return run_tool(work)


@mcp.tool(name="get-package", description="A package with its templates, roles and stats.")
def get_package(package_id: str) -> str:
    return run_tool(
        lambda session, actor: service.package_public(
            session, service.get_package(session, actor=actor, package_id=package_id)
        )
    )


@mcp.tool(
    name="create-package",
    description="Create a package: `package` takes the body of POST /api/v1/packages (name, "
    "description, templateIds, optional roleMappings).",
)
def create_package(package: dict[str, Any]) -> str:
    def work(session, actor):
        body = PackageCreate.model_validate(package)
        created = service.create_package(
            session,
            actor=actor,
            name=body.name,
            description=body.description,
            template_ids=body.template_ids,
            role_mappings=body.role_mappings,
        )
        return service.package_public(session, created)

    return run_tool(work)


@mcp.tool(
    name="update-package",
    description="Change a package's name, description, templateIds (order) or roleMappings.",
)
def update_package(package_id: str, changes: dict[str, Any]) -> str:
    def work(session, actor):
        body = PackageUpdate.model_validate(changes)
        package = service.update_package(
            session,
            actor=actor,
            package_id=package_id,
            name=body.name,
            description=body.description,
            template_ids=body.template_ids,
            role_mappings=body.role_mappings,
        )
        return service.package_public(session, package)

    return run_tool(work)


@mcp.tool(name="archive-package", description="Archive a package.")
def archive_package(package_id: str) -> str:
    def work(session, actor):
        package = service.archive_package(session, actor=actor, package_id=package_id)
        return {"id": package.id, "archived": package.status == "archived"}

    return run_tool(work)
