"""Rules every way of sending shares (API, UI, MCP go through the same service): one signer
per role, invitations only when it is a signer's turn, messages that say what is wrong, and
an audit trail that names who did each thing."""

import base64

import pytest
from sqlmodel import select

from tests.envelope_samples import make_template, sign_as, token_of
from tests.pdf_samples import make_pdf
from workspace.core.db import session_scope
from workspace.core.errors import ValidationFailed
from workspace.core.models import OutboxMessage
from workspace.core.models.envelopes import Envelope, EnvelopeSigner
from workspace.core.services import signing
from workspace.core.services.templates import create_package


def _post(client, org, body):
    return client.post("/api/v1/envelopes", json=body, headers=org.headers())


def _no_envelopes() -> bool:
    with session_scope() as session:
        return session.exec(select(Envelope)).all() == []


def _outbox(to: str) -> list[OutboxMessage]:
    with session_scope() as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.to_email == to)))


def _assert_role_taken(response, field: str, role: str, first: int):
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "validation_error" and body["details"]["field"] == field
    assert body["message"] == (
        f"Role {role!r} already has a signer (signers[{first}]); each role signs once."
    )


# --- one signer per role --------------------------------------------------------------------


def test_two_signers_on_one_template_role_are_refused(client, org):
    template = make_template(org, roles=("employee", "employer"))
    response = _post(
        client,
        org,
        {
            "templateId": template,
            "signers": [
                {"name": "A", "email": "a@x.test", "role": "employee"},
                {"name": "A2", "email": "a2@x.test", "role": "employee"},
                {"name": "B", "email": "b@x.test", "role": "employer"},
            ],
        },
    )
    _assert_role_taken(response, "signers[1].role", "employee", 0)
    assert _no_envelopes() and _outbox("a@x.test") == []


def test_two_signers_on_one_package_role_are_refused_by_id_or_name(client, org):
    contract = make_template(org, name="Contract", roles=("employee", "employer"))
    policy = make_template(org, name="Policy", roles=("employee",))
    with session_scope() as session:
        package_id = create_package(
            session, actor=org.actor, name="New hire", template_ids=[contract, policy]
        ).id
    response = _post(
        client,
        org,
        {
            "packageId": package_id,
            "signers": [
                {"name": "Boss", "email": "boss@x.test", "role": "employer"},
                {"name": "Ada", "email": "ada@x.test", "role": "employee"},
                {"name": "Ada 2", "email": "ada2@x.test", "role": "Employee"},
            ],
        },
    )
    _assert_role_taken(response, "signers[2].role", "Employee", 1)
    assert _no_envelopes()


def test_two_signers_on_one_role_of_an_uploaded_document_are_refused(client, org):
    document = {"data": base64.b64encode(make_pdf(1)).decode(), "filename": "lease.pdf"}
    field = {"type": "signature", "page": 1, "x": 72, "y": 600, "width": 180, "height": 48}
    with_fields = _post(
        client,
        org,
        {
            "document": document,
            "fields": [{**field, "id": "sig_a", "role": "tenant"}],
            "signers": [
                {"name": "T", "email": "t@x.test", "role": "tenant"},
                {"name": "T2", "email": "t2@x.test", "role": "tenant"},
            ],
        },
    )
    _assert_role_taken(with_fields, "signers[1].role", "tenant", 0)
    without_fields = _post(
        client,
        org,
        {
            "document": document,
            "signers": [
                {"name": "T", "email": "t@x.test", "role": "tenant"},
                {"name": "T2", "email": "t2@x.test", "role": "tenant"},
            ],
        },
    )
    _assert_role_taken(without_fields, "signers[1].role", "tenant", 0)
    assert _no_envelopes()


# --- resending only when it is the signer's turn ----------------------------------------------


