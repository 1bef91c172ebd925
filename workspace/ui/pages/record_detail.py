"""One business-app record: checklist and progress, documents (preview, download, review),
tasks, approvals, team, portal links, the vault (masked; reveal needs the role and the
password) and the activity timeline."""

from __future__ import annotations

import dataclasses
import hashlib
import time

import reflex as rx

from workspace.core.apps import (
    ACCESS_LEVELS,
    MAX_DOCUMENT_BYTES,
    TEAM_ROLES,
    VAULT_ACCESS_LEVELS,
    get_app,
)
from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.services import accounts, approvals, portal, records
from workspace.ui.components.choices import Choice, choice_select
from workspace.ui.components.dialogs import confirm_dialog
from workspace.ui.layout import app_shell, card
from workspace.ui.pages.records import (
    ACCESS_LABELS,
    NEW_FORMS,
    day_label,
    humanize,
    labelled,
    slug_from_path,
    status_badge,
    status_color,
)
from workspace.ui.state import AuthState, toast_error


@dataclasses.dataclass
class ChecklistRow:
    key: str
    label: str
    description: str
    required: bool
    status: str
    status_label: str
    color: str


@dataclasses.dataclass
class DocumentRow:
    id: str
    file_name: str
    label: str
    requirement: str
    status: str
    status_label: str
    color: str
    reason: str
    meta: str
    access: str
    sensitive: bool
    preview_url: str
    download_url: str
    can_review: bool
    can_open: bool
    locked_note: str  # why the file can't be opened, for people whose role can't


@dataclasses.dataclass
class TaskRow:
    id: str
    title: str
    description: str
    due: str
    done: bool
    renewal: bool


@dataclasses.dataclass
class ApprovalLine:
    """One approver step, flattened with its approval's header (Reflex cannot nest lists)."""

    approval_id: str
    title: str
    mode: str
    approval_status_label: str
    approval_color: str
    first: bool
    last: bool
    can_decide: bool
    number: int
    email: str
    status_label: str
    color: str
    comment: str


@dataclasses.dataclass
class MemberRow:
    id: str
    email: str
    name: str
    role: str


@dataclasses.dataclass
class LinkRow:
    id: str
    url: str
    recipient: str
    status: str
    status_label: str
    color: str
    meta: str


@dataclasses.dataclass
class VaultRow:
    id: str
    label: str
    field_key: str
    preview: str
    access: str
    access_level: str
    can_reveal: bool
    locked_note: str  # who can reveal it, for people whose role can't


@dataclasses.dataclass
class ActivityRow:
    description: str
    who: str
    when: str
    icon: str


ACTIVITY_ICONS = {
    "record_created": "sparkles",
    "status_changed": "arrow-right-left",
    "document_attached": "paperclip",
    "document_reviewed": "file-check",
    "task_created": "list-plus",
    "task_completed": "circle-check",
    "approval_requested": "stamp",
    "approval_step_decided": "stamp",
    "approval_completed": "badge-check",
    "approval_rejected": "circle-x",
    "team_assigned": "users",
    "portal_link_created": "link",
    "portal_link_revoked": "link-2-off",
    "portal_submitted": "inbox",
    "vault_set": "lock",
    "vault_revealed": "eye",
    "vault_reveal_denied": "eye-off",
}


# Roles as a sentence names them.
ROLE_NAMES = {"owner": "the owner", "admin": "admins", "member": "members", "hr": "HR"}


def roles_text(level: str) -> str:
    """The roles an access level allows, as people read them: 'the owner, admins or finance'."""
    roles = [ROLE_NAMES.get(role, role) for role in ACCESS_LEVELS.get(level, ())]
    if len(roles) < 2:
        return "".join(roles)
    return f"{', '.join(roles[:-1])} or {roles[-1]}"


# The words a choice made on the new-record form shows as ("high" -> "High").
OPTION_LABELS = {
    slug: {spec.name: dict(spec.options) for spec in specs if spec.kind == "select"}
    for slug, specs in NEW_FORMS.items()
}
# The same form submitted again this soon after it succeeded is a double-click's second event
# (a tab's events are handled one after another), not a new request.
REPEAT_WINDOW_MS = 2000


def _digest(parts: tuple) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _clock_ms() -> float:
    """Wall-clock time for the double-click guard (real time, whatever the app's clock says)."""
    return time.time() * 1000


def _when(ms: int | None) -> str:
    from datetime import UTC, datetime

    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%b %d, %Y %H:%M")


