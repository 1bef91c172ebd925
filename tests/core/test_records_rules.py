"""Record rules found in review: closed records take no portal changes or approvals, compliance
items take their due status at once, the vault asks before replacing a value and limits
wrong passwords, returned documents reach their sender, messages read as sentences."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.record_samples import reveal, vendor_intake
from workspace.core import clock
from workspace.core.actor import Actor
from workspace.core.db import session_scope
from workspace.core.errors import Conflict, Forbidden, RateLimited, ValidationFailed
from workspace.core.models import (
    AppRecord,
    AuditLog,
    Membership,
    OutboxMessage,
    RecordTask,
    User,
    VaultItem,
)
from workspace.core.schemas.records import ComplianceCreate, HiringCreate
from workspace.core.services import approvals, portal, records

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n0000"
INTAKE = "business-intake"
COMPLIANCE = "renewals-compliance"


def ms(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp() * 1000)


def _portal(actor, record_id) -> str:
    with session_scope() as session:
        link = portal.create_portal_link(
            session,
            actor=actor,
            app_slug=INTAKE,
            record_id=record_id,
            recipient_email="sam@example.com",
        )
        return portal.portal_token(link.id)


def _status(actor, record_id, status, app_slug=INTAKE):
    with session_scope() as session:
        records.update_record(
            session, actor=actor, app_slug=app_slug, record_id=record_id, status=status
        )


def _upload(token, data=PDF, content_type="application/pdf", key="tax_form"):
    with session_scope() as session:
        return portal.portal_upload(
            session,
            token=token,
            requirement_key=key,
            file_name="w9.pdf",
            content_type=content_type,
            data=data,
        ).id


def _set(actor, record_id, value, *, replace=False, label="Bank account"):
    with session_scope() as session:
        return records.set_vault_field(
            session,
            actor=actor,
            app_slug=INTAKE,
            record_id=record_id,
            field_key="bank_account",
            value=value,
            label=label,
            access_level="finance",
            replace=replace,
        ).id


def _audit(action: str) -> list[AuditLog]:
    with session_scope() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == action)))


# ---------------------------------------------------------------- closed records


@pytest.mark.parametrize("status", ["rejected", "inactive", "approved", "active"])
def test_a_closed_intake_refuses_portal_uploads_and_details(org, status):
    record_id = vendor_intake(org)
    token = _portal(org.actor, record_id)
    with session_scope() as session:
        portal.portal_submit(session, token=token, values={"bank_account": "000011116819"})
    _status(org.actor, record_id, status)
    with session_scope() as session:
        view = portal.open_portal(session, token=token)
        assert view.state == "closed"
    with pytest.raises(Conflict, match="This request is closed; contact Acme Inc"):
        _upload(token)
    with session_scope() as session, pytest.raises(Conflict):
        portal.portal_submit(session, token=token, values={"bank_account": "000099999999"})
    with session_scope() as session:
        item = session.exec(select(VaultItem)).one()
        assert item.redacted_preview == "****6819"
        assert records.decrypt_item(item) == "000011116819"
        assert session.get(AppRecord, record_id).status == status


def test_open_statuses_keep_the_portal_working_and_each_app_closes_its_end_states(org):
    record_id = vendor_intake(org)
    token = _portal(org.actor, record_id)
    _status(org.actor, record_id, "pending_review")
    _upload(token)
    assert records.get_app("hiring-packets").portal_closed("withdrawn")
    assert records.get_app("hiring-packets").portal_closed("started")
    assert not records.get_app("hiring-packets").portal_closed("documents_pending")
    assert records.get_app(COMPLIANCE).portal_closed("archived")
    assert not records.get_app(COMPLIANCE).portal_closed("expired")


def test_no_new_portal_link_or_approval_on_a_rejected_intake(org):
    record_id = vendor_intake(org)
    _status(org.actor, record_id, "rejected")
    with session_scope() as session, pytest.raises(Conflict, match="rejected"):
        portal.create_portal_link(session, actor=org.actor, app_slug=INTAKE, record_id=record_id)
    with session_scope() as session, pytest.raises(Conflict, match="approvals on it are closed"):
        approvals.request_approval(
            session,
            actor=org.actor,
            app_slug=INTAKE,
            record_id=record_id,
            title="Finance approval",
            mode="sequential",
            approvers=[{"approverEmail": "cfo@acme.test"}],
        )


def test_a_pending_approval_cannot_be_decided_once_the_record_is_rejected(org):
    record_id = vendor_intake(org)
    with session_scope() as session:
        approval = approvals.request_approval(
            session,
            actor=org.actor,
            app_slug=INTAKE,
            record_id=record_id,
            title="Finance approval",
            mode="sequential",
            approvers=[{"approverEmail": "cfo@acme.test"}],
        )
        token = approvals.step_token(approvals.steps_of(session, approval.id)[0].id)
    _status(org.actor, record_id, "rejected")
    with session_scope() as session, pytest.raises(Conflict, match="rejected"):
        approvals.decide_by_token(session, token=token, decision="approved")


# ---------------------------------------------------------------- compliance dates


def _item(actor, **dates) -> AppRecord:
    with session_scope() as session:
        record = records.create_compliance_item(
            session,
            actor=actor,
            data=ComplianceCreate(
                title="General Liability COI", trackingType="insurance_coi", **dates
            ),
        )
        session.expunge(record)
        return record


def test_an_item_created_past_its_expiration_is_expired_at_once(org):
    with clock.travel(to_ms=ms("2026-12-06T15:00:00")):
        item = _item(org.actor, expirationDate="2026-10-15")
        assert item.status == "expired"
        soon = _item(org.actor, expirationDate="2026-12-20")
        assert soon.status == "expiring_soon"
        later = _item(org.actor, expirationDate="2027-06-01")
        assert later.status == "pending_documents"
    with session_scope() as session:
        tasks = session.exec(select(RecordTask).where(RecordTask.record_id == item.id)).all()
        assert [t.title for t in tasks] == ["Renew expired: General Liability COI"]


def test_editing_dates_into_the_window_updates_the_status_at_once(org):
    with clock.travel(to_ms=ms("2026-12-06T15:00:00")):
        item = _item(org.actor, expirationDate="2027-06-01")
        with session_scope() as session:
            updated = records.update_record(
                session,
                actor=org.actor,
                app_slug=COMPLIANCE,
                record_id=item.id,
                renewal_due_date="2026-12-15",
            )
            assert updated.status == "expiring_soon"
            updated = records.update_record(
                session,
                actor=org.actor,
                app_slug=COMPLIANCE,
                record_id=item.id,
                expiration_date="2026-12-01",
                renewal_due_date=None,
            )
            assert updated.status == "expired"


def test_a_renewal_due_after_the_expiration_is_refused(org):
    with pytest.raises(ValidationFailed) as caught:
        _item(org.actor, expirationDate="2027-03-01", renewalDueDate="2027-04-01")
    assert caught.value.field == "renewalDueDate"
    assert "on or before the expiration date (2027-03-01)" in caught.value.message
    item = _item(org.actor, expirationDate="2027-03-01")
    with session_scope() as session, pytest.raises(ValidationFailed):
        records.update_record(
            session,
            actor=org.actor,
            app_slug=COMPLIANCE,
            record_id=item.id,
            renewal_due_date="2027-03-02",
        )


def test_days_left_count_calendar_days():
    now = ms("2026-12-06T15:00:00")
    assert records.days_left_label(ms("2026-12-15"), now) == "in 9 days"
    assert records.days_left_label(ms("2026-12-20"), now) == "in 14 days"
    assert records.days_left_label(ms("2026-10-15"), now) == "52 days overdue"
    assert records.days_left_label(ms("2026-12-06"), now) == "today"
    assert records.days_left_label(ms("2026-12-07"), now) == "tomorrow"
    assert records.days_left_label(ms("2026-12-05T23:00:00"), now) == "1 day overdue"


# ---------------------------------------------------------------- vault


def test_an_existing_vault_value_is_only_replaced_on_request_and_audited(org):
    record_id = vendor_intake(org)
    _set(org.actor, record_id, "GB29NWBK60161331926819")
    with pytest.raises(Conflict, match=r"already holds a value \(\*\*\*\*6819\)") as caught:
        _set(org.actor, record_id, "000099999999")
    assert caught.value.details["field"] == "fieldKey"
    _set(org.actor, record_id, "000099999999", replace=True)
    with session_scope() as session:
        item = session.exec(select(VaultItem)).one()
        assert item.redacted_preview == "****9999"
    replaced = _audit("vault_replaced")
    assert len(replaced) == 1 and "****6819 → ****9999" in replaced[0].description
    assert replaced[0].data["previousPreview"] == "****6819"


def test_who_may_not_reveal_a_value_may_not_replace_it(org):
    record_id = vendor_intake(org)
    _set(org.actor, record_id, "GB29NWBK60161331926819")
    member = Actor(org_id=org.org_id, type="user", user_id="usr_member", role="member")
    with pytest.raises(Forbidden, match="Only owner, admin, finance can replace this value."):
        _set(member, record_id, "000099999999", replace=True)
    with session_scope() as session:
        assert session.exec(select(VaultItem)).one().redacted_preview == "****6819"
    _set(_finance(org), record_id, "000099999999", replace=True)


def test_a_portal_submission_keeps_the_staff_label_and_access_level(org):
    record_id = vendor_intake(org)
    _set(org.actor, record_id, "GB29NWBK60161331926819", label="Main account (HSBC)")
    token = _portal(org.actor, record_id)
    with session_scope() as session:
        portal.portal_submit(session, token=token, values={"bank_account": "000012345678"})
    with session_scope() as session:
        item = session.exec(select(VaultItem)).one()
        assert item.label == "Main account (HSBC)" and item.access_level == "finance"
        assert item.redacted_preview == "****5678"
    assert "****6819 → ****5678" in _audit("vault_replaced")[0].description


def _finance(org) -> Actor:
    from workspace.core.passwords import hash_password

    with session_scope() as session:
        user = User(email="money@acme.test", name="Money", password_hash=hash_password("pass-1234"))
        session.add(user)
        session.flush()
        session.add(Membership(org_id=org.org_id, user_id=user.id, role="finance"))
        return Actor(
            org_id=org.org_id, type="user", user_id=user.id, email=user.email, role="finance"
        )


def test_reveal_refuses_further_passwords_after_five_wrong_ones_for_the_window(org):
    finance = _finance(org)
    record_id = vendor_intake(org)
    vault_id = _set(org.actor, record_id, "GB29NWBK60161331926819")
    start = ms("2026-12-06T10:00:00")
    for second in range(5):
        with clock.travel(to_ms=start + second * 1000), pytest.raises(Forbidden):
            reveal(finance, record_id, vault_id, "wrong-password")
    with clock.travel(to_ms=start + 10_000), pytest.raises(RateLimited) as caught:
        reveal(finance, record_id, vault_id, "pass-1234")
    assert caught.value.message == "Too many wrong passwords. Try again in 15 minutes."
    assert 0 < caught.value.retry_after <= 15 * 60
    locked = [a for a in _audit("vault_reveal_denied") if a.data.get("reason") == "locked"]
    assert len(locked) == 1 and locked[0].actor_email == "money@acme.test"
    with clock.travel(to_ms=start + 14 * 60_000), pytest.raises(RateLimited):
        reveal(finance, record_id, vault_id, "pass-1234")
    with clock.travel(to_ms=start + 15 * 60_000 + 1000):
        assert reveal(finance, record_id, vault_id, "pass-1234") == "GB29NWBK60161331926819"


def test_a_reveal_clears_earlier_wrong_passwords(org):
    finance = _finance(org)
    record_id = vendor_intake(org)
    vault_id = _set(org.actor, record_id, "GB29NWBK60161331926819")
    for _ in range(4):
        with pytest.raises(Forbidden):
            reveal(finance, record_id, vault_id, "wrong-password")
    assert reveal(finance, record_id, vault_id, "pass-1234")
    for _ in range(4):
        with pytest.raises(Forbidden):
            reveal(finance, record_id, vault_id, "wrong-password")
    assert reveal(finance, record_id, vault_id, "pass-1234")


# ---------------------------------------------------------------- returned documents


def test_rejecting_a_portal_document_emails_the_sender_with_the_reason_and_link(org):
    record_id = vendor_intake(org)
    token = _portal(org.actor, record_id)
    doc_id = _upload(token)
    with session_scope() as session:
        records.review_document(
            session,
            actor=org.actor,
            app_slug=INTAKE,
            record_id=record_id,
            document_id=doc_id,
            status="rejected",
            reason="The W-9 is not signed.",
        )
    with session_scope() as session:
        mail = session.exec(
            select(OutboxMessage).where(OutboxMessage.category == "portal_document_returned")
        ).one()
        assert mail.to_email == "sam@example.com"
        assert "The W-9 is not signed." in mail.text_body and f"/intake/{token}" in mail.text_body
        view = portal.open_portal(session, token=token)
        assert view.documents[0].review_reason == "The W-9 is not signed."


# ---------------------------------------------------------------- wording


def test_messages_name_inputs_as_people_read_them(org):
    record_id = vendor_intake(org)
    with session_scope() as session:
        view = records.get_record_view(
            session, actor=org.actor, app_slug=INTAKE, record_id=record_id
        )
    assert view["activity"][-1]["description"] == "Intake “Acme Catering” created (Vendor)"
    with session_scope() as session, pytest.raises(ValidationFailed) as caught:
        records.create_hiring_packet(
            session, actor=org.actor, data=HiringCreate(candidateName="x" * 201)
        )
    assert caught.value.message == "The candidate's name can be at most 200 characters."
    assert caught.value.field == "candidateName"
    with session_scope() as session, pytest.raises(ValidationFailed) as caught:
        records.create_hiring_packet(
            session, actor=org.actor, data=HiringCreate(candidateName="Ana", smsAlerts=True)
        )
    assert "candidatePhone" not in caught.value.message and caught.value.field == "candidatePhone"
    with session_scope() as session, pytest.raises(ValidationFailed) as caught:
        records.create_compliance_item(session, actor=org.actor, data=ComplianceCreate(title=" "))
    assert caught.value.message == "Enter the title." and caught.value.field == "title"
    with pytest.raises(ValidationFailed) as caught:
        records.check_field_key("Bank Account")
    assert "fieldKey" not in caught.value.message and caught.value.field == "fieldKey"
    token = _portal(org.actor, record_id)
    with pytest.raises(ValidationFailed) as caught:
        _upload(token, data=b"hello", content_type="text/plain")
    assert caught.value.message == "Upload a PDF, JPG, PNG or WebP file."
    assert caught.value.field == "document.contentType"
    with session_scope() as session, pytest.raises(ValidationFailed) as caught:
        portal.portal_submit(session, token=token, values={}, note="n" * 2500)
    assert caught.value.message == "The note can be at most 2,000 characters."
    assert caught.value.field == "note"
    assert _upload(token, data=PNG, content_type="image/png")