def _sequential(client, org) -> dict:
    template = make_template(org, roles=("employee", "employer"))
    response = _post(
        client,
        org,
        {
            "templateId": template,
            "signers": [
                {"name": "Max", "email": "max@x.test", "role": "employee", "signingOrder": 1},
                {"name": "Eve", "email": "eve@x.test", "role": "employer", "signingOrder": 2},
            ],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_a_role_already_signed_takes_no_second_signer(client, org):
    data = _sequential(client, org)
    base = f"/api/v1/envelopes/{data['id']}/signers"
    replacement = {"name": "Eve Two", "email": "eve2@x.test", "role": "employer"}
    assert client.post(base, json=replacement, headers=org.headers()).status_code == 201
    sign_as(token_of(data["signers"][0]["signingUrl"]), "employee")
    again = client.post(
        base,
        json={**replacement, "role": "employee", "email": "max2@x.test"},
        headers=org.headers(),
    )
    assert again.status_code == 409, again.text
    assert again.json()["message"] == (
        "Max has already signed for the role 'employee'; a role's fields are filled once."
    )
    signers = client.get(base, headers=org.headers()).json()["data"]
    assert [s["email"] for s in signers] == ["max@x.test", "eve@x.test", "eve2@x.test"]


def test_resending_to_a_signer_whose_turn_has_not_come_is_409_and_changes_nothing(client, org):
    data = _sequential(client, org)
    base = f"/api/v1/envelopes/{data['id']}/signers"
    eve = data["signers"][1]
    response = client.post(f"{base}/{eve['id']}/resend", headers=org.headers())
    assert response.status_code == 409, response.text
    assert response.json()["message"] == (
        "Eve signs after Max and is invited when it is their turn."
    )
    assert _outbox("eve@x.test") == []
    with session_scope() as session:
        signer = session.get(EnvelopeSigner, eve["id"])
        assert signer.status == "pending" and signer.sent_at is None

    sign_as(token_of(data["signers"][0]["signingUrl"]), "employee")
    assert len(_outbox("eve@x.test")) == 1  # invited when Max signed
    resent = client.post(f"{base}/{eve['id']}/resend", headers=org.headers())
    assert resent.status_code == 200 and len(_outbox("eve@x.test")) == 2


# --- who did it -----------------------------------------------------------------------------


def test_the_next_invitation_is_sent_by_workspace_and_a_signers_download_is_theirs(client, org):
    data = _sequential(client, org)
    tokens = [token_of(s["signingUrl"]) for s in data["signers"]]
    sign_as(tokens[0], "employee")
    log = client.get(f"/api/v1/envelopes/{data['id']}/audit-log", headers=org.headers()).json()[
        "data"
    ]
    eve_invited = next(e for e in log if e["actionDescription"].endswith("to eve@x.test"))
    assert eve_invited["actorType"] == "system" and eve_invited["actorEmail"] is None

    sign_as(tokens[1], "employer")
    with session_scope() as session:
        envelope = session.get(Envelope, data["id"])
        eve = session.get(EnvelopeSigner, data["signers"][1]["id"])
        from workspace.core.services.envelopes import download_url

        eve_link = download_url(envelope, "document", signer=eve)
    completed = [m for m in _outbox("eve@x.test") if m.subject.startswith("Completed")]
    assert eve_link.split("?")[0] in completed[0].text_body  # her email carries her own link
    response = client.get(eve_link.removeprefix("http://testserver"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    forged = eve_link.replace(data["signers"][1]["id"], data["signers"][0]["id"])
    assert client.get(forged.removeprefix("http://testserver")).status_code == 403
    log = client.get(f"/api/v1/envelopes/{data['id']}/audit-log", headers=org.headers()).json()[
        "data"
    ]
    downloaded = [e for e in log if e["action"] == "document_downloaded"]
    assert [(e["actorType"], e["actorEmail"]) for e in downloaded] == [("signer", "eve@x.test")]


# --- messages -------------------------------------------------------------------------------


def test_a_bad_cc_address_is_named(client, org):
    template = make_template(org, roles=("employee",))
    response = _post(
        client,
        org,
        {
            "templateId": template,
            "signers": [{"name": "Max", "email": "max@x.test"}],
            "ccRecipients": [{"email": "hr@x.test"}, {"email": "notanemail"}],
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "CC: 'notanemail' is not a valid email address."
    assert body["details"]["field"] == "ccRecipients[1].email"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("  ", "Enter the signer's name."),
        ("M" * 236, "The signer's name is too long (at most 200 characters)."),
    ],
)
def test_a_missing_or_too_long_signer_name_says_which(client, org, name, message):
    template = make_template(org, roles=("employee",))
    response = _post(
        client,
        org,
        {"templateId": template, "signers": [{"name": name, "email": "max@x.test"}]},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == message and body["details"]["field"] == "signers[0].name"


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "Give a reason for declining."),
        ("x" * 1001, "The reason can be at most 1000 characters."),
    ],
)
def test_decline_reason_messages(client, org, reason, message):
    data = _sequential(client, org)
    token = token_of(data["signers"][0]["signingUrl"])
    with session_scope() as session:
        signing.open_link(session, token=token)
    with session_scope() as session, pytest.raises(ValidationFailed) as raised:
        signing.decline(session, token=token, grant=None, reason=reason)
    assert raised.value.message == message and raised.value.details["field"] == "reason"