class RecordState(AuthState):
    app_slug: str = "business-intake"
    record_id: str = ""
    found: bool = True
    title: str = ""
    status: str = ""
    status_label: str = ""
    status_color: str = "gray"
    status_options: list[Choice] = []
    type_label: str = ""
    party: str = ""
    details: list[Choice] = []
    percent: int = 0
    progress: str = ""
    checklist: list[ChecklistRow] = []
    requirement_options: list[Choice] = []
    upload_hints: dict[str, str] = {}  # requirement key -> the files it takes
    documents: list[DocumentRow] = []
    tasks: list[TaskRow] = []
    approval_lines: list[ApprovalLine] = []
    members: list[MemberRow] = []
    member_options: list[Choice] = []
    links: list[LinkRow] = []
    vault_items: list[VaultRow] = []
    activity: list[ActivityRow] = []
    upload_requirement: str = ""
    upload_access: str = "general"
    uploading: bool = False
    # Review dialog
    review_doc_id: str = ""
    review_status: str = "rejected"
    # Vault reveal: the plaintext is set only after the role and password checks pass.
    reveal_id: str = ""
    reveal_label: str = ""
    revealed_value: str = ""
    reveal_error: str = ""
    # Portal link revoke confirmation: the link asked about, and whose it is.
    revoke_link_id: str = ""
    revoke_link_label: str = ""
    # Vault form: the key typed (to warn before a save replaces a saved value) and the access
    # level chosen.
    vault_key: str = ""
    vault_access: str = "admin"
    vault_error: str = ""
    # The last form this tab submitted and when: the same submission again within the click
    # guard is a double-click's second event and does nothing.
    _last_submit: str = ""
    _last_submit_at: float = 0.0

    @rx.var
    def review_status_label(self) -> str:
        return humanize(self.review_status).lower()

    def _vault_item_typed(self):
        """The vault entry whose key is the one typed, if it is already saved."""
        key = self.vault_key.strip()
        return next((item for item in self.vault_items if key and item.field_key == key), None)

    @rx.var
    def vault_replaces(self) -> str:
        """The masked value a save would replace, when the key typed is already in the vault."""
        item = self._vault_item_typed()
        return item.preview if item else ""

    @rx.var
    def vault_replaces_label(self) -> str:
        item = self._vault_item_typed()
        return item.label if item else ""

    @rx.var
    def app_name(self) -> str:
        return get_app(self.app_slug).name

    @rx.var
    def back_href(self) -> str:
        return f"/{self.app_slug}"

    @rx.event
    def load(self):
        self.app_slug = slug_from_path(self.router.page.path)
        self.record_id = self.router.page.params.get("record_id", "")
        # A reload starts with every dialog closed and no message left from before.
        self.close_reveal()
        self.review_doc_id = ""
        self.revoke_link_id = self.revoke_link_label = ""
        self.vault_key = self.vault_error = ""
        self.vault_access = "admin"
        self._last_submit, self._last_submit_at = "", 0.0
        self._refresh()

    def _refresh(self) -> None:
        actor = self._actor()
        if actor is None:
            return
        app = get_app(self.app_slug)
        try:
            with session_scope() as session:
                view = records.get_record_view(
                    session, actor=actor, app_slug=app.slug, record_id=self.record_id
                )
                members = accounts.list_members(session, actor=actor)
        except DomainError:
            self.found = False
            return
        self.found = True
        record = view[app.list_key]
        self.title = record["title"]
        self.status = record["status"]
        self.status_label = humanize(self.status)
        self.status_color = status_color(self.status)
        self.status_options = [Choice(value, label) for value, label in labelled(app.statuses)]
        self.type_label = view["recordType"]
        party = record["relatedParty"]
        self.party = " · ".join(
            p for p in (party["name"], party["company"], party["email"], party["phone"]) if p
        )
        skip = {app.type_field, "smsAlerts"}
        options = OPTION_LABELS.get(self.app_slug, {})
        self.details = [
            Choice(options.get(k, {}).get(str(v), str(v)), humanize_key(k))
            for k, v in record["metadata"].items()
            if k not in skip and v not in (None, "")
        ]
        summary = view["checklistSummary"]
        self.percent = summary["completionPercent"]
        self.progress = (
            f"{summary['approvedRequired']} of {summary['requiredCount']} required approved"
            + (
                f" · {summary['pendingReviewRequired']} awaiting review"
                if summary["pendingReviewRequired"]
                else ""
            )
        )
        self.checklist = [
            ChecklistRow(
                c["key"],
                c["label"],
                c["description"],
                c["required"],
                c["status"],
                humanize(c["status"]),
                status_color(c["status"]),
            )
            for c in view["checklist"]
        ]
        self.requirement_options = [Choice(c["key"], c["label"]) for c in view["checklist"]]
        self.upload_hints = {
            c[
                "key"
            ]: f"{records.file_kinds(c['acceptedTypes'])}, up to {MAX_DOCUMENT_BYTES >> 20} MB"
            for c in view["checklist"]
        }
        keys = [c.key for c in self.checklist]
        if self.upload_requirement not in keys:
            self.upload_requirement = keys[0] if keys else ""
        labels = {c["key"]: c["label"] for c in view["checklist"]}
        self.documents = [
            DocumentRow(
                id=d["id"],
                file_name=d["fileName"],
                label=d["label"],
                requirement=labels.get(d["requirementKey"] or "", "Supporting file"),
                status=d["status"],
                status_label=humanize(d["status"]),
                color=status_color(d["status"]),
                reason=d["reviewReason"],
                meta=f"{d['sizeBytes'] // 1024 or 1} KB · {d['uploadedBy']} · "
                f"{_when(d['createdAt'])}",
                access=ACCESS_LABELS.get(d["accessLevel"], d["accessLevel"]),
                sensitive=d["isSensitive"],
                preview_url=f"/files/records/{d['id']}?inline=true",
                download_url=f"/files/records/{d['id']}",
                can_review=records.access_allowed(actor, d["accessLevel"]),
                can_open=_can_open(actor, d),
                locked_note=f"Only {roles_text(d['accessLevel'])} can open this document.",
            )
            for d in view["documents"]
        ]
        self.tasks = [
            TaskRow(
                t["id"],
                t["title"],
                t["description"],
                day_label(t["dueDate"]),
                t["status"] == "completed",
                t["kind"] == "renewal",
            )
            for t in view["actions"]
        ]
        me = (actor.email or "").lower()
        lines: list[ApprovalLine] = []
        for a in view["approvals"]:
            mine = any(s["approverEmail"] == me and s["status"] == "pending" for s in a["steps"])
            for index, step in enumerate(a["steps"]):
                lines.append(
                    ApprovalLine(
                        approval_id=a["id"],
                        title=a["title"],
                        mode=humanize(a["mode"]),
                        approval_status_label=humanize(a["status"]),
                        approval_color=status_color(a["status"]),
                        first=index == 0,
                        last=index == len(a["steps"]) - 1,
                        can_decide=mine,
                        number=step["stepNumber"],
                        email=step["approverEmail"],
                        status_label=humanize(step["status"]),
                        color=status_color(step["status"]),
                        comment=step["comment"],
                    )
                )
        self.approval_lines = lines
        self.members = [
            MemberRow(m["id"], m["email"], m["name"], humanize(m["role"])) for m in view["members"]
        ]
        self.member_options = [Choice(m.user_id, m.name or m.email) for m in members]
        self.links = [
            LinkRow(
                link["id"],
                link["url"],
                link["recipientName"] or link["recipientEmail"] or link["label"],
                link["status"],
                humanize(link["status"]),
                status_color("active" if link["status"] == "active" else link["status"]),
                f"Expires {day_label(link['expiresAt'])}"
                + (f" · submitted {_when(link['submittedAt'])}" if link["submittedAt"] else ""),
            )
            for link in view["portalLinks"]
        ]
        self.vault_items = [
            VaultRow(
                v["id"],
                v["label"],
                v["fieldKey"],
                v["redactedPreview"],
                ACCESS_LABELS.get(v["accessLevel"], v["accessLevel"]),
                v["accessLevel"],
                records.can_reveal(actor, v["accessLevel"]),
                f"Only {roles_text(v['accessLevel'])} can reveal",
            )
            for v in view["vaultItems"]
        ]
        self.activity = [
            ActivityRow(
                a["description"],
                a["actorEmail"] or a["actorType"],
                _when(a["createdAt"]),
                ACTIVITY_ICONS.get(a["action"], "dot"),
            )
            for a in view["activity"]
        ]

    def _is_repeat(self, once: tuple | None) -> bool:
        """Whether this submission was just handled (a double-click's second event)."""
        return (
            once is not None
            and self._last_submit == _digest(once)
            and _clock_ms() - self._last_submit_at < REPEAT_WINDOW_MS
        )

    def _remember(self, once: tuple | None) -> None:
        if once is not None:
            self._last_submit, self._last_submit_at = _digest(once), _clock_ms()

    def _run(
        self,
        action,
        success: str | None = None,
        *,
        once: tuple | None = None,
        clear: tuple[str, ...] = (),
    ):
        """Run a service call with the signed-in actor; toast errors, refresh on success.
        `once` names the submission: the same one again right after a success does nothing.
        `clear` names the inputs emptied after a success (a refused form keeps what was typed).
        """
        if self._is_repeat(once):
            return None
        try:
            actor = self._require_actor()
            with session_scope() as session:
                action(session, actor)
        except DomainError as exc:
            return toast_error(exc)
        self._remember(once)
        self._refresh()
        done = [rx.set_value(input_id, "") for input_id in clear]
        return [*done, rx.toast.success(success, position="top-center")] if success else done

    @rx.event
    def change_status(self, value: str):
        return self._run(
            lambda s, a: records.update_record(
                s, actor=a, app_slug=self.app_slug, record_id=self.record_id, status=value
            ),
            f"Status set to {humanize(value)}",
        )

    @rx.event
    def set_upload_requirement(self, value: str):
        self.upload_requirement = value

    @rx.event
    def set_upload_access(self, value: str):
        self.upload_access = value

    @rx.event
    async def upload_documents(self, files: list[rx.UploadFile]):
        if not files:
            return None
        self.uploading = True
        try:
            actor = self._require_actor()
            for upload in files:
                data = await upload.read()
                with session_scope() as session:
                    records.attach_document(
                        session,
                        actor=actor,
                        app_slug=self.app_slug,
                        record_id=self.record_id,
                        requirement_key=self.upload_requirement or None,
                        file_name=upload.name or "document",
                        content_type=upload.content_type or "",
                        data=data,
                        access_level=self.upload_access,
                        is_sensitive=self.upload_access != "general",
                        source="ui",
                    )
        except DomainError as exc:
            self.uploading = False
            return toast_error(exc)
        self.uploading = False
        self._refresh()
        return rx.toast.success("Document attached", position="top-center")

    @rx.event
    def approve_document(self, document_id: str):
        if any(d.id == document_id and d.status == "approved" for d in self.documents):
            return None  # approved by an earlier click
        return self._run(
            lambda s, a: records.review_document(
                s,
                actor=a,
                app_slug=self.app_slug,
                record_id=self.record_id,
                document_id=document_id,
                status="approved",
            ),
            "Document approved",
        )

    @rx.event
    def open_review(self, document_id: str, status: str):
        self.review_doc_id, self.review_status = document_id, status

    @rx.event
    def close_review(self):
        self.review_doc_id = ""

    @rx.event
    def submit_review(self, form: dict):
        if not self.review_doc_id:  # saved by an earlier click, which closed the dialog
            return None
        doc_id, status = self.review_doc_id, self.review_status
        result = self._run(
            lambda s, a: records.review_document(
                s,
                actor=a,
                app_slug=self.app_slug,
                record_id=self.record_id,
                document_id=doc_id,
                status=status,
                reason=form.get("reason", ""),
            ),
            f"Document marked {humanize(status).lower()}",
        )
        if self.documents and all(d.id != doc_id or d.status == status for d in self.documents):
            self.review_doc_id = ""
        return result

    @rx.event
    def add_task(self, form: dict):
        return self._run(
            lambda s, a: records.create_task(
                s,
                actor=a,
                app_slug=self.app_slug,
                record_id=self.record_id,
                title=form.get("title", ""),
                description=form.get("description", ""),
                due_date=form.get("dueDate") or None,
            ),
            "Task added",
            once=("add_task", sorted(form.items())),
            clear=("task-title", "task-due"),
        )

    @rx.event
    def toggle_task(self, task_id: str, done: bool):
        return self._run(
            lambda s, a: records.update_task(
                s,
                actor=a,
                app_slug=self.app_slug,
                record_id=self.record_id,
                task_id=task_id,
                status="completed" if done else "open",
            )
        )

    @rx.event
    def request_approval(self, form: dict):
        emails = [e.strip() for e in (form.get("approvers") or "").replace(";", ",").split(",")]
        return self._run(
            lambda s, a: approvals.request_approval(
                s,
                actor=a,
                app_slug=self.app_slug,
                record_id=self.record_id,
                title=form.get("title", ""),
                mode=form.get("mode") or "sequential",
                approvers=[{"approverEmail": e} for e in emails if e],
            ),
            "Approval requested; approvers were emailed",
            once=("request_approval", sorted(form.items())),
            clear=("approval-title", "approval-approvers"),
        )

    @rx.event
    def decide(self, approval_id: str, decision: str, comment: str = ""):
        if not any(
            line.approval_id == approval_id and line.can_decide for line in self.approval_lines
        ):
            return None  # decided by an earlier click: no step of it waits for you now
        return self._run(
            lambda s, a: approvals.decide_approval_step(
                s,
                actor=a,
                app_slug=self.app_slug,
                record_id=self.record_id,
                approval_id=approval_id,
                decision=decision,
                comment=comment,
            ),
            f"You {decision} the request",
            once=("decide", approval_id, decision),
        )

    @rx.event
    def reject_with_comment(self, form: dict):
        return self.decide(form.get("approvalId", ""), "rejected", form.get("comment", ""))

    @rx.event
    def assign_member(self, form: dict):
        return self._run(
            lambda s, a: records.assign_team_member(
                s,
                actor=a,
                app_slug=self.app_slug,
                record_id=self.record_id,
                user_id=form.get("userId", ""),
                role=form.get("role") or "contributor",
            ),
            "Team member assigned",
            once=("assign_member", sorted(form.items())),
        )

    @rx.event
    def remove_member(self, member_id: str):
        if all(m.id != member_id for m in self.members):
            return None  # removed by an earlier click
        return self._run(
            lambda s, a: records.remove_team_member(
                s, actor=a, app_slug=self.app_slug, record_id=self.record_id, member_id=member_id
            )
        )

    @rx.event
    def create_link(self, form: dict):
        email = (form.get("recipientEmail") or "").strip()
        send = form.get("sendEmail") in ("on", True, "true")
        return self._run(
            lambda s, a: portal.create_portal_link(
                s,
                actor=a,
                app_slug=self.app_slug,
                record_id=self.record_id,
                recipient_name=form.get("recipientName"),
                recipient_email=email or None,
                notification_channels=["email"] if send and email else [],
            ),
            "Portal link created",
            once=("create_link", sorted(form.items())),
            clear=("link-name", "link-email"),
        )

    @rx.event
    def copy_link(self, url: str):
        return [rx.set_clipboard(url), rx.toast.success("Link copied", position="top-center")]

    @rx.event
    def ask_revoke(self, link_id: str, label: str):
        """Open the confirmation before a portal link is revoked."""
        self.revoke_link_id, self.revoke_link_label = link_id, label

    @rx.event
    def cancel_revoke(self, open_: bool = False):
        if not open_:
            self.revoke_link_id = self.revoke_link_label = ""

    @rx.event
    def revoke_link(self):
        link_id, label = self.revoke_link_id, self.revoke_link_label
        if not link_id:  # revoked by an earlier click, which closed the dialog
            return None
        self.revoke_link_id = self.revoke_link_label = ""
        return self._run(
            lambda s, a: portal.revoke_portal_link(
                s, actor=a, app_slug=self.app_slug, record_id=self.record_id, link_id=link_id
            ),
            f"Link for {label} revoked" if label else "Link revoked",
        )

    @rx.event
    def set_vault_key(self, value: str):
        self.vault_key = value
        self.vault_error = ""
        key = value.strip()
        for item in self.vault_items:
            if item.field_key == key:
                self.vault_access = item.access_level  # keeps who can reveal it
                break

    @rx.event
    def set_vault_access(self, value: str):
        self.vault_access = value

    @rx.event
    def set_vault(self, form: dict):
        key = (form.get("fieldKey") or "").strip()
        # The value itself stays out of the remembered submission.
        once = ("set_vault", key, form.get("label"), form.get("accessLevel"))
        if self._is_repeat(once):
            return None
        existing = next((v for v in self.vault_items if v.field_key == key), None)
        if existing is not None and form.get("confirmReplace") not in ("on", True, "true"):
            self.vault_key = key
            self.vault_error = (
                f"“{existing.label}” already has a saved value ({existing.preview}). "
                "Tick “Replace the saved value” to save over it."
            )
            return None
        try:
            actor = self._require_actor()
            with session_scope() as session:
                records.set_vault_field(
                    session,
                    actor=actor,
                    app_slug=self.app_slug,
                    record_id=self.record_id,
                    field_key=key,
                    label=form.get("label"),
                    value=form.get("value", ""),
                    access_level=form.get("accessLevel") or "admin",
                    replace=existing is not None,
                )
        except DomainError as exc:
            self.vault_error = exc.message
            if exc.code == "conflict":  # saved meanwhile, elsewhere: show it and ask
                self.vault_key = key
                self._refresh()
            return None
        self._remember(once)
        self.vault_key = self.vault_error = ""
        self.vault_access = "admin"
        self._refresh()
        message = (
            f"Saved value of “{existing.label}” replaced" if existing else "Encrypted and saved"
        )
        # The form keeps what was typed when a save fails; after a save it starts empty.
        return [
            *(
                rx.set_value(input_id, "")
                for input_id in ("vault-key", "vault-label", "vault-value")
            ),
            rx.toast.success(message, position="top-center"),
        ]

    @rx.event
    def open_reveal(self, vault_id: str, label: str):
        self.reveal_id, self.reveal_label = vault_id, label
        self.revealed_value = self.reveal_error = ""

    @rx.event
    def close_reveal(self):
        self.reveal_id = self.reveal_label = self.revealed_value = self.reveal_error = ""

    @rx.event
    def reveal(self, form: dict):
        try:
            actor = self._require_actor()
            with session_scope() as session:
                value = records.reveal_vault_field(
                    session,
                    actor=actor,
                    app_slug=self.app_slug,
                    record_id=self.record_id,
                    vault_id=self.reveal_id,
                    password=form.get("password", ""),
                )
        except DomainError as exc:
            self.revealed_value = ""
            self.reveal_error = exc.message
            self._refresh()
            return None
        self.reveal_error = ""
        self.revealed_value = value
        self._refresh()
        return None


