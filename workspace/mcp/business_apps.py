"""MCP tools for the business apps, named as in the contract: the generic record tools
(`list-business-records` …) and, for Business Intake, Hiring Packets and Renewals &
Compliance, twelve tools each. They call the same services as /api/v1 and return the same
shapes."""

from __future__ import annotations

from typing import Any

from workspace.core.apps import get_app
from workspace.core.schemas.records import ComplianceCreate, HiringCreate, IntakeCreate
from workspace.core.services import approvals, portal, records
from workspace.mcp.server import mcp, run_tool

TOOL_NAMES: dict[str, dict[str, str]] = {
    "business-intake": {
        "list": "list-business-intakes",
        "get": "get-business-intake",
        "create": "create-business-intake",
        "status": "update-business-intake-status",
        "attach": "attach-business-intake-document",
        "review": "review-business-intake-document",
        "task": "create-business-intake-task",
        "update_task": "update-business-intake-task",
        "approval": "request-business-intake-approval",
        "team": "assign-business-intake-team-member",
        "portal": "create-business-intake-portal-link",
        "vault": "set-business-intake-vault-field",
    },
    "hiring-packets": {
        "list": "list-hiring-packets",
        "get": "get-hiring-packet",
        "create": "create-hiring-packet",
        "status": "update-hiring-packet-status",
        "attach": "attach-hiring-packet-document",
        "review": "review-hiring-packet-document",
        "task": "create-hiring-packet-task",
        "update_task": "update-hiring-packet-task",
        "approval": "request-hiring-packet-approval",
        "team": "assign-hiring-packet-team-member",
        "portal": "create-hiring-packet-portal-link",
        "vault": "set-hiring-packet-vault-field",
    },
    "renewals-compliance": {
        "list": "list-renewal-compliance-items",
        "get": "get-renewal-compliance-item",
        "create": "create-renewal-compliance-item",
        "status": "update-renewal-compliance-status",
        "attach": "attach-renewal-compliance-document",
        "review": "review-renewal-compliance-document",
        "task": "create-renewal-compliance-task",
        "update_task": "update-renewal-compliance-task",
        "approval": "request-renewal-compliance-approval",
        "team": "assign-renewal-compliance-team-member",
        "portal": "create-renewal-compliance-portal-link",
        "vault": "set-renewal-compliance-vault-field",
    },
}
CREATE = {
    "business-intake": (IntakeCreate, records.create_intake),
    "hiring-packets": (HiringCreate, records.create_hiring_packet),
    "renewals-compliance": (ComplianceCreate, records.create_compliance_item),
}


# ---------------------------------------------------------------- operations (shared)


def list_app_records(
    app_slug: str, status: str | None, search: str, limit: int, key: str | None = None
) -> str:
    """The records of one app as its list route returns them (tools and resources)."""

    def work(session, actor):
        app = get_app(app_slug)
        rows = records.list_records(
            session,
            actor=actor,
            app_slug=app_slug,
            status=status,
            search=search,
            limit=min(max(limit, 1), records.MAX_LIST),
        )
        return [row.public(app, key=key) for row in rows]

    return run_tool(work)


def _set_status(app_slug: str, record_id: str, status: str) -> str:
    def work(session, actor):
        record = records.update_record(
            session, actor=actor, app_slug=app_slug, record_id=record_id, status=status
        )
        return {"success": True, "status": record.status}

    return run_tool(work)


def _attach(app_slug: str, record_id: str, document: dict[str, Any], **fields: Any) -> str:
    def work(session, actor):
        data = records.decode_base64(document.get("data", ""), field="document.data")
        doc = records.attach_document(
            session,
            actor=actor,
            app_slug=app_slug,
            record_id=record_id,
            file_name=document.get("filename", ""),
            content_type=document.get("contentType", ""),
            data=data,
            **fields,
        )
        record = records.load_record(
            session, actor=actor, app=get_app(app_slug), record_id=record_id
        )
        return records.document_public(doc, record)

    return run_tool(work)


def _request_approval(
    app_slug: str, record_id: str, title: str, mode: str, approvers: list[dict[str, Any]]
) -> str:
    def work(session, actor):
        approval = approvals.request_approval(
            session,
            actor=actor,
            app_slug=app_slug,
            record_id=record_id,
            title=title,
            mode=mode,
            approvers=approvers,
        )
        record = records.load_record(
            session, actor=actor, app=get_app(app_slug), record_id=record_id
        )
        return approvals.approval_public(approval, approvals.steps_of(session, approval.id), record)

    return run_tool(work)


def _portal_link(app_slug: str, record_id: str, **fields: Any) -> str:
    return run_tool(
        lambda session, actor: portal.portal_link_public(
            portal.create_portal_link(
                session, actor=actor, app_slug=app_slug, record_id=record_id, **fields
            )
        )
    )


