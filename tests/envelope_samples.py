"""Templates and signing helpers for envelope tests (API, core and browser)."""

from __future__ import annotations

import base64
import io

from PIL import Image, ImageDraw

from tests.pdf_samples import make_pdf
from workspace.core.actor import Actor
from workspace.core.db import session_scope
from workspace.core.schemas.templates import TemplateField
from workspace.core.services import signing
from workspace.core.services.templates import create_template

ROLES = ("employee", "employer", "approver")


def contract_fields(pages: int = 2) -> list[TemplateField]:
    """Fields for three roles on a Letter page (points from the top-left)."""
    last = pages
    return [
        TemplateField(
            id="employee_name",
            type="text",
            role="employee",
            page=1,
            x=72,
            y=150,
            width=220,
            height=22,
            required=True,
            label="Full name",
        ),
        TemplateField(
            id="employee_email",
            type="email",
            role="employee",
            page=1,
            x=320,
            y=150,
            width=220,
            height=22,
            required=True,
            label="Email",
        ),
        TemplateField(
            id="department",
            type="dropdown",
            role="employee",
            page=1,
            x=72,
            y=200,
            width=150,
            height=22,
            required=True,
            label="Department",
            options=[
                {"label": "Engineering", "value": "eng"},
                {"label": "Sales", "value": "sales"},
            ],
        ),
        TemplateField(
            id="quota",
            type="number",
            role="employee",
            page=1,
            x=320,
            y=200,
            width=120,
            height=22,
            required=True,
            label="Sales quota",
            conditions=[{"sourceFieldId": "department", "operator": "equals", "value": "sales"}],
            conditionAction="show",
        ),
        TemplateField(
            id="agree",
            type="checkbox",
            role="employee",
            page=1,
            x=72,
            y=250,
            width=16,
            height=16,
            required=True,
            label="I agree to the terms",
        ),
        TemplateField(
            id="employee_signature",
            type="signature",
            role="employee",
            page=last,
            x=72,
            y=560,
            width=200,
            height=50,
            required=True,
            label="Employee signature",
        ),
        TemplateField(
            id="employee_date",
            type="date",
            role="employee",
            page=last,
            x=300,
            y=580,
            width=120,
            height=20,
            label="Date",
        ),
        TemplateField(
            id="employer_initials",
            type="initials",
            role="employer",
            page=1,
            x=480,
            y=700,
            width=60,
            height=30,
            required=True,
            label="Employer initials",
        ),
        TemplateField(
            id="employer_signature",
            type="signature",
            role="employer",
            page=last,
            x=72,
            y=640,
            width=200,
            height=50,
            required=True,
            label="Employer signature",
        ),
        TemplateField(
            id="approver_signature",
            type="signature",
            role="approver",
            page=last,
            x=320,
            y=640,
            width=200,
            height=50,
            required=True,
            label="Approval",
        ),
    ]


def make_template(
    org,
    *,
    pages: int = 2,
    name: str = "Employment Contract",
    roles: tuple[str, ...] = ROLES,
    placeholder: bool = False,
) -> str:
    actor = Actor(org_id=org.org_id, type="user", role="owner", email=org.owner_email)
    texts = {1: "Start date: {{start_date}}"} if placeholder else None
    fields = [f for f in contract_fields(pages) if f.role in roles]
    with session_scope() as session:
        template = create_template(
            session,
            actor=actor,
            name=name,
            description="Standard employment agreement",
            pdf_data=make_pdf(pages, texts=texts),
            filename="contract.pdf",
            fields=fields,
        )
        return template.id


def drawn_png() -> str:
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(20, 70), (120, 20), (200, 80), (280, 30)], fill=(20, 20, 80, 255), width=5
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def values_for(role: str) -> dict:
    if role == "employee":
        return {
            "employee_name": "Ada Lovelace",
            "employee_email": "ada@example.com",
            "department": "sales",
            "quota": "125000",
            "agree": True,
            "employee_signature": {"method": "typed", "text": "Ada Lovelace"},
        }
    if role == "employer":
        return {
            "employer_initials": {"method": "typed", "text": "JS"},
            "employer_signature": {"method": "drawn", "dataUrl": drawn_png()},
        }
    return {"approver_signature": {"method": "uploaded", "dataUrl": drawn_png()}}


def token_of(signing_url: str) -> str:
    return signing_url.rsplit("/sign/", 1)[1]


def sign_as(token: str, role: str, *, grant: str | None = None, ip: str = "203.0.113.9"):
    """Open, consent and sign through the same services the portal uses."""
    with session_scope() as session:
        context = signing.open_link(session, token=token, grant=grant, ip=ip, user_agent="pytest")
        assert context.state == "sign", context.state
    with session_scope() as session:
        signing.give_consent(session, token=token, grant=grant, ip=ip, user_agent="pytest")
    with session_scope() as session:
        signing.sign(
            session, token=token, grant=grant, values=values_for(role), ip=ip, user_agent="pytest"
        )
