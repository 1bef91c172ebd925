"""Internal approvals on business-app records: sequential or parallel steps of approvers.

Sequential: step numbers run in order; a step opens when every lower step is approved.
Parallel: every approver is asked at once. Any rejection rejects the whole request; the
request is approved when every step is. Approvers decide in the UI (signed in, their own
step) or through the link emailed to them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from workspace.core.actor import Actor
from workspace.core.apps import AppDefinition, get_app
from workspace.core.clock import now_ms
from workspace.core.config import get_settings, secret_key
from workspace.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from workspace.core.ids import hash_token, new_id
from workspace.core.models import AppRecord, Approval, ApprovalStep
from workspace.core.services import records
from workspace.core.services.mail import send_notice
from workspace.core.services.records import clean_text
from workspace.core.validation import clean_email

MODES = ("sequential", "parallel")
DECISIONS = ("approved", "rejected")


def step_token(step_id: str) -> str:
    """The secret in an approver's link, derived from the step id (only its hash is stored)."""
    digest = hmac.new(secret_key(), f"approval-step:{step_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def approval_url(step_id: str) -> str:
    return f"{get_settings().public_base_url}/approve/{step_token(step_id)}"


def steps_of(session: Session, approval_id: str) -> list[ApprovalStep]:
    return list(
        session.exec(
            select(ApprovalStep)
            .where(ApprovalStep.approval_id == approval_id)
            .order_by(col(ApprovalStep.step_number), col(ApprovalStep.position))
        )
    )


def step_public(step: ApprovalStep) -> dict[str, Any]:
    return {
        "id": step.id,
        "stepNumber": step.step_number,
        "approverEmail": step.approver_email,
        "status": step.status,
        "comment": step.comment,
        "decidedAt": step.decided_at,
    }


def approval_public(
    approval: Approval, steps: list[ApprovalStep], record: AppRecord
) -> dict[str, Any]:
    return {
        "id": approval.id,
        "recordId": approval.record_id,
        "entityType": record.record_type,
        "title": approval.title,
        "mode": approval.mode,
        "status": approval.status,
        "requestedBy": approval.requested_by,
        "createdAt": approval.created_at,
        "completedAt": approval.completed_at,
        "steps": [step_public(s) for s in steps],
    }


def approvals_for(session: Session, record: AppRecord) -> list[dict[str, Any]]:
    approvals = list(
        session.exec(
            select(Approval)
            .where(Approval.record_id == record.id)
            .order_by(col(Approval.created_at).desc())
        )
    )
    ids = [a.id for a in approvals]
    steps: dict[str, list[ApprovalStep]] = {a.id: [] for a in approvals}
    if ids:
        for step in session.exec(
            select(ApprovalStep)
            .where(col(ApprovalStep.approval_id).in_(ids))
            .order_by(col(ApprovalStep.step_number), col(ApprovalStep.position))
        ):
            steps[step.approval_id].append(step)
    return [approval_public(a, steps[a.id], record) for a in approvals]


def list_approvals(session: Session, *, actor: Actor, app_slug: str, record_id: str) -> list[dict]:
    app = get_app(app_slug)
    record = records.load_record(session, actor=actor, app=app, record_id=record_id)
    return approvals_for(session, record)


def _notify(
    session: Session, *, record: AppRecord, approval: Approval, step: ApprovalStep, actor: Actor
) -> None:
    org = records.organization(session, record.org_id)
    send_notice(
        session,
        to_email=step.approver_email,
        subject=f"Approval requested: {approval.title} — {record.title}",
        heading=f"Approval requested: {approval.title}",
        paragraphs=[
            f"{approval.requested_by or org.name} asks for your approval on “{record.title}”.",
            "Open the link to review the record and approve or reject it with a comment.",
        ],
        button_label="Review and decide",
        button_url=approval_url(step.id),
        org=org,
        org_id=record.org_id,
        category="approval_request",
        deliver=not record.test_mode,
    )
    step.notified_at = now_ms()


def _opensteps_of(
    session: Session, *, record: AppRecord, approval: Approval, steps: list[ApprovalStep], actor
) -> None:
    """Move the next waiting steps to pending (and email their approvers)."""
    if approval.mode == "parallel":
        to_open = [s for s in steps if s.status == "waiting"]
    else:
        undecided = [s for s in steps if s.status in ("waiting", "pending")]
        if not undecided or any(s.status == "pending" for s in undecided):
            return
        first = undecided[0].step_number
        to_open = [s for s in undecided if s.step_number == first]
    for step in to_open:
        step.status = "pending"
        _notify(session, record=record, approval=approval, step=step, actor=actor)


def request_approval(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    record_id: str,
    title: str,
    mode: str,
    approvers: list[dict[str, Any]],
) -> Approval:
    """`approvers`: [{"approverEmail", "stepNumber"?}]. Without step numbers, sequential
    approvers follow the list order."""
    app = get_app(app_slug)
    record = records.load_record(session, actor=actor, app=app, record_id=record_id)
    _check_open(app, record)
    if mode not in MODES:
        raise ValidationFailed(
            "Choose whether approvers decide in turn (sequential) or at once (parallel).",
            field="mode",
            value=mode,
        )
    if not approvers:
        raise ValidationFailed("Add at least one approver.", field="approvers")
    if len(approvers) > 20:
        raise ValidationFailed("At most 20 approvers.", field="approvers")
    approval = Approval(
        org_id=record.org_id,
        record_id=record.id,
        title=clean_text(title, field="title", max_length=300),
        mode=mode,
        requested_by=records.actor_label(actor),
    )
    session.add(approval)
    session.flush()
    seen: set[str] = set()
    steps = []
    for index, approver in enumerate(approvers):
        email = clean_email(
            approver.get("approverEmail"), field=f"approvers[{index}].approverEmail"
        )
        if email in seen:
            raise ValidationFailed(
                "Each approver can appear once.", field=f"approvers[{index}].approverEmail"
            )
        seen.add(email)
        number = approver.get("stepNumber")
        if number is None:
            number = index + 1 if mode == "sequential" else 1
        if not isinstance(number, int) or number < 1:
            raise ValidationFailed(
                "Step numbers start at 1.", field=f"approvers[{index}].stepNumber"
            )
        step_id = new_id("step")
        step = ApprovalStep(
            id=step_id,
            org_id=record.org_id,
            approval_id=approval.id,
            step_number=number,
            position=index,
            approver_email=email,
            token_hash=hash_token(step_token(step_id)),
        )
        session.add(step)
        steps.append(step)
    steps.sort(key=lambda s: (s.step_number, s.position))
    session.flush()
    _opensteps_of(session, record=record, approval=approval, steps=steps, actor=actor)
    records.touch(record)
    records.audit(
        session,
        actor=actor,
        record=record,
        action="approval_requested",
        description=f"Approval “{approval.title}” requested ({mode}) from "
        + ", ".join(s.approver_email for s in steps),
        data={"approvalId": approval.id},
    )
    return approval


def _check_open(app: AppDefinition, record: AppRecord) -> None:
    """A record in a final status (rejected, withdrawn, archived…) takes no approvals."""
    if app.is_final(record.status):
        raise Conflict(
            f"This {app.noun} is {records.humanize(record.status).lower()}, so approvals on it "
            "are closed.",
            details={"recordStatus": record.status},
        )


def _finish(
    session: Session,
    *,
    actor: Actor,
    app: AppDefinition,
    record: AppRecord,
    approval: Approval,
    steps: list[ApprovalStep],
) -> None:
    if any(s.status == "rejected" for s in steps):
        approval.status, approval.completed_at = "rejected", now_ms()
        for step in steps:
            if step.status in ("waiting", "pending"):
                step.status = "skipped"
        records.audit(
            session,
            actor=actor,
            record=record,
            action="approval_rejected",
            description=f"Approval “{approval.title}” rejected",
            data={"approvalId": approval.id},
        )
    elif all(s.status == "approved" for s in steps):
        approval.status, approval.completed_at = "approved", now_ms()
        records.audit(
            session,
            actor=actor,
            record=record,
            action="approval_completed",
            description=f"Approval “{approval.title}” approved by every approver",
            data={"approvalId": approval.id},
        )
        records.emit(
            session,
            actor=actor,
            app=app,
            record=record,
            generic="app.approval.completed",
            specific="approval_completed",
            data={"approval": approval_public(approval, steps, record)},
        )
    else:
        _opensteps_of(session, record=record, approval=approval, steps=steps, actor=actor)


def _decide(
    session: Session,
    *,
    actor: Actor,
    record: AppRecord,
    approval: Approval,
    step: ApprovalStep,
    decision: str,
    comment: str | None,
) -> Approval:
    app = get_app(record.app_slug)
    if decision not in DECISIONS:
        raise ValidationFailed("Decide approved or rejected.", field="decision", value=decision)
    if approval.status != "pending":
        raise Conflict(f"This approval is already {approval.status}.")
    _check_open(app, record)
    if step.status != "pending":
        message = (
            "An earlier step has to be approved first."
            if step.status == "waiting"
            else f"This step is already {step.status}."
        )
        raise Conflict(message)
    comment = clean_text(comment, field="comment", max_length=2000, required=False)
    if decision == "rejected" and not comment:
        raise ValidationFailed("Say why you reject it.", field="comment")
    step.status, step.comment, step.decided_at = decision, comment, now_ms()
    steps = steps_of(session, approval.id)
    records.touch(record)
    records.audit(
        session,
        actor=actor,
        record=record,
        action="approval_step_decided",
        description=f"{step.approver_email} {decision} “{approval.title}” (step {step.step_number})"
        + (f": {comment}" if comment else ""),
        data={"approvalId": approval.id, "stepId": step.id, "decision": decision},
        actor_email=step.approver_email,
    )
    records.emit(
        session,
        actor=actor,
        app=app,
        record=record,
        generic="app.approval.step_decided",
        specific=None,
        data={"approval": approval_public(approval, steps, record), "step": step_public(step)},
    )
    _finish(session, actor=actor, app=app, record=record, approval=approval, steps=steps)
    session.flush()
    return approval


def decide_approval_step(
    session: Session,
    *,
    actor: Actor,
    app_slug: str,
    record_id: str,
    approval_id: str,
    decision: str,
    comment: str | None = None,
    step_id: str | None = None,
    approver_email: str | None = None,
) -> Approval:
    """A signed-in approver decides their own pending step. API keys act for the organization
    and name the step (`stepId`) or the approver (`approverEmail`)."""
    app = get_app(app_slug)
    record = records.load_record(session, actor=actor, app=app, record_id=record_id)
    approval = session.get(Approval, approval_id)
    if approval is None or approval.record_id != record.id:
        raise NotFound("Approval not found.")
    steps = steps_of(session, approval.id)
    if actor.type == "user":
        email = (actor.email or "").lower()
        if approver_email and approver_email.lower() != email:
            raise Forbidden("You can only decide your own approval step.")
    else:
        email = approver_email.strip().lower() if approver_email else None
    candidates = [
        s
        for s in steps
        if (step_id is None or s.id == step_id) and (email is None or s.approver_email == email)
    ]
    if not candidates:
        if actor.type == "user":
            raise Forbidden("You are not an approver on this request.")
        raise NotFound("No such approval step.", details={"field": "stepId"})
    step = next((s for s in candidates if s.status == "pending"), candidates[0])
    return _decide(
        session,
        actor=actor,
        record=record,
        approval=approval,
        step=step,
        decision=decision,
        comment=comment,
    )


@dataclass(frozen=True)
class ApproverView:
    step: ApprovalStep
    approval: Approval
    record: AppRecord
    org_name: str
    steps: list[ApprovalStep]


def _step_for_token(session: Session, token: str) -> ApprovalStep:
    step = session.exec(
        select(ApprovalStep).where(ApprovalStep.token_hash == hash_token(token or ""))
    ).first()
    if step is None:
        raise NotFound("This approval link is not valid.")
    return step


def approver_view(session: Session, *, token: str) -> ApproverView:
    step = _step_for_token(session, token)
    approval = session.get(Approval, step.approval_id)
    record = session.get(AppRecord, approval.record_id) if approval else None
    if approval is None or record is None:
        raise NotFound("This approval link is not valid.")
    org = records.organization(session, record.org_id)
    return ApproverView(step, approval, record, org.name, steps_of(session, approval.id))


def decide_by_token(
    session: Session,
    *,
    token: str,
    decision: str,
    comment: str | None = None,
    ip: str | None = None,
    user_agent: str | None = None,
) -> Approval:
    """The approver decides through the emailed link (no account needed)."""
    view = approver_view(session, token=token)
    actor = Actor(
        org_id=view.record.org_id,
        type="approver",
        email=view.step.approver_email,
        test_mode=view.record.test_mode,
        ip=ip,
        user_agent=user_agent,
    )
    return _decide(
        session,
        actor=actor,
        record=view.record,
        approval=view.approval,
        step=view.step,
        decision=decision,
        comment=comment,
    )