# ---------------------------------------------------------------- generic record tools


@mcp.tool(
    name="list-business-records",
    description="List records of a business app (business-intake, hiring-packets, "
    "renewals-compliance) with checklistSummary and counts; optional status filter.",
)
def list_business_records(
    app_slug: str, status: str | None = None, search: str = "", limit: int = 50
) -> str:
    return list_app_records(app_slug, status, search, limit, key="record")


@mcp.tool(name="get-business-record", description="One business app record, full view.")
def get_business_record(app_slug: str, record_id: str) -> str:
    return run_tool(
        lambda session, actor: records.get_record_view(
            session, actor=actor, app_slug=app_slug, record_id=record_id
        )
    )


@mcp.tool(
    name="create-business-record",
    description="Create a record: title, optional recordType (the app's default otherwise), "
    "status, metadata and relatedParty {name, email, phone, company}.",
)
def create_business_record(
    app_slug: str,
    title: str,
    record_type: str | None = None,
    status: str | None = None,
    metadata: dict[str, Any] | None = None,
    related_party: dict[str, str] | None = None,
) -> str:
    party = related_party or {}
    return run_tool(
        lambda session, actor: records.record_public(
            records.create_record(
                session,
                actor=actor,
                app_slug=app_slug,
                title=title,
                record_type=record_type,
                status=status,
                metadata=metadata,
                party_name=party.get("name"),
                party_email=party.get("email"),
                party_phone=party.get("phone"),
                party_company=party.get("company"),
            )
        )
    )


@mcp.tool(name="update-business-record-status", description="Set a record's status.")
def update_business_record_status(app_slug: str, record_id: str, status: str) -> str:
    return _set_status(app_slug, record_id, status)


@mcp.tool(name="list-business-record-documents", description="Documents attached to a record.")
def list_business_record_documents(app_slug: str, record_id: str) -> str:
    return run_tool(
        lambda session, actor: records.list_documents(
            session, actor=actor, app_slug=app_slug, record_id=record_id
        )
    )


@mcp.tool(
    name="attach-business-record-document",
    description="Attach a document: document {filename, contentType, data (base64)} and an "
    "optional requirementKey from the record's checklist.",
)
def attach_business_record_document(
    app_slug: str,
    record_id: str,
    document: dict[str, Any],
    requirement_key: str | None = None,
    label: str | None = None,
) -> str:
    return _attach(app_slug, record_id, document, requirement_key=requirement_key, label=label)


@mcp.tool(name="list-business-record-approvals", description="Approval requests of a record.")
def list_business_record_approvals(app_slug: str, record_id: str) -> str:
    return run_tool(
        lambda session, actor: approvals.list_approvals(
            session, actor=actor, app_slug=app_slug, record_id=record_id
        )
    )


@mcp.tool(
    name="request-business-record-approval",
    description="Request an approval: title, mode (sequential|parallel), approvers "
    "[{approverEmail, stepNumber}]. Approvers are emailed a link to decide.",
)
def request_business_record_approval(
    app_slug: str,
    record_id: str,
    title: str,
    approvers: list[dict[str, Any]],
    mode: str = "sequential",
) -> str:
    return _request_approval(app_slug, record_id, title, mode, approvers)


@mcp.tool(
    name="create-business-record-portal-link",
    description="Create a public intake portal link for a record, sent to the recipient when "
    "notification_channels holds email and/or sms (sms needs recipient_phone in E.164 form).",
)
def create_business_record_portal_link(
    app_slug: str,
    record_id: str,
    recipient_name: str | None = None,
    recipient_email: str | None = None,
    recipient_phone: str | None = None,
    notification_channels: list[str] | None = None,
) -> str:
    return _portal_link(
        app_slug,
        record_id,
        recipient_name=recipient_name,
        recipient_email=recipient_email,
        recipient_phone=recipient_phone,
        notification_channels=notification_channels,
    )


# ---------------------------------------------------------------- per-app tools