def _can_open(actor, doc: dict) -> bool:
    """Whether the signed-in person's role may open the file (the download route's rule)."""
    restricted = doc["isSensitive"] or doc["accessLevel"] != "general"
    return not restricted or records.access_allowed(actor, doc["accessLevel"])


def humanize_key(key: str) -> str:
    out = "".join(" " + c.lower() if c.isupper() else c for c in key)
    return out.replace("_", " ").strip().capitalize()


def _empty_note(text: str) -> rx.Component:
    return rx.text(text, size="2", color=rx.color("gray", 11))


def _section(title: str, icon: str, *children, action=None, **props) -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18, color=rx.color("accent", 10)),
                rx.heading(title, size="4"),
                rx.spacer(),
                action or rx.fragment(),
                align="center",
                width="100%",
            ),
            *children,
            spacing="3",
            width="100%",
        ),
        **props,
    )


def _checklist_item(item: ChecklistRow) -> rx.Component:
    return rx.hstack(
        rx.icon(
            rx.match(
                item.status,
                ("approved", "circle-check"),
                ("missing", "circle-dashed"),
                ("pending_review", "clock"),
                "circle-alert",
            ),
            color=rx.color(item.color, 10),
            size=18,
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(
                item.label,
                rx.cond(
                    item.required,
                    rx.fragment(),
                    rx.text.span(" (optional)", color=rx.color("gray", 11)),
                ),
                size="2",
                weight="medium",
            ),
            rx.text(item.description, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        rx.spacer(),
        status_badge(item.status, item.status_label, item.color),
        width="100%",
        align="center",
        padding_y="4px",
    )


def _checklist() -> rx.Component:
    return _section(
        "Checklist",
        "list-checks",
        rx.hstack(
            rx.progress(value=RecordState.percent, max=100, size="3", width="100%"),
            rx.text(RecordState.percent, "%", weight="bold", size="3"),
            align="center",
            width="100%",
        ),
        rx.text(RecordState.progress, size="1", color=rx.color("gray", 11)),
        rx.divider(),
        rx.vstack(rx.foreach(RecordState.checklist, _checklist_item), width="100%", spacing="1"),
        rx.divider(),
        rx.text("Attach a document", size="2", weight="medium"),
        rx.grid(
            choice_select(
                RecordState.requirement_options,
                placeholder="Requirement",
                aria_label="Requirement",
                value=RecordState.upload_requirement,
                on_change=RecordState.set_upload_requirement,
            ),
            choice_select(
                [(level, ACCESS_LABELS[level]) for level in ACCESS_LEVELS],
                value=RecordState.upload_access,
                on_change=RecordState.set_upload_access,
                trigger_id="upload-access",
                aria_label="Who can see the document",
            ),
            grid_template_columns="1fr 130px",
            gap="8px",
            width="100%",
        ),
        rx.upload(
            rx.vstack(
                rx.icon("upload", size=20, color=rx.color("gray", 11)),
                rx.text("Drop a file or click to choose", size="2"),
                rx.text(
                    RecordState.upload_hints[RecordState.upload_requirement],
                    size="1",
                    color=rx.color("gray", 11),
                    id="upload-hint",
                ),
                align="center",
                spacing="1",
            ),
            id="record-upload",
            multiple=False,
            on_drop=RecordState.upload_documents(rx.upload_files(upload_id="record-upload")),
            border=f"1px dashed {rx.color('gray', 7)}",
            border_radius="10px",
            padding="16px",
            width="100%",
            cursor="pointer",
        ),
    )


def _document(doc: DocumentRow) -> rx.Component:
    review_menu = rx.menu.root(
        rx.menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16), variant="ghost", size="1", aria_label="Review"
            )
        ),
        rx.menu.content(
            rx.menu.item("Approve", on_select=RecordState.approve_document(doc.id)),
            rx.menu.item(
                "Request revision", on_select=RecordState.open_review(doc.id, "needs_revision")
            ),
            rx.menu.item(
                "Reject", color="red", on_select=RecordState.open_review(doc.id, "rejected")
            ),
            rx.menu.item("Mark expired", on_select=RecordState.open_review(doc.id, "expired")),
        ),
    )
    return rx.hstack(
        rx.icon("file-text", size=20, color=rx.color("gray", 11), flex_shrink="0"),
        rx.vstack(
            rx.hstack(
                rx.cond(
                    doc.can_open,
                    rx.link(
                        doc.file_name,
                        href=doc.preview_url,
                        is_external=True,
                        weight="medium",
                        size="2",
                    ),
                    rx.text(doc.file_name, weight="medium", size="2"),
                ),
                rx.cond(
                    doc.sensitive,
                    rx.badge(rx.icon("lock", size=10), doc.access, color_scheme="orange"),
                ),
                spacing="2",
                align="center",
            ),
            rx.text(doc.requirement, " · ", doc.meta, size="1", color=rx.color("gray", 11)),
            rx.cond(
                ~doc.can_open,
                rx.text(doc.locked_note, size="1", color=rx.color("gray", 11)),
            ),
            rx.cond(doc.reason != "", rx.text(doc.reason, size="1", color=rx.color("red", 10))),
            spacing="0",
        ),
        rx.spacer(),
        status_badge(doc.status, doc.status_label, doc.color),
        rx.cond(
            doc.can_open,
            rx.tooltip(
                rx.link(
                    rx.icon_button(
                        rx.icon("download", size=14),
                        variant="ghost",
                        size="1",
                        aria_label="Download",
                    ),
                    href=doc.download_url,
                ),
                content="Download",
            ),
        ),
        rx.cond(doc.can_review, review_menu),
        width="100%",
        align="center",
        padding_y="6px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _review_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Review document"),
            rx.dialog.description(
                "Mark as ",
                rx.text.strong(RecordState.review_status_label),
                ". The reason is shown to the sender.",
            ),
            rx.form(
                rx.vstack(
                    rx.text_area(name="reason", placeholder="What needs to change?", width="100%"),
                    rx.hstack(
                        rx.button(
                            "Cancel",
                            variant="soft",
                            type="button",
                            on_click=RecordState.close_review,
                        ),
                        rx.button("Save review", type="submit"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_submit=RecordState.submit_review,
                reset_on_submit=True,
            ),
        ),
        open=RecordState.review_doc_id != "",
        on_open_change=lambda _open: RecordState.close_review(),
    )


def _documents() -> rx.Component:
    return _section(
        "Documents",
        "files",
        rx.cond(
            RecordState.documents.length() > 0,
            rx.vstack(rx.foreach(RecordState.documents, _document), width="100%", spacing="0"),
            rx.text(
                "No documents yet. Attach one above or send a portal link.",
                size="2",
                color=rx.color("gray", 11),
            ),
        ),
        _review_dialog(),
    )


def _task(task: TaskRow) -> rx.Component:
    return rx.hstack(
        rx.checkbox(
            checked=task.done,
            on_change=lambda checked: RecordState.toggle_task(task.id, checked),
            aria_label="Done",
        ),
        rx.vstack(
            rx.text(
                task.title,
                size="2",
                text_decoration=rx.cond(task.done, "line-through", "none"),
                color=rx.cond(task.done, rx.color("gray", 11), "inherit"),
            ),
            rx.cond(
                task.description != "",
                rx.text(task.description, size="1", color=rx.color("gray", 11)),
            ),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(task.renewal, rx.badge("Renewal", color_scheme="amber")),
        rx.cond(task.due != "", rx.text(task.due, size="1", color=rx.color("gray", 11))),
        width="100%",
        align="center",
    )


def _tasks() -> rx.Component:
    return _section(
        "Tasks",
        "list-todo",
        rx.cond(
            RecordState.tasks.length() > 0,
            rx.vstack(rx.foreach(RecordState.tasks, _task), width="100%"),
            _empty_note("No tasks yet."),
        ),
        rx.form(
            rx.hstack(
                rx.input(
                    name="title",
                    placeholder="New task",
                    aria_label="New task",
                    required=True,
                    width="100%",
                    id="task-title",
                ),
                rx.input(
                    name="dueDate", type="date", aria_label="Due date", width="160px", id="task-due"
                ),
                rx.button(rx.icon("plus", size=14), "Add", type="submit"),
                width="100%",
            ),
            on_submit=RecordState.add_task,
            width="100%",
        ),
    )


def _approval_line(line: ApprovalLine) -> rx.Component:
    header = rx.hstack(
        rx.text(line.title, weight="medium"),
        rx.badge(line.mode, variant="outline"),
        rx.spacer(),
        status_badge("", line.approval_status_label, line.approval_color),
        width="100%",
        align="center",
        padding_top="10px",
        border_top=f"1px solid {rx.color('gray', 4)}",
    )
    step = rx.hstack(
        rx.badge(line.number, variant="outline", radius="full"),
        rx.text(line.email, size="2"),
        rx.cond(
            line.comment != "",
            rx.text("“", line.comment, "”", size="1", color=rx.color("gray", 11)),
        ),
        rx.spacer(),
        status_badge("", line.status_label, line.color),
        width="100%",
        align="center",
        padding_left="8px",
    )
    decide = rx.form(
        rx.hstack(
            rx.input(
                name="comment",
                placeholder="Comment (required to reject)",
                aria_label="Comment",
                width="100%",
            ),
            rx.input(type="hidden", name="approvalId", value=line.approval_id),
            rx.button(
                "Approve",
                type="button",
                color_scheme="green",
                on_click=RecordState.decide(line.approval_id, "approved", ""),
            ),
            rx.button("Reject", type="submit", color_scheme="red", variant="soft"),
            width="100%",
        ),
        on_submit=RecordState.reject_with_comment,
        width="100%",
    )
    return rx.vstack(
        rx.cond(line.first, header),
        step,
        rx.cond(line.last & line.can_decide, decide),
        width="100%",
        spacing="2",
    )


def _approvals() -> rx.Component:
    return _section(
        "Approvals",
        "stamp",
        rx.cond(
            RecordState.approval_lines.length() > 0,
            rx.vstack(rx.foreach(RecordState.approval_lines, _approval_line), width="100%"),
            _empty_note("No approvals requested yet."),
        ),
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.input(
                        name="title",
                        placeholder="Finance approval",
                        aria_label="Approval title",
                        required=True,
                        width="100%",
                        id="approval-title",
                    ),
                    choice_select(
                        labelled(("sequential", "parallel")),
                        name="mode",
                        aria_label="Approval order",
                        default_value="sequential",
                        width="140px",
                    ),
                    width="100%",
                ),
                rx.hstack(
                    rx.input(
                        name="approvers",
                        placeholder="Approver emails, in order (comma separated)",
                        aria_label="Approver emails",
                        required=True,
                        width="100%",
                        id="approval-approvers",
                    ),
                    rx.button("Request", type="submit"),
                    width="100%",
                ),
                width="100%",
                spacing="2",
            ),
            on_submit=RecordState.request_approval,
            width="100%",
        ),
    )


