"""The record page's vault and documents as each role sees them: no Reveal or file link for a
role that can't use it (a note says who can), and saving over a saved vault value asks first."""

from sqlmodel import select

from tests.record_samples import attached_document, bank_account, vendor_intake
from tests.ui.states import record_page
from workspace.core.db import session_scope
from workspace.core.models import AuditLog, VaultItem
from workspace.core.schemas.records import ComplianceCreate
from workspace.core.services import records

OLD, NEW = "000123456819", "999988887777"


def _with_bank_account(org, access_level: str = "finance") -> str:
    record_id = vendor_intake(org)
    bank_account(org, record_id, OLD, access_level=access_level)
    return record_id


def _vault_value(record_id: str) -> str:
    with session_scope() as session:
        item = session.exec(select(VaultItem).where(VaultItem.record_id == record_id)).one()
        return records.decrypt_item(item)


def test_a_member_is_told_who_can_reveal_instead_of_offered_reveal(org):
    state = record_page(org, _with_bank_account(org), role="member")
    item = state.vault_items[0]
    assert item.can_reveal is False
    assert item.locked_note == "Only the owner, admins or finance can reveal"


def test_an_owner_only_value_names_the_owner(org):
    state = record_page(org, _with_bank_account(org, access_level="owner"), role="admin")
    assert state.vault_items[0].locked_note == "Only the owner can reveal"
    owner = record_page(org, state.record_id)
    assert owner.vault_items[0].can_reveal is True


def test_a_sensitive_document_is_not_linked_for_a_role_that_cannot_open_it(org):
    record_id = vendor_intake(org)
    attached_document(org, record_id, access_level="finance", is_sensitive=True)
    attached_document(org, record_id, "certificate_of_insurance", "coi.pdf")
    member = record_page(org, record_id, role="member")
    docs = {d.file_name: d for d in member.documents}
    assert docs["w9.pdf"].can_open is False
    assert docs["w9.pdf"].locked_note == (
        "Only the owner, admins or finance can open this document."
    )
    assert docs["coi.pdf"].can_open is True
    finance = record_page(org, record_id, role="finance")
    assert all(d.can_open for d in finance.documents)


def test_typing_a_saved_key_says_what_a_save_replaces(org):
    state = record_page(org, _with_bank_account(org))
    state.set_vault_access("admin")
    state.set_vault_key("bank_account")
    assert state.vault_replaces == "****6819"
    assert state.vault_replaces_label == "Bank account"
    assert state.vault_access == "finance"  # the saved value's own access level
    state.set_vault_key("tax_id")
    assert state.vault_replaces == ""


def test_saving_over_a_saved_value_needs_the_confirmation(org):
    record_id = _with_bank_account(org)
    state = record_page(org, record_id)
    form = {"fieldKey": "bank_account", "label": "", "value": NEW, "accessLevel": "finance"}
    assert state.set_vault(form) is None
    assert "already has a saved value (****6819)" in state.vault_error
    assert state.vault_replaces == "****6819"
    assert _vault_value(record_id) == OLD

    state.set_vault({**form, "confirmReplace": "on"})
    assert state.vault_error == ""
    assert _vault_value(record_id) == NEW
    assert state.vault_error == "" and state.vault_key == ""
    assert [v.preview for v in state.vault_items] == ["****7777"]
    assert NEW not in str(state.dict())


def test_a_new_key_saves_at_once_and_a_double_click_saves_once(org):
    record_id = vendor_intake(org)
    state = record_page(org, record_id)
    form = {"fieldKey": "tax_id", "label": "Tax ID", "value": "98-7654321", "accessLevel": "hr"}
    state.set_vault(form)
    assert state.set_vault(form) is None
    assert state.vault_error == ""  # the repeat is ignored, not refused as a replacement
    with session_scope() as session:
        changes = session.exec(select(AuditLog).where(AuditLog.action == "vault_set")).all()
    assert len(changes) == 1
    assert [(v.label, v.access_level) for v in state.vault_items] == [("Tax ID", "hr")]


def test_a_refused_save_keeps_an_inline_error(org):
    state = record_page(org, vendor_intake(org))
    state.set_vault({"fieldKey": "Bank Account", "value": "1", "accessLevel": "admin"})
    assert "bank_account" in state.vault_error
    assert state.vault_items == []


def test_a_value_saved_elsewhere_meanwhile_is_not_replaced_unasked(org):
    record_id = vendor_intake(org)
    state = record_page(org, record_id)
    bank_account(org, record_id, OLD)
    # The page was loaded before that value was saved.
    state.set_vault({"fieldKey": "bank_account", "value": NEW, "accessLevel": "finance"})
    assert "****6819" in state.vault_error and state.vault_replaces == "****6819"
    assert _vault_value(record_id) == OLD


def test_the_upload_hint_names_the_files_each_requirement_takes(org):
    state = record_page(org, vendor_intake(org))
    assert state.upload_hints["tax_form"] == "PDF, JPG, PNG or WebP, up to 20 MB"
    assert state.upload_hints[state.upload_requirement]
    with session_scope() as session:
        item = records.create_compliance_item(
            session,
            actor=org.actor,
            data=ComplianceCreate(title="Fire drill log", trackingType="custom"),
        )
    state.app_slug, state.record_id = "renewals-compliance", item.id
    state._refresh()
    assert state.upload_hints["evidence"] == (
        "PDF, JPG, PNG, WebP, text, CSV, Word (.docx) or Word (.doc), up to 20 MB"
    )


def test_a_refused_task_keeps_what_was_typed_and_an_added_one_clears_the_form(org):
    state = record_page(org, vendor_intake(org))
    refused = state.add_task({"title": "", "dueDate": ""})
    assert not isinstance(refused, list) and state.tasks == []  # an error toast only
    added = state.add_task({"title": "Call the vendor", "dueDate": ""})
    cleared = [str(event) for event in added if "set_value" in str(event)]
    assert len(cleared) == 2 and "task_title" in cleared[0] and "task_due" in cleared[1]
    assert [task.title for task in state.tasks] == ["Call the vendor"]
