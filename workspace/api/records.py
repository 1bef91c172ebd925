"""Business apps: `/apps/:appSlug/records…` (generic) and the Business Intake, Hiring Packets
and Renewals & Compliance routes. Every app gets the same set of record sub-resources."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from workspace.api.auth import api_actor
from workspace.api.responses import created, ok
from workspace.api.routing import ApiRouter, threaded
from workspace.core.actor import Actor
from workspace.core.apps import get_app
from workspace.core.db import read_scope, session_scope
from workspace.core.schemas.records import (
    ApprovalCreate,
    ApprovalDecision,
    ComplianceCreate,
    DocumentAttach,
    DocumentReview,
    HiringCreate,
    IntakeCreate,
    PortalLinkCreate,
    RecordCreate,
    RecordUpdate,
    TaskCreate,
    TaskUpdate,
    TeamAssign,
    VaultSet,
)
from workspace.core.services import approvals, portal, records

_UNSET = records.UNSET


def _status_body(body: dict[str, Any]) -> tuple[str, str]:
    return body.get("status") or "", body.get("reason") or ""


def add_record_routes(router: APIRouter, slug_of: Callable[..., str], name: str) -> None:
    """Register the shared sub-resources of one record on `router`. `slug_of` is a
    dependency returning the app slug (a path parameter for the generic routes)."""

    @router.get("/{record_id}", summary=f"Get {name}")
    def get_record(
        record_id: str, app_slug: str = Depends(slug_of), actor: Actor = Depends(api_actor)
    ):
        with read_scope() as session:
            return ok(
                records.get_record_view(
                    session, actor=actor, app_slug=app_slug, record_id=record_id
                )
            )

    @router.patch("/{record_id}", summary=f"Update {name} (status, title, metadata, party)")
    @router.put("/{record_id}", include_in_schema=False)
    def update_record(
        record_id: str,
        body: RecordUpdate,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        fields = body.model_fields_set
        with session_scope() as session:
            record = records.update_record(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                title=body.title,
                status=body.status,
                metadata=body.metadata,
                related_party=body.related_party.model_dump() if body.related_party else None,
                expiration_date=body.expiration_date if "expiration_date" in fields else _UNSET,
                renewal_due_date=body.renewal_due_date if "renewal_due_date" in fields else _UNSET,
            )
            return ok({"success": True, "record": records.record_public(record)})

    @router.post("/{record_id}/status", summary=f"Update {name} status")
    def update_status(
        record_id: str,
        body: dict[str, Any],
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        status, reason = _status_body(body)
        with session_scope() as session:
            app = get_app(app_slug)
            record = records.load_record(session, actor=actor, app=app, record_id=record_id)
            app.check_status(status)
            records.change_status(
                session, actor=actor, app=app, record=record, status=status, reason=reason
            )
            return ok({"success": True, "status": record.status})

    @router.get("/{record_id}/documents", summary=f"List {name} documents")
    def list_documents(
        record_id: str, app_slug: str = Depends(slug_of), actor: Actor = Depends(api_actor)
    ):
        with read_scope() as session:
            return ok(
                records.list_documents(session, actor=actor, app_slug=app_slug, record_id=record_id)
            )

    @router.post("/{record_id}/documents", summary=f"Attach {name} document (base64)")
    def attach_document(
        record_id: str,
        body: DocumentAttach,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        data = records.decode_base64(body.document.data, field="document.data")
        with session_scope() as session:
            doc = records.attach_document(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                file_name=body.document.filename,
                content_type=body.document.content_type,
                data=data,
                requirement_key=body.requirement_key,
                label=body.label,
                status=body.status,
                access_level=body.access_level,
                is_sensitive=body.is_sensitive,
            )
            record = records.load_record(
                session, actor=actor, app=get_app(app_slug), record_id=record_id
            )
            return created(records.document_public(doc, record))

    def _review(record_id: str, document_id: str, body: DocumentReview, app_slug: str, actor):
        with session_scope() as session:
            doc = records.review_document(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                document_id=document_id,
                status=body.status,
                reason=body.reason,
            )
            record = records.load_record(
                session, actor=actor, app=get_app(app_slug), record_id=record_id
            )
            return ok(records.document_public(doc, record))

    @router.patch("/{record_id}/documents/{document_id}", summary=f"Review {name} document")
    @router.put("/{record_id}/documents/{document_id}", include_in_schema=False)
    @router.post("/{record_id}/documents/{document_id}/review", include_in_schema=False)
    def review_document(
        record_id: str,
        document_id: str,
        body: DocumentReview,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        return _review(record_id, document_id, body, app_slug, actor)

    @router.get("/{record_id}/documents/{document_id}/file", summary=f"Download {name} document")
    @threaded
    def download_document(
        record_id: str,
        document_id: str,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        with read_scope() as session:
            doc, data = records.document_content(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                document_id=document_id,
            )
            file_name, content_type = doc.file_name, doc.content_type
        safe = file_name.replace('"', "")
        return Response(
            data,
            media_type=content_type,
            headers={"Content-Disposition": f'attachment; filename="{safe}"'},
        )

    @router.get("/{record_id}/tasks", summary=f"List {name} tasks")
    def list_tasks(
        record_id: str, app_slug: str = Depends(slug_of), actor: Actor = Depends(api_actor)
    ):
        with read_scope() as session:
            return ok(
                records.list_tasks(session, actor=actor, app_slug=app_slug, record_id=record_id)
            )

    @router.post("/{record_id}/tasks", summary=f"Create {name} task")
    def create_task(
        record_id: str,
        body: TaskCreate,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        with session_scope() as session:
            task = records.create_task(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                title=body.title,
                description=body.description,
                due_date=body.due_date,
                assignee_user_id=body.assignee_user_id,
            )
            return created(records.task_public(task))

    @router.patch("/{record_id}/tasks/{task_id}", summary=f"Update {name} task (complete/reopen)")
    @router.put("/{record_id}/tasks/{task_id}", include_in_schema=False)
    def update_task(
        record_id: str,
        task_id: str,
        body: TaskUpdate,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        fields = body.model_fields_set
        with session_scope() as session:
            task = records.update_task(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                task_id=task_id,
                title=body.title,
                description=body.description,
                due_date=body.due_date if "due_date" in fields else _UNSET,
                assignee_user_id=(
                    body.assignee_user_id if "assignee_user_id" in fields else _UNSET
                ),
                status=body.status,
            )
            return ok(records.task_public(task))

    @router.get("/{record_id}/approvals", summary=f"List {name} approvals")
    def list_approvals(
        record_id: str, app_slug: str = Depends(slug_of), actor: Actor = Depends(api_actor)
    ):
        with read_scope() as session:
            return ok(
                approvals.list_approvals(
                    session, actor=actor, app_slug=app_slug, record_id=record_id
                )
            )

    @router.post("/{record_id}/approvals", summary=f"Request {name} approval")
    def request_approval(
        record_id: str,
        body: ApprovalCreate,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        with session_scope() as session:
            approval = approvals.request_approval(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                title=body.title,
                mode=body.mode,
                approvers=[a.dump() for a in body.approvers],
            )
            record = records.load_record(
                session, actor=actor, app=get_app(app_slug), record_id=record_id
            )
            steps = approvals.steps_of(session, approval.id)
            return created(approvals.approval_public(approval, steps, record))

    @router.post(
        "/{record_id}/approvals/{approval_id}/decisions",
        summary=f"Record an approver's decision on a {name} approval",
    )
    def decide_approval(
        record_id: str,
        approval_id: str,
        body: ApprovalDecision,
        step_id: str | None = Query(None, alias="stepId"),
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        with session_scope() as session:
            approval = approvals.decide_approval_step(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                approval_id=approval_id,
                decision=body.decision,
                comment=body.comment,
                step_id=step_id,
                approver_email=body.approver_email,
            )
            record = records.load_record(
                session, actor=actor, app=get_app(app_slug), record_id=record_id
            )
            steps = approvals.steps_of(session, approval.id)
            return ok(approvals.approval_public(approval, steps, record))

    @router.get("/{record_id}/team", summary=f"List {name} team")
    def list_team(
        record_id: str, app_slug: str = Depends(slug_of), actor: Actor = Depends(api_actor)
    ):
        with read_scope() as session:
            return ok(
                records.list_team(session, actor=actor, app_slug=app_slug, record_id=record_id)
            )

    @router.post("/{record_id}/team", summary=f"Assign {name} team member")
    def assign_team(
        record_id: str,
        body: TeamAssign,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        with session_scope() as session:
            assignment = records.assign_team_member(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                user_id=body.user_id,
                role=body.role,
            )
            return created(
                {"id": assignment.id, "userId": assignment.user_id, "role": assignment.role}
            )

    @router.delete("/{record_id}/team/{member_id}", summary=f"Remove {name} team member")
    def remove_team(
        record_id: str,
        member_id: str,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        with session_scope() as session:
            records.remove_team_member(
                session, actor=actor, app_slug=app_slug, record_id=record_id, member_id=member_id
            )
            return ok({"success": True})

    @router.get("/{record_id}/portal-links", summary=f"List {name} portal links")
    def list_portal_links(
        record_id: str, app_slug: str = Depends(slug_of), actor: Actor = Depends(api_actor)
    ):
        with read_scope() as session:
            return ok(
                portal.list_portal_links(
                    session, actor=actor, app_slug=app_slug, record_id=record_id
                )
            )

    @router.post("/{record_id}/portal-links", summary=f"Create {name} portal link")
    def create_portal_link(
        record_id: str,
        body: PortalLinkCreate,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        requested = (
            [f.dump() for f in body.requested_fields]
            if "requested_fields" in body.model_fields_set
            else None
        )
        with session_scope() as session:
            link = portal.create_portal_link(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                recipient_name=body.recipient_name,
                recipient_email=body.recipient_email,
                recipient_phone=body.recipient_phone,
                notification_channels=body.notification_channels,
                label=body.label,
                expires_in_days=body.expires_in_days,
                requested_fields=requested,
            )
            return created(portal.portal_link_public(link))

    @router.delete("/{record_id}/portal-links/{link_id}", summary=f"Revoke {name} portal link")
    def revoke_portal_link(
        record_id: str,
        link_id: str,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        with session_scope() as session:
            link = portal.revoke_portal_link(
                session, actor=actor, app_slug=app_slug, record_id=record_id, link_id=link_id
            )
            return ok({"id": link.id, "status": link.status})

    @router.get("/{record_id}/vault", summary=f"List {name} vault fields (redacted)")
    def list_vault(
        record_id: str, app_slug: str = Depends(slug_of), actor: Actor = Depends(api_actor)
    ):
        with read_scope() as session:
            return ok(
                records.list_vault(session, actor=actor, app_slug=app_slug, record_id=record_id)
            )

    @router.post(
        "/{record_id}/vault",
        summary=f"Set {name} vault field (encrypted); replacing a stored value takes replace=true",
    )
    def set_vault(
        record_id: str,
        body: VaultSet,
        app_slug: str = Depends(slug_of),
        actor: Actor = Depends(api_actor),
    ):
        with session_scope() as session:
            item = records.set_vault_field(
                session,
                actor=actor,
                app_slug=app_slug,
                record_id=record_id,
                field_key=body.field_key,
                label=body.label,
                value=body.value,
                access_level=body.access_level,
                replace=body.replace,
            )
            return created(records.vault_public(item))


def _list(actor: Actor, app_slug: str, status, search, limit, offset, key=None):
    with read_scope() as session:
        app = get_app(app_slug)
        rows = records.list_records(
            session,
            actor=actor,
            app_slug=app_slug,
            status=status,
            search=search,
            limit=limit,
            offset=offset,
        )
        return ok([row.public(app, key=key) for row in rows])


def _limit(limit: int | None) -> int:
    return min(limit or 50, records.MAX_LIST)


# ---------------------------------------------------------------- generic


generic = ApiRouter(prefix="/apps/{app_slug}/records", tags=["Business apps"])


async def _path_slug(app_slug: str) -> str:
    get_app(app_slug)
    return app_slug


@generic.get("", summary="List app records")
def list_app_records(
    app_slug: str,
    status: str | None = None,
    search: str | None = None,
    limit: int | None = Query(None, ge=1),
    offset: int = Query(0, ge=0),
    actor: Actor = Depends(api_actor),
):
    return _list(actor, app_slug, status, search, _limit(limit), offset, key="record")


@generic.post("", summary="Create app record")
def create_app_record(app_slug: str, body: RecordCreate, actor: Actor = Depends(api_actor)):
    party = body.related_party or None
    with session_scope() as session:
        record = records.create_record(
            session,
            actor=actor,
            app_slug=app_slug,
            title=body.title,
            record_type=body.record_type,
            status=body.status,
            metadata=body.metadata,
            party_name=party.name if party else None,
            party_email=party.email if party else None,
            party_phone=party.phone if party else None,
            party_company=party.company if party else None,
        )
        return created(records.record_public(record))


add_record_routes(generic, _path_slug, "app record")


# ---------------------------------------------------------------- per app


def _app_router(slug: str, create_model, create_service, list_help: str) -> APIRouter:
    app = get_app(slug)
    router = ApiRouter(prefix=f"/{slug}", tags=[app.name])

    async def fixed_slug() -> str:
        return slug

    @router.get("", summary=f"List {app.name}", description=list_help)
    def list_app(
        status: str | None = None,
        search: str | None = None,
        limit: int | None = Query(None, ge=1),
        offset: int = Query(0, ge=0),
        actor: Actor = Depends(api_actor),
    ):
        return _list(actor, slug, status, search, _limit(limit), offset)

    @router.post("", summary=f"Create {app.name} {app.noun}")
    def create_app_item(body: create_model, actor: Actor = Depends(api_actor)):
        with session_scope() as session:
            record = create_service(session, actor=actor, data=body)
            return created(records.record_public(record))

    add_record_routes(router, fixed_slug, f"{app.name} {app.noun}")
    return router


intake = _app_router(
    "business-intake",
    IntakeCreate,
    records.create_intake,
    "Intake records with checklistSummary, pendingApprovalCount, openTaskCount, "
    "teamMemberCount, portalLinkCount and vaultItemCount.",
)
hiring = _app_router(
    "hiring-packets",
    HiringCreate,
    records.create_hiring_packet,
    "Hiring packets with checklist readiness and counts.",
)
compliance = _app_router(
    "renewals-compliance",
    ComplianceCreate,
    records.create_compliance_item,
    "Compliance items with checklist readiness and counts.",
)

ROUTERS = [generic, intake, hiring, compliance]
