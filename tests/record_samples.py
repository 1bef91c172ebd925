"""Business-app records for tests, made through the services."""

from __future__ import annotations

from workspace.core.db import session_scope
from workspace.core.schemas.records import IntakeCreate
from workspace.core.services import records


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