def _register_app_tools(app_slug: str) -> None:
    app = get_app(app_slug)
    names = TOOL_NAMES[app_slug]
    model, create_service = CREATE[app_slug]
    noun = f"{app.name} {app.noun}"

    def list_tool(status: str | None = None, search: str = "", limit: int = 50) -> str:
        return list_app_records(app_slug, status, search, limit)

    def get_tool(record_id: str) -> str:
        return run_tool(
            lambda session, actor: records.get_record_view(
                session, actor=actor, app_slug=app_slug, record_id=record_id
            )
        )

    def create_tool(fields: dict[str, Any]) -> str:
        return run_tool(
            lambda session, actor: records.record_public(
                create_service(session, actor=actor, data=model.model_validate(fields))
            )
        )

    def status_tool(record_id: str, status: str) -> str:
        return _set_status(app_slug, record_id, status)

    def attach_tool(
        record_id: str,
        document: dict[str, Any],
        requirement_key: str | None = None,
        label: str | None = None,
        access_level: str | None = None,
        is_sensitive: bool = False,
    ) -> str:
        return _attach(
            app_slug,
            record_id,
            document,
            requirement_key=requirement_key,
            label=label,
            access_level=access_level,
            is_sensitive=is_sensitive,
        )

    def review_tool(record_id: str, document_id: str, status: str, reason: str = "") -> str:
        def work(session, actor):
            doc = records.review_document(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                document_id=document_id,
                status=status,
                reason=reason,
            )
            record = records.load_record(session, actor=actor, app=app, record_id=record_id)
            return records.document_public(doc, record)

        return run_tool(work)

    def task_tool(
        record_id: str, title: str, description: str = "", due_date: int | str | None = None
    ) -> str:
        return run_tool(
            lambda session, actor: records.task_public(
                records.create_task(
                    session,
                    actor=actor,
                    app_slug=app_slug,
                    record_id=record_id,
                    title=title,
                    description=description,
                    due_date=due_date,
                )
            )
        )

    def update_task_tool(
        record_id: str, task_id: str, status: str | None = None, title: str | None = None
    ) -> str:
        return run_tool(
            lambda session, actor: records.task_public(
                records.update_task(
                    session,
                    actor=actor,
                    app_slug=app_slug,
                    record_id=record_id,
                    task_id=task_id,
                    status=status,
                    title=title,
                )
            )
        )

    def approval_tool(
        record_id: str, title: str, approvers: list[dict[str, Any]], mode: str = "sequential"
    ) -> str:
        return _request_approval(app_slug, record_id, title, mode, approvers)

    def team_tool(record_id: str, user_id: str, role: str = "contributor") -> str:
        def work(session, actor):
            assignment = records.assign_team_member(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                user_id=user_id,
                role=role,
            )
            return {"id": assignment.id, "userId": assignment.user_id, "role": assignment.role}

        return run_tool(work)

    def portal_tool(
        record_id: str,
        recipient_name: str | None = None,
        recipient_email: str | None = None,
        recipient_phone: str | None = None,
        notification_channels: list[str] | None = None,
        label: str | None = None,
    ) -> str:
        return _portal_link(
            app_slug,
            record_id,
            recipient_name=recipient_name,
            recipient_email=recipient_email,
            recipient_phone=recipient_phone,
            notification_channels=notification_channels,
            label=label,
        )

    def vault_tool(
        record_id: str,
        field_key: str,
        value: str,
        label: str = "",
        access_level: str = "admin",
        replace: bool = False,
    ) -> str:
        return run_tool(
            lambda session, actor: records.vault_public(
                records.set_vault_field(
                    session,
                    actor=actor,
                    app_slug=app_slug,
                    record_id=record_id,
                    field_key=field_key,
                    value=value,
                    label=label,
                    access_level=access_level,
                    replace=replace,
                )
            )
        )

    fields = ", ".join(model.model_fields[name].alias or name for name in model.model_fields)
    tools = {
        "list": (list_tool, f"List {app.name} with checklistSummary and counts."),
        "get": (
            get_tool,
            f"One {noun}: checklist, documents, tasks, approvals, team, links, vault "
            "previews, activity.",
        ),
        "create": (
            create_tool,
            f"Create a {noun}. `fields` takes the POST /api/v1/{app_slug} body: {fields}.",
        ),
        "status": (status_tool, f"Set a {noun}'s status ({', '.join(app.statuses)})."),
        "attach": (
            attach_tool,
            "Attach a document {filename, contentType, data (base64)} to a checklist requirement.",
        ),
        "review": (
            review_tool,
            "Review a document: approved, rejected (reason), expired or needs_revision (reason).",
        ),
        "task": (task_tool, f"Create a task on a {noun}."),
        "update_task": (
            update_task_tool,
            "Complete (status=completed), reopen (open) or rename a task.",
        ),
        "approval": (
            approval_tool,
            "Request an approval: approvers [{approverEmail, stepNumber}], mode "
            "sequential|parallel.",
        ),
        "team": (
            team_tool,
            "Assign a workspace member (userId) with a role: owner, reviewer, contributor, viewer.",
        ),
        "portal": (portal_tool, f"Create a public intake portal link for a {noun}."),
        "vault": (
            vault_tool,
            "Encrypt and store a vault value; only the redacted preview is returned. A field "
            "that already holds a value is overwritten only with replace=true.",
        ),
    }
    for op, (func, description) in tools.items():
        mcp.tool(name=names[op], description=description)(func)


for _slug in TOOL_NAMES:
    _register_app_tools(_slug)