def _member(member: MemberRow) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=member.email[:2].upper(), size="2", radius="full"),
        rx.vstack(
            rx.text(rx.cond(member.name != "", member.name, member.email), size="2"),
            rx.text(member.role, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("x", size=14),
            variant="ghost",
            size="1",
            on_click=RecordState.remove_member(member.id),
            aria_label="Remove from the team",
        ),
        width="100%",
        align="center",
    )


def _team() -> rx.Component:
    return _section(
        "Team",
        "users",
        rx.cond(
            RecordState.members.length() > 0,
            rx.vstack(rx.foreach(RecordState.members, _member), width="100%"),
            _empty_note("No one is assigned to this record yet."),
        ),
        rx.form(
            rx.grid(
                choice_select(
                    RecordState.member_options,
                    placeholder="Member",
                    aria_label="Member",
                    name="userId",
                ),
                choice_select(
                    labelled(TEAM_ROLES),
                    aria_label="Role",
                    name="role",
                    default_value="contributor",
                ),
                rx.button("Assign", type="submit"),
                grid_template_columns="1fr 130px auto",
                gap="8px",
                width="100%",
            ),
            on_submit=RecordState.assign_member,
            width="100%",
        ),
    )


def _link(link: LinkRow) -> rx.Component:
    live = (link.status == "active") | (link.status == "submitted")
    return rx.vstack(
        rx.hstack(
            rx.text(link.recipient, size="2", weight="medium"),
            rx.spacer(),
            status_badge(link.status, link.status_label, link.color),
            width="100%",
        ),
        rx.hstack(
            rx.text(link.meta, size="1", color=rx.color("gray", 11)),
            rx.spacer(),
            rx.cond(
                live,
                rx.button(
                    rx.icon("link-2-off", size=14),
                    "Revoke",
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=RecordState.ask_revoke(link.id, link.recipient),
                    class_name="revoke-link",
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            live,
            rx.hstack(
                rx.input(
                    value=link.url,
                    read_only=True,
                    size="1",
                    width="100%",
                    aria_label="Portal link address",
                ),
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("copy", size=14),
                        size="1",
                        variant="soft",
                        on_click=RecordState.copy_link(link.url),
                        aria_label="Copy link",
                    ),
                    content="Copy link",
                ),
                width="100%",
            ),
        ),
        width="100%",
        spacing="1",
        padding_bottom="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _revoke_dialog() -> rx.Component:
    return confirm_dialog(
        "Revoke this portal link?",
        [
            "The link for ",
            rx.text.strong(RecordState.revoke_link_label),
            " stops working at once: opening it shows that it was revoked. "
            "This cannot be undone; create a new link to invite them again.",
        ],
        keep="Keep link",
        confirm="Revoke link",
        on_confirm=RecordState.revoke_link,
        confirm_id="revoke-link-confirm",
        open=RecordState.revoke_link_id != "",
        on_open_change=RecordState.cancel_revoke,
    )


def _links() -> rx.Component:
    return _section(
        "Portal links",
        "link",
        rx.cond(
            RecordState.links.length() > 0,
            rx.vstack(rx.foreach(RecordState.links, _link), width="100%"),
            _empty_note(
                "No portal links yet. A link lets the other side upload documents and fill in "
                "details without an account."
            ),
        ),
        rx.form(
            rx.vstack(
                rx.input(
                    name="recipientName",
                    placeholder="Recipient name",
                    aria_label="Recipient name",
                    width="100%",
                    id="link-name",
                ),
                rx.input(
                    name="recipientEmail",
                    type="email",
                    placeholder="Recipient email",
                    aria_label="Recipient email",
                    width="100%",
                    id="link-email",
                ),
                rx.hstack(
                    rx.checkbox("Email the link", name="sendEmail", default_checked=True),
                    rx.spacer(),
                    rx.button(rx.icon("link", size=14), "Create link", type="submit"),
                    width="100%",
                    align="center",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=RecordState.create_link,
            width="100%",
        ),
        _revoke_dialog(),
    )


def _vault_row(item: VaultRow) -> rx.Component:
    return rx.hstack(
        rx.icon("lock", size=16, color=rx.color("gray", 11), flex_shrink="0"),
        rx.vstack(
            rx.text(item.label, size="2", weight="medium"),
            rx.text("Access: ", item.access, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        rx.spacer(),
        rx.code(item.preview, class_name="vault-preview"),
        rx.cond(
            item.can_reveal,
            rx.button(
                rx.icon("eye", size=14),
                "Reveal",
                size="1",
                variant="soft",
                on_click=RecordState.open_reveal(item.id, item.label),
            ),
            rx.text(
                item.locked_note,
                size="1",
                color=rx.color("gray", 11),
                class_name="vault-locked",
                max_width="160px",
            ),
        ),
        width="100%",
        align="center",
    )


def _reveal_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reveal ", RecordState.reveal_label),
            rx.cond(
                RecordState.revealed_value != "",
                rx.vstack(
                    rx.code(RecordState.revealed_value, size="5", id="revealed-value"),
                    rx.text(
                        "This reveal was recorded in the activity log.",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                    rx.button("Hide", on_click=RecordState.close_reveal, width="100%"),
                    spacing="3",
                ),
                rx.form(
                    rx.vstack(
                        rx.text("Enter your password to confirm it is you.", size="2"),
                        rx.cond(
                            RecordState.reveal_error != "",
                            rx.callout(
                                RecordState.reveal_error,
                                icon="shield-alert",
                                color_scheme="red",
                                id="reveal-error",
                            ),
                        ),
                        rx.input(
                            name="password",
                            type="password",
                            required=True,
                            id="reveal-password",
                            aria_label="Your password",
                            width="100%",
                        ),
                        rx.hstack(
                            rx.button(
                                "Cancel",
                                variant="soft",
                                type="button",
                                on_click=RecordState.close_reveal,
                            ),
                            rx.button("Reveal", type="submit", id="reveal-submit"),
                            justify="end",
                            width="100%",
                        ),
                        spacing="3",
                    ),
                    on_submit=RecordState.reveal,
                    reset_on_submit=True,
                ),
            ),
        ),
        open=RecordState.reveal_id != "",
        on_open_change=lambda _open: RecordState.close_reveal(),
    )


def _vault_replace_notice() -> rx.Component:
    return rx.cond(
        RecordState.vault_replaces != "",
        rx.callout(
            rx.vstack(
                rx.text(
                    "“",
                    RecordState.vault_replaces_label,
                    "” is already saved. Saving replaces the saved value ",
                    rx.code(RecordState.vault_replaces),
                    "; the old value can't be recovered.",
                ),
                rx.checkbox(
                    "Replace the saved value",
                    name="confirmReplace",
                    required=True,
                    id="vault-confirm-replace",
                ),
                spacing="2",
            ),
            icon="triangle-alert",
            color_scheme="amber",
            size="1",
            width="100%",
        ),
    )


def _vault() -> rx.Component:
    return _section(
        "Vault",
        "vault",
        rx.text(
            "Values are encrypted; only the last characters are ever shown.",
            size="1",
            color=rx.color("gray", 11),
        ),
        rx.cond(
            RecordState.vault_items.length() > 0,
            rx.vstack(rx.foreach(RecordState.vault_items, _vault_row), width="100%"),
            _empty_note("Nothing saved in the vault yet."),
        ),
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.input(
                        name="fieldKey",
                        placeholder="field_key e.g. bank_account",
                        aria_label="Field key",
                        required=True,
                        width="100%",
                        id="vault-key",
                        on_change=RecordState.set_vault_key,
                    ),
                    rx.input(
                        name="label",
                        placeholder="Label",
                        aria_label="Label",
                        width="100%",
                        id="vault-label",
                    ),
                    width="100%",
                ),
                rx.hstack(
                    rx.input(
                        name="value",
                        type="password",
                        placeholder="Value",
                        aria_label="Value",
                        required=True,
                        width="100%",
                        auto_complete="off",
                        id="vault-value",
                    ),
                    choice_select(
                        [(level, ACCESS_LABELS[level]) for level in VAULT_ACCESS_LEVELS],
                        name="accessLevel",
                        aria_label="Who can reveal it",
                        value=RecordState.vault_access,
                        on_change=RecordState.set_vault_access,
                        width="120px",
                    ),
                    rx.button(
                        rx.cond(RecordState.vault_replaces != "", "Replace", "Save"),
                        type="submit",
                        id="vault-save",
                    ),
                    width="100%",
                ),
                _vault_replace_notice(),
                rx.cond(
                    RecordState.vault_error != "",
                    rx.callout(
                        RecordState.vault_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        size="1",
                        role="alert",
                        width="100%",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=RecordState.set_vault,
            width="100%",
        ),
        _reveal_dialog(),
    )


def _activity_row(row: ActivityRow) -> rx.Component:
    return rx.hstack(
        rx.box(
            rx.icon(row.icon, size=14, color=rx.color("accent", 11)),
            background=rx.color("accent", 3),
            padding="6px",
            border_radius="999px",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(row.description, size="2"),
            rx.text(row.who, " · ", row.when, size="1", color=rx.color("gray", 11)),
            spacing="0",
        ),
        align="start",
        width="100%",
    )


def _activity() -> rx.Component:
    return _section(
        "Activity",
        "history",
        rx.vstack(rx.foreach(RecordState.activity, _activity_row), width="100%", spacing="3"),
        max_height="520px",
        overflow_y="auto",
    )


def _detail(detail: Choice) -> rx.Component:
    return rx.vstack(
        rx.text(detail.label, size="1", color=rx.color("gray", 11)),
        rx.text(detail.value, size="2", weight="medium"),
        spacing="0",
    )


def _header() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.hstack(
                        rx.heading(RecordState.title, size="6"),
                        status_badge(
                            RecordState.status, RecordState.status_label, RecordState.status_color
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.text(
                        RecordState.type_label,
                        " · ",
                        RecordState.party,
                        size="2",
                        color=rx.color("gray", 11),
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                choice_select(
                    RecordState.status_options,
                    value=RecordState.status,
                    on_change=RecordState.change_status,
                    width="190px",
                    trigger_id="status-select",
                    aria_label="Status",
                ),
                width="100%",
                align="start",
                wrap="wrap",
            ),
            rx.grid(
                rx.foreach(RecordState.details, _detail),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        )
    )


def record_page() -> rx.Component:
    return app_shell(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14), rx.text("Back to ", RecordState.app_name, size="2")
            ),
            href=RecordState.back_href,
        ),
        rx.cond(
            RecordState.found,
            rx.vstack(
                _header(),
                rx.grid(
                    rx.vstack(
                        _checklist(),
                        _documents(),
                        _tasks(),
                        _approvals(),
                        width="100%",
                        spacing="4",
                    ),
                    rx.vstack(_vault(), _links(), _team(), _activity(), width="100%", spacing="4"),
                    columns=rx.breakpoints(initial="1", lg="2"),
                    spacing="4",
                    width="100%",
                ),
                width="100%",
                spacing="4",
            ),
            rx.callout(
                "This record does not exist or belongs to another organization.", icon="search-x"
            ),
        ),
        title=RecordState.app_name,
    )
