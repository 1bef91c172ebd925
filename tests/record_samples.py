"""Business-app records for tests, made through the services."""

from __future__ import annotations

from workspace.core.db import session_scope
from workspace.core.schemas.records import IntakeCreate
from workspace.core.services import approvals, portal, records


def vendor_intake(
    org,
    *,
    company: str = "Acme Catering",
    contact_name: str = "Sam Lee",
    contact_email: str = "sam@example.com",
) -> str:
    """A vendor intake titled with the company's name; its id."""
    with session_scope() as session:
        return records.create_intake(
            session,
            actor=org.actor,
            data=IntakeCreate(
                title=company,
                intakeType="vendor",
                contactName=contact_name,
                contactEmail=contact_email,
                companyName=company,
            ),
        ).id


def approval_links(org, record_id: str) -> list[str]:
    """A sequential "Finance approval" by cfo@ then ceo@acme.test: each approver's page."""
    with session_scope() as session:
        approval = approvals.request_approval(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record_id,
            title="Finance approval",
            mode="sequential",
            approvers=[{"approverEmail": "cfo@acme.test"}, {"approverEmail": "ceo@acme.test"}],
        )
        steps = approvals.steps_of(session, approval.id)
        return [f"/approve/{approvals.step_token(step.id)}" for step in steps]


def portal_link(org, record_id: str) -> tuple[str, str]:
    """A portal link for Sam Lee to the intake: (link id, token of its page)."""
    with session_scope() as session:
        link = portal.create_portal_link(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record_id,
            recipient_name="Sam Lee",
        )
        return link.id, portal.portal_token(link.id)


def bank_account(org, record_id: str, value: str, *, access_level: str = "finance") -> None:
    """A "Bank account" value in the record's vault, readable by `access_level`."""
    with session_scope() as session:
        records.set_vault_field(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record_id,
            field_key="bank_account",
            value=value,
            label="Bank account",
            access_level=access_level,
        )


def reveal(actor, record_id: str, vault_id: str, password: str) -> str:
    """A vault value of a Business Intake record, revealed with the actor's password."""
    with session_scope() as session:
        return records.reveal_vault_field(
            session,
            actor=actor,
            app_slug="business-intake",
            record_id=record_id,
            vault_id=vault_id,
            password=password,
        )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attached_document(
    org, record_id: str, requirement_key: str = "tax_form", file_name: str = "w9.pdf", **extra
) -> str:
    """A PDF attached by the owner to a Business Intake record's requirement; its id."""
    with session_scope() as session:
        return records.attach_document(
            session,
            actor=org.actor,
            app_slug="business-intake",
            record_id=record_id,
            requirement_key=requirement_key,
            file_name=file_name,
            content_type="application/pdf",
            data=PDF,
            **extra,
        ).id
