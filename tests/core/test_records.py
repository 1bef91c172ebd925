"""Record engine: approvals, renewals, the encrypted vault and the intake portal."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.record_samples import reveal
from workspace.core import clock, keyring, vault
from workspace.core.actor import Actor
from workspace.core.db import session_scope
from workspace.core.errors import Conflict, Forbidden, ValidationFailed
from workspace.core.models import (
    AppRecord,
    AuditLog,
    Event,
    Membership,
    OutboxMessage,
    RecordDocument,
    RecordTask,
    User,
    VaultItem,
)
from workspace.core.passwords import hash_password
from workspace.core.schemas.records import ComplianceCreate, IntakeCreate
from workspace.core.services import approvals, portal, records, renewals

PDF = b"%PDF-1.4\n%%EOF\n"
INTAKE = "business-intake"


def ms(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000)


def _user(org, email: str, role: str, password: str = "member-pass-1") -> Actor:
    with session_scope() as session:
        user = User(email=email, name=email.split("@")[0], password_hash=hash_password(password))
        session.add(user)
        session.flush()
        session.add(Membership(org_id=org.org_id, user_id=user.id, role=role))
        return Actor(org_id=org.org_id, type="user", user_id=user.id, email=email, role=role)


def _owner(org) -> Actor:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == org.owner_email)).one()
        return Actor(
            org_id=org.org_id, type="user", user_id=user.id, email=user.email, role="owner"
        )


def _intake(actor: Actor, **extra) -> str:
    with session_scope() as session:
        record = records.create_intake(
            session,
            actor=actor,
            data=IntakeCreate(
                title="Acme Catering",
                intakeType="vendor",
                contactName="Sam Lee",
                contactEmail="sam@example.com",
                **extra,
            ),
        )
        return record.id


def _events(prefix: str = "") -> list[str]:
    with session_scope() as session:
        return [e.type for e in session.exec(select(Event)) if e.type.startswith(prefix)]


# ---------------------------------------------------------------- approvals


def _request(actor, record_id, mode, approvers):
    with session_scope() as session:
        approval = approvals.request_approval(
            session,
            actor=actor,
            app_slug=INTAKE,
            record_id=record_id,
            title="Finance approval",
            mode=mode,
            approvers=approvers,
        )
        return approval.id


def _steps(approval_id):
    with session_scope() as session:
        return [(s.approver_email, s.status) for s in approvals.steps_of(session, approval_id)]


def _status(approval_id):
    from workspace.core.models import Approval

    with session_scope() as session:
        return session.get(Approval, approval_id).status


def _tokens(approval_id):
    with session_scope() as session:
        return {
            s.approver_email: approvals.step_token(s.id)
            for s in approvals.steps_of(session, approval_id)
        }


def test_sequential_approval_runs_in_order_and_emails_each_approver(org):
    record_id = _intake(org.actor)
    approval_id = _request(
        org.actor,
        record_id,
        "sequential",
        [
            {"approverEmail": "finance@example.com", "stepNumber": 1},
            {"approverEmail": "ceo@example.com", "stepNumber": 2},
        ],
    )
    assert _steps(approval_id) == [
        ("finance@example.com", "pending"),
        ("ceo@example.com", "waiting"),
    ]
    with session_scope() as session:
        sent = [m.to_email for m in session.exec(select(OutboxMessage))]
    assert sent == ["finance@example.com"]
    tokens = _tokens(approval_id)
    with session_scope() as session, pytest.raises(Conflict):
        approvals.decide_by_token(session, token=tokens["ceo@example.com"], decision="approved")
    with session_scope() as session:
        approvals.decide_by_token(
            session, token=tokens["finance@example.com"], decision="approved", comment="ok"
        )
    assert _steps(approval_id)[1] == ("ceo@example.com", "pending")
    ceo = _user(org, "ceo@example.com", "admin")
    with session_scope() as session:
        approvals.decide_approval_step(
            session,
            actor=ceo,
            app_slug=INTAKE,
            record_id=record_id,
            approval_id=approval_id,
            decision="approved",
        )
    assert _status(approval_id) == "approved"
    assert "business_intake.approval.completed" in _events()
    assert _events("app.approval.step_decided").count("app.approval.step_decided") == 2
    with session_scope() as session:
        audit = session.exec(
            select(AuditLog).where(AuditLog.action == "approval_step_decided")
        ).all()
    assert {a.actor_email for a in audit} == {"finance@example.com", "ceo@example.com"}


def test_parallel_approval_asks_everyone_and_any_rejection_rejects(org):
    record_id = _intake(org.actor)
    approval_id = _request(
        org.actor,
        record_id,
        "parallel",
        [
            {"approverEmail": "a@example.com"},
            {"approverEmail": "b@example.com"},
            {"approverEmail": "c@example.com"},
        ],
    )
    assert {s for _, s in _steps(approval_id)} == {"pending"}
    tokens = _tokens(approval_id)
    with session_scope() as session:
        approvals.decide_by_token(session, token=tokens["a@example.com"], decision="approved")
    with session_scope() as session, pytest.raises(ValidationFailed):
        approvals.decide_by_token(session, token=tokens["b@example.com"], decision="rejected")
    with session_scope() as session:
        approvals.decide_by_token(
            session, token=tokens["b@example.com"], decision="rejected", comment="Missing COI"
        )
    assert _status(approval_id) == "rejected"
    assert _steps(approval_id) == [
        ("a@example.com", "approved"),
        ("b@example.com", "rejected"),
        ("c@example.com", "skipped"),
    ]
    with session_scope() as session, pytest.raises(Conflict):
        approvals.decide_by_token(session, token=tokens["c@example.com"], decision="approved")
    assert "business_intake.approval.completed" not in _events()


def test_parallel_approval_completes_when_all_approve_and_strangers_cannot_decide(org):
    record_id = _intake(org.actor)
    approval_id = _request(
        org.actor,
        record_id,
        "parallel",
        [{"approverEmail": "a@example.com"}, {"approverEmail": "b@example.com"}],
    )
    stranger = _user(org, "x@example.com", "member")
    with session_scope() as session, pytest.raises(Forbidden):
        approvals.decide_approval_step(
            session,
            actor=stranger,
            app_slug=INTAKE,
            record_id=record_id,
            approval_id=approval_id,
            decision="approved",
        )
    for email in ("a@example.com", "b@example.com"):
        with session_scope() as session:
            approvals.decide_by_token(
                session, token=_tokens(approval_id)[email], decision="approved"
            )
    assert _status(approval_id) == "approved"


# ---------------------------------------------------------------- renewals


def _compliance(actor, **extra) -> str:
    with session_scope() as session:
        record = records.create_compliance_item(
            session,
            actor=actor,
            data=ComplianceCreate(
                title="General Liability COI",
                trackingType="insurance_coi",
                relatedPartyName="Northstar Logistics",
                relatedPartyEmail="ops@northstar.example",
                expirationDate="2026-08-01",
                renewalDueDate="2026-07-15",
                **extra,
            ),
        )
        return record.id


def _record(record_id) -> AppRecord:
    with session_scope() as session:
        return session.get(AppRecord, record_id)


def test_renewal_job_moves_items_through_expiring_soon_and_expired(org):
    with clock.travel(to_ms=ms("2026-05-01")):
        item = _compliance(org.actor)
        quiet = _compliance(org.actor, renewalWindowDays=7)
    from workspace.core.jobs import run_due_jobs

    with clock.travel(to_ms=ms("2026-06-10")):
        assert run_due_jobs() >= 1
        assert _record(item).status == "pending_documents"
    with clock.travel(to_ms=ms("2026-06-16")):
        with session_scope() as session:
            result = renewals.run_renewals(session)
        assert result.expiring_soon == 1
    assert _record(item).status == "expiring_soon"
    assert _record(quiet).status == "pending_documents"
    with session_scope() as session:
        tasks = session.exec(select(RecordTask).where(RecordTask.record_id == item)).all()
        mail = [m.to_email for m in session.exec(select(OutboxMessage))]
    assert [t.title for t in tasks] == ["Renew: General Liability COI"]
    assert tasks[0].kind == "renewal" and tasks[0].due_at == ms("2026-07-15")
    assert sorted(mail) == sorted([org.owner_email, "ops@northstar.example"])
    with clock.travel(to_ms=ms("2026-06-17")), session_scope() as session:
        assert renewals.run_renewals(session).expiring_soon == 0  # already moved, no repeat
    with clock.travel(to_ms=ms("2026-08-02")), session_scope() as session:
        result = renewals.run_renewals(session)
    assert result.expired == 2
    assert _record(item).status == "expired"
    events = _events("renewals_compliance.item.status_changed")
    assert len(events) == 3  # the 7-day item went straight to expired


def test_documents_past_their_validity_expire(org):
    with clock.travel(to_ms=ms("2026-01-01")):
        record_id = _intake(org.actor)
        with session_scope() as session:
            doc = records.attach_document(
                session,
                actor=org.actor,
                app_slug=INTAKE,
                record_id=record_id,
                requirement_key="certificate_of_insurance",
                file_name="coi.pdf",
                content_type="application/pdf",
                data=PDF,
                status="approved",
            )
            doc_id = doc.id
    with clock.travel(to_ms=ms("2026-12-31")), session_scope() as session:
        assert renewals.run_renewals(session).documents_expired == 0
    with clock.travel(to_ms=ms("2027-01-02")):
        with session_scope() as session:
            assert renewals.run_renewals(session).documents_expired == 1
        with session_scope() as session:
            assert session.get(RecordDocument, doc_id).status == "expired"
            view = records.get_record_view(
                session, actor=org.actor, app_slug=INTAKE, record_id=record_id
            )
    coi = next(c for c in view["checklist"] if c["key"] == "certificate_of_insurance")
    assert coi["status"] == "expired"
    assert "business_intake.document.reviewed" in _events()


def test_approving_every_required_document_makes_an_item_compliant(org):
    with clock.travel(to_ms=ms("2026-05-01")):  # before the renewal window opens
        item = _compliance(org.actor)
        for key in ("certificate_of_insurance", "policy_declarations"):
            with session_scope() as session:
                doc = records.attach_document(
                    session,
                    actor=org.actor,
                    app_slug="renewals-compliance",
                    record_id=item,
                    requirement_key=key,
                    file_name=f"{key}.pdf",
                    content_type="application/pdf",
                    data=PDF,
                )
                records.review_document(
                    session,
                    actor=org.actor,
                    app_slug="renewals-compliance",
                    record_id=item,
                    document_id=doc.id,
                    status="approved",
                )
        assert _record(item).status == "compliant"


# ---------------------------------------------------------------- vault


def _set(actor, record_id, key="bank_account", value="1234567890", level="finance"):
    with session_scope() as session:
        return records.set_vault_field(
            session,
            actor=actor,
            app_slug=INTAKE,
            record_id=record_id,
            field_key=key,
            value=value,
            label="Bank account",
            access_level=level,
        ).id


def test_vault_values_are_encrypted_with_a_fresh_key_and_bound_to_their_row(org):
    owner = _owner(org)
    first = _intake(owner)
    second = _intake(owner)
    a = _set(owner, first)
    b = _set(owner, second)
    with session_scope() as session:
        item_a, item_b = session.get(VaultItem, a), session.get(VaultItem, b)
        assert item_a.redacted_preview == "****7890"
        assert b"1234567890" not in item_a.ciphertext + item_a.wrapped_key
        assert item_a.wrapped_key != item_b.wrapped_key and item_a.nonce != item_b.nonce
        assert item_a.key_id == keyring.load_keyring().active_id
        # Move first's ciphertext and wrapped key onto the second row: decryption fails.
        item_b.ciphertext, item_b.nonce = item_a.ciphertext, item_a.nonce
        item_b.wrapped_key, item_b.key_id = item_a.wrapped_key, item_a.key_id
    with pytest.raises(vault.VaultDecryptError):
        reveal(owner, second, b, "correct-horse-1")
    with session_scope() as session:
        moved = session.get(VaultItem, a)
        moved.field_key = "tax_id"
        with pytest.raises(vault.VaultDecryptError):
            records.decrypt_item(moved)
        session.rollback()
    assert reveal(owner, first, a, "correct-horse-1") == "1234567890"
    with session_scope() as session:
        actions = [
            r.action for r in session.exec(select(AuditLog).where(AuditLog.subject_id == first))
        ]
    assert "vault_revealed" in actions


def test_reveal_needs_an_allowed_role_and_the_password(org):
    owner = _owner(org)
    record_id = _intake(owner)
    finance_value = _set(owner, record_id)
    hr_value = _set(owner, record_id, key="ssn", value="123-45-6789", level="hr")
    member = _user(org, "member@acme.test", "member")
    finance = _user(org, "money@acme.test", "finance", password="finance-pass-1")
    with pytest.raises(Forbidden):
        reveal(member, record_id, finance_value, "member-pass-1")
    with pytest.raises(Forbidden):
        reveal(finance, record_id, hr_value, "finance-pass-1")
    with pytest.raises(Forbidden, match="password"):
        reveal(finance, record_id, finance_value, "wrong-password")
    assert reveal(finance, record_id, finance_value, "finance-pass-1") == "1234567890"
    api = Actor(org_id=org.org_id, type="api", role="admin")
    with pytest.raises(Forbidden):
        reveal(api, record_id, finance_value, "")
    with session_scope() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.subject_id == record_id)).all()
    denied = [r for r in rows if r.action == "vault_reveal_denied"]
    assert len(denied) == 4 and all("123-45" not in r.description for r in rows)


def test_rotation_rewraps_every_data_key_and_old_values_still_decrypt(org):
    owner = _owner(org)
    record_id = _intake(owner)
    ids = [_set(owner, record_id, key=f"field_{i}", value=f"secret-value-{i}") for i in range(3)]
    old_key = keyring.load_keyring().active_id
    new_key, counts = keyring.rotate_master_key()
    assert counts["vault"] == 3 and new_key != old_key
    with session_scope() as session:
        assert {session.get(VaultItem, i).key_id for i in ids} == {new_key}
    for index, vault_id in enumerate(ids):
        assert reveal(owner, record_id, vault_id, "correct-horse-1") == f"secret-value-{index}"
    # Values wrapped under the new key survive a second rotation, via the CLI.
    from workspace.cli import main

    assert main(["rotate-keys"]) == 0
    assert reveal(owner, record_id, ids[0], "correct-horse-1") == "secret-value-0"


# ---------------------------------------------------------------- portal


def _portal(actor, record_id, **extra) -> str:
    with session_scope() as session:
        link = portal.create_portal_link(
            session,
            actor=actor,
            app_slug=INTAKE,
            record_id=record_id,
            recipient_email="sam@example.com",
            notification_channels=["email"],
            **extra,
        )
        return portal.portal_token(link.id), link.id


def test_portal_upload_and_submit_encrypts_details_and_notifies_owner(org):
    record_id = _intake(org.actor)
    token, _ = _portal(org.actor, record_id)
    with session_scope() as session:
        view = portal.open_portal(session, token=token)
        assert view.state == "active" and [f["fieldKey"] for f in view.link.requested_fields] == [
            "tax_id",
            "bank_account",
        ]
        assert len(view.checklist) == 4
    with session_scope() as session:
        portal.portal_upload(
            session,
            token=token,
            requirement_key="tax_form",
            file_name="w9.pdf",
            content_type="application/pdf",
            data=PDF,
        )
    with session_scope() as session, pytest.raises(ValidationFailed):
        portal.portal_submit(session, token=token, values={"password": "x"})
    with session_scope() as session:
        portal.portal_submit(
            session, token=token, values={"tax_id": "98-7654321", "bank_account": "000123456789"}
        )
    with session_scope() as session:
        view = portal.open_portal(session, token=token)
        assert view.state == "submitted"
        assert view.filled_fields == {"tax_id": "****4321", "bank_account": "****6789"}
        assert session.get(AppRecord, record_id).status == "pending_review"
        subjects = [(m.to_email, m.subject) for m in session.exec(select(OutboxMessage))]
    assert (org.owner_email, "Portal submission: Acme Catering") in subjects
    events = _events()
    assert "app.portal.submitted" in events and "business_intake.portal.submitted" in events
    assert "business_intake.payment_details.updated" in events


def test_revoked_and_expired_links_refuse_uploads(org):
    record_id = _intake(org.actor)
    token, link_id = _portal(org.actor, record_id, expires_in_days=1)
    with clock.travel(by_ms=2 * records.DAY_MS), session_scope() as session:
        assert portal.open_portal(session, token=token).state == "expired"
        with pytest.raises(Conflict, match="expired"):
            portal.portal_submit(session, token=token, values={"tax_id": "1"})
    with session_scope() as session:
        portal.revoke_portal_link(
            session, actor=org.actor, app_slug=INTAKE, record_id=record_id, link_id=link_id
        )
    with session_scope() as session:
        assert portal.open_portal(session, token=token).state == "revoked"
        with pytest.raises(Conflict, match="revoked"):
            portal.portal_upload(
                session,
                token=token,
                requirement_key="tax_form",
                file_name="w9.pdf",
                content_type="application/pdf",
                data=PDF,
            )
