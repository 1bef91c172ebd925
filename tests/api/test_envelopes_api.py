import base64
import hashlib
import io
import re

import pytest
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader
from sqlmodel import select

from tests.core.pdf_helpers import pdfsig, pdftotext, pyhanko_status
from tests.envelope_samples import make_template, sign_as, token_of, values_for
from tests.pdf_samples import make_pdf
from workspace.core import clock, storage
from workspace.core.db import session_scope
from workspace.core.jobs import run_due_jobs
from workspace.core.models import Event, OutboxMessage, TextMessage
from workspace.core.models.envelopes import Envelope, EnvelopeSigner
from workspace.core.pdf import ca
from workspace.core.services import signing

SIGNERS = [
    {
        "name": "John Doe",
        "email": "john@example.com",
        "role": "employee",
        "signingOrder": 1,
        "redirectUrl": "https://yourapp.com/signed",
    },
    {"name": "Jane Smith", "email": "jane@company.com", "role": "employer", "signingOrder": 2},
    {"name": "Legal Team", "email": "legal@company.com", "role": "approver", "signingOrder": 3},
]


def _create(client, org, **overrides):
    body = {
        "templateId": overrides.pop("templateId", None) or make_template(org),
        "title": "Employment Contract - John Doe",
        "message": "Please review and sign the attached contract.",
        "expiresInHours": 168,
        "signers": SIGNERS,
        **overrides,
    }
    return client.post("/api/v1/envelopes", json=body, headers=org.headers())


def _outbox(to: str | None = None) -> list[OutboxMessage]:
    with session_scope() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.created_at)
        if to:
            query = query.where(OutboxMessage.to_email == to)
        return list(session.exec(query))


def _events(kind: str | None = None) -> list[Event]:
    with session_scope() as session:
        query = select(Event).order_by(Event.created_at)
        if kind:
            query = query.where(Event.type == kind)
        return list(session.exec(query))


def test_seed_example_creates_sequential_envelope_and_invites_only_the_first(client, org):
    response = _create(client, org)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert data["status"] == "sent" and data["id"].startswith("env_")
    assert [s["email"] for s in data["signers"]] == [s["email"] for s in SIGNERS]
    for signer in data["signers"]:
        assert signer["id"].startswith("sgn_")
        assert signer["signingUrl"].startswith("http://testserver/sign/")
        assert len(token_of(signer["signingUrl"])) >= 32
    assert [s["status"] for s in data["signers"]] == ["sent", "pending", "pending"]
    john = _outbox("john@example.com")
    assert len(john) == 1 and "Employment Contract - John Doe" in john[0].subject
    assert data["signers"][0]["signingUrl"] in john[0].text_body
    assert "Please review and sign the attached contract." in john[0].text_body
    assert _outbox("jane@company.com") == []
    assert [e.type for e in _events()] == ["envelope.created", "envelope.sent"]

    listed = client.get("/api/v1/envelopes", headers=org.headers()).json()["data"]
    assert listed[0]["id"] == data["id"] and listed[0]["templateName"] == "Employment Contract"
    assert listed[0]["signers"][0] == {
        "id": data["signers"][0]["id"],
        "name": "John Doe",
        "email": "john@example.com",
        "role": "employee",
        "status": "sent",
    }
    assert {"createdAt", "completedAt", "expiresAt"} <= listed[0].keys()
    detail = client.get(f"/api/v1/envelopes/{data['id']}", headers=org.headers()).json()["data"]
    assert detail["sentAt"] and abs(detail["expiresAt"] - detail["sentAt"] - 168 * 3600_000) < 5000


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"packageId": "pkg_x"}, "templateId"),
        (
            {"signers": [{"name": "A", "email": "not-an-email", "role": "employee"}]},
            "signers[0].email",
        ),
        ({"signers": SIGNERS[:2]}, "signers"),
        ({"signers": [*SIGNERS[:2], {**SIGNERS[2], "role": "auditor"}]}, "signers[2].role"),
        ({"scheduledAt": "2020-01-01T00:00:00Z"}, "scheduledAt"),
        ({"scheduledAt": "next tuesday"}, "scheduledAt"),
        ({"expiresInHours": 0}, "expiresInHours"),
        ({"signers": []}, "signers"),
        ({"placeholderValues": {"unknown_key": "x"}}, "placeholderValues.unknown_key"),
        ({"prefilledFields": {"nope": "x"}}, "prefilledFields.nope"),
    ],
)
def test_bad_requests_are_400_naming_the_field(client, org, overrides, field):
    response = _create(client, org, **overrides)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "validation_error" and body["details"]["field"] == field
    assert _events() == []


def test_missing_role_error_names_the_role(client, org):
    response = _create(client, org, signers=SIGNERS[:2])
    assert "approver" in response.json()["message"]


def test_unknown_or_foreign_template_is_404(client, org, other_org):
    foreign = make_template(other_org)
    assert _create(client, org, templateId=foreign).status_code == 404
    envelope_id = _create(client, other_org).json()["data"]["id"]
    assert client.get(f"/api/v1/envelopes/{envelope_id}", headers=org.headers()).status_code == 404


def test_full_sequential_flow_completes_into_a_sealed_pdf(client, org):
    data = _create(client, org, ccRecipients=[{"name": "HR", "email": "hr@company.com"}]).json()[
        "data"
    ]
    envelope_id = data["id"]
    tokens = [token_of(s["signingUrl"]) for s in data["signers"]]
    with session_scope() as session:
        assert signing.open_link(session, token=tokens[1]).state == "waiting"
    assert (
        client.get(f"/api/v1/envelopes/{envelope_id}/download", headers=org.headers()).status_code
        == 409
    )

    sign_as(tokens[0], "employee")
    signers = client.get(f"/api/v1/envelopes/{envelope_id}/signers", headers=org.headers()).json()[
        "data"
    ]
    assert [s["status"] for s in signers] == ["signed", "sent", "pending"]
    assert signers[0]["viewedAt"] and signers[0]["signedAt"] and signers[0]["declinedAt"] is None
    assert len(_outbox("jane@company.com")) == 1
    status = client.get(f"/api/v1/envelopes/{envelope_id}", headers=org.headers()).json()
    assert status["data"]["status"] == "signed"
    sign_as(tokens[1], "employer")
    sign_as(tokens[2], "approver")

    detail = client.get(f"/api/v1/envelopes/{envelope_id}", headers=org.headers()).json()["data"]
    assert detail["status"] == "completed" and detail["completedAt"]
    links = client.get(
        f"/api/v1/envelopes/{envelope_id}/download", params={"type": "all"}, headers=org.headers()
    ).json()["data"]
    assert links["expiresIn"] == "1 hour" and links["status"] == "completed"
    path = links["documentUrl"].removeprefix("http://testserver")
    pdf = client.get(path).content
    assert pdf.startswith(b"%PDF")
    assert "Signature is Valid." in pdfsig(pdf)
    assert pyhanko_status(pdf, ca.ca_certificate_pem()).bottom_line
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "Ada Lovelace",
        "ada@example.com",
        "Sales",
        "125000",
        "Certificate of Completion",
        envelope_id,
        "Legal Team",
        "203.0.113.9",
    ):
        assert expected in text, expected
    assert client.get(path.replace("sig=", "sig=0")).status_code == 403
    certificate = client.get(links["certificateUrl"].removeprefix("http://testserver")).content
    assert "Signature is Valid." in pdfsig(certificate)
    only_document = client.get(
        f"/api/v1/envelopes/{envelope_id}/download",
        params={"type": "document"},
        headers=org.headers(),
    ).json()["data"]
    assert "certificateUrl" not in only_document

    types = [e.type for e in _events()]
    for kind in (
        "envelope.created",
        "envelope.sent",
        "signer.viewed",
        "envelope.viewed",
        "signer.signed",
        "envelope.signed",
        "envelope.completed",
        "document.downloaded",
    ):
        assert kind in types, kind
    signed = _events("signer.signed")[0].data
    assert signed["envelope"]["id"] == envelope_id and signed["signer"]["status"] == "signed"
    fields = {f["fieldId"]: f["value"] for f in signed["signer"]["completedFields"]}
    assert fields["employee_email"] == "ada@example.com" and fields["department"] == "sales"
    assert fields["employee_signature"].startswith("data:image/png;base64,")
    assert all(f["completedAt"] for f in signed["signer"]["completedFields"])
    completed_mail = _outbox("hr@company.com")
    assert [m.subject for m in completed_mail] == [
        "Sent for signature: Employment Contract - John Doe",
        "Completed: Employment Contract - John Doe",
    ]

    log = client.get(f"/api/v1/envelopes/{envelope_id}/audit-log", headers=org.headers()).json()[
        "data"
    ]
    assert log[0]["action"] == "envelope_created"
    assert log[0]["actionDescription"] == "Envelope created" and log[0]["actorType"] == "api"
    viewed = next(e for e in log if e["action"] == "document_viewed")
    assert viewed["actorType"] == "signer" and viewed["actorEmail"] == "john@example.com"
    assert viewed["ipAddress"] == "203.0.113.9" and viewed["id"].startswith("log_")
    assert {"envelope_completed", "document_signed", "consent_given", "document_downloaded"} <= {
        e["action"] for e in log
    }

    assert (
        client.delete(f"/api/v1/envelopes/{envelope_id}", headers=org.headers()).status_code == 409
    )


def test_certificate_hashes_are_the_original_and_the_sealed_files_first_revision(client, org):
    data = _create(client, org).json()["data"]
    for signer, role in zip(data["signers"], ("employee", "employer", "approver"), strict=True):
        sign_as(token_of(signer["signingUrl"]), role)
    with session_scope() as session:
        envelope = session.get(Envelope, data["id"])
        original = storage.get_bytes(envelope.documents[0]["sha256"])
        final = storage.get_bytes(envelope.final_sha256)
    # the stamped document, before the certificate and the seal, is the file's first revision
    first_revision = final[: final.index(b"%%EOF\n") + len(b"%%EOF\n")]
    hashes = re.findall(r"SHA-256\s+([0-9a-f]{64})", pdftotext(final))
    assert hashes == [
        hashlib.sha256(original).hexdigest(),
        hashlib.sha256(first_revision).hexdigest(),
    ]
    assert envelope.signed_document_sha256 == hashes[1]
    assert "Ada Lovelace" in pdftotext(first_revision)
    assert "Certificate of Completion" not in pdftotext(first_revision)


def test_conditions_are_applied_on_the_server(client, org):
    data = _create(client, org).json()["data"]
    token = token_of(data["signers"][0]["signingUrl"])
    with session_scope() as session:
        signing.open_link(session, token=token)
        signing.give_consent(session, token=token, grant=None)
    values = values_for("employee")
    del values["quota"]
    with pytest.raises(Exception, match="Sales quota") as error, session_scope() as session:
        signing.sign(session, token=token, grant=None, values=values)
    assert error.value.details["missing"] == ["quota"]
    values["department"] = "eng"  # quota is hidden now, so not required
    with session_scope() as session:
        signing.sign(session, token=token, grant=None, values=values)
    signers = client.get(f"/api/v1/envelopes/{data['id']}/signers", headers=org.headers()).json()[
        "data"
    ]
    assert signers[0]["status"] == "signed"


def test_scheduled_envelope_is_sent_by_the_job(client, org):
    when = clock.now_ms() + 3600 * 1000
    data = _create(client, org, scheduledAt=when).json()["data"]
    assert data["status"] == "scheduled" and data["scheduledAt"] == when
    assert _outbox() == []
    with session_scope() as session:
        token = token_of(data["signers"][0]["signingUrl"])
        assert signing.open_link(session, token=token).state == "not_sent"
    run_due_jobs()
    assert _outbox() == []
    with clock.travel(by_ms=3601 * 1000):
        run_due_jobs()
    detail = client.get(f"/api/v1/envelopes/{data['id']}", headers=org.headers()).json()["data"]
    assert detail["status"] == "sent" and detail["sentAt"] >= when
    assert len(_outbox("john@example.com")) == 1
    iso = _create(client, org, scheduledAt="2099-01-01T00:00:00Z")
    assert iso.status_code == 400


def test_decline_with_reason_closes_the_envelope(client, org):
    data = _create(client, org).json()["data"]
    token = token_of(data["signers"][0]["signingUrl"])
    with session_scope() as session:
        signing.open_link(session, token=token)
    with session_scope() as session:
        signing.decline(session, token=token, grant=None, reason="Start date is wrong")
    detail = client.get(f"/api/v1/envelopes/{data['id']}", headers=org.headers()).json()["data"]
    assert detail["status"] == "declined"
    signer = client.get(f"/api/v1/envelopes/{data['id']}/signers", headers=org.headers()).json()[
        "data"
    ][0]
    assert signer["status"] == "declined" and signer["declineReason"] == "Start date is wrong"
    assert [e.type for e in _events()][-2:] == ["signer.declined", "envelope.declined"]
    assert _events("signer.declined")[0].data["signer"]["declineReason"] == "Start date is wrong"
    with session_scope() as session:
        assert signing.open_link(session, token=token).state == "declined"
    assert (
        client.delete(f"/api/v1/envelopes/{data['id']}", headers=org.headers()).status_code == 409
    )


def test_cancel_then_links_show_cancelled(client, org):
    data = _create(client, org).json()["data"]
    response = client.delete(f"/api/v1/envelopes/{data['id']}", headers=org.headers())
    assert response.json()["data"] == {"id": data["id"], "status": "cancelled"}
    assert (
        client.delete(f"/api/v1/envelopes/{data['id']}", headers=org.headers()).status_code == 409
    )
    with session_scope() as session:
        token = token_of(data["signers"][0]["signingUrl"])
        assert signing.open_link(session, token=token).state == "cancelled"
    assert _events("envelope.cancelled")
    assert any(m.subject.startswith("Cancelled:") for m in _outbox("john@example.com"))


def test_remind_manual_and_automatic(client, org):
    data = _create(client, org, reminderIntervalDays=2).json()["data"]
    url = f"/api/v1/envelopes/{data['id']}/remind"
    response = client.post(
        url, json={"message": "Friendly reminder to sign the document."}, headers=org.headers()
    )
    assert response.json()["data"] == {"success": True, "remindedCount": 1}
    reminder = _outbox("john@example.com")[-1]
    assert reminder.subject.startswith("Reminder:")
    assert "Friendly reminder to sign the document." in reminder.text_body
    pending = data["signers"][1]["id"]
    assert client.post(url, json={"signerId": pending}, headers=org.headers()).status_code == 409
    assert client.post(url, headers=org.headers()).json()["data"]["remindedCount"] == 1
    event = _events("reminder.sent")[0].data
    assert event["signer"]["email"] == "john@example.com" and event["signer"]["reminderSentAt"]
    with clock.travel(by_ms=2 * 24 * 3600 * 1000 + 60_000):
        run_due_jobs()
    assert len(_events("reminder.sent")) == 3
    signers = client.get(f"/api/v1/envelopes/{data['id']}/signers", headers=org.headers()).json()[
        "data"
    ]
    assert signers[0]["reminderSentAt"]


def test_expiry_job_expires_and_links_say_so(client, org):
    data = _create(client, org, expiresInHours=1).json()["data"]
    with clock.travel(by_ms=3601 * 1000):
        run_due_jobs()
        with session_scope() as session:
            token = token_of(data["signers"][0]["signingUrl"])
            assert signing.open_link(session, token=token).state == "expired"
    detail = client.get(f"/api/v1/envelopes/{data['id']}", headers=org.headers()).json()["data"]
    assert detail["status"] == "expired"
    assert _events("envelope.expired")
    assert (
        client.post(f"/api/v1/envelopes/{data['id']}/remind", headers=org.headers()).status_code
        == 409
    )


def test_password_lockout_after_five_misses_until_resend(client, org):
    signers = [{**SIGNERS[0], "requirePassword": True}, *SIGNERS[1:]]
    data = _create(client, org, signers=signers).json()["data"]
    token = token_of(data["signers"][0]["signingUrl"])
    mail = [m for m in _outbox("john@example.com") if "password" in m.subject.lower()]
    assert len(mail) == 1
    password = mail[0].text_body.split("Password: ")[1].split()[0]
    assert len(password) == 8 and password.isalnum()
    with session_scope() as session:
        assert signing.open_link(session, token=token).state == "verify"
    for _attempt in range(5):
        with session_scope() as session:
            result = signing.check_password(session, token=token, password="wrong")
        assert not result.ok
    assert "Too many" in result.message
    with session_scope() as session:
        assert signing.open_link(session, token=token).state == "locked"
    resend = client.post(
        f"/api/v1/envelopes/{data['id']}/signers/{data['signers'][0]['id']}/resend",
        headers=org.headers(),
    )
    assert resend.status_code == 200
    new_password = (
        [m for m in _outbox("john@example.com") if "password" in m.subject.lower()][-1]
        .text_body.split("Password: ")[1]
        .split()[0]
    )
    with session_scope() as session:
        assert not signing.check_password(session, token=token, password=password).ok
    with session_scope() as session:
        result = signing.check_password(session, token=token, password=new_password)
    assert result.ok and result.grant
    with session_scope() as session:
        assert signing.open_link(session, token=token, grant=result.grant).state == "sign"
        assert signing.open_link(session, token=token, grant="forged").state == "verify"
    sign_as(token, "employee", grant=result.grant)


def test_emailed_code_verification(client, org):
    signers = [{**SIGNERS[0], "requireEmailCode": True}, *SIGNERS[1:]]
    data = _create(client, org, signers=signers).json()["data"]
    token = token_of(data["signers"][0]["signingUrl"])
    with session_scope() as session:
        masked = signing.send_code(session, token=token)
    assert masked.startswith("jo") and masked.endswith("@example.com")
    code = _outbox("john@example.com")[-1].subject.removeprefix("Your code: ")
    with session_scope() as session:
        assert not signing.check_code(
            session, token=token, code="000000" if code != "000000" else "111111"
        ).ok
    with session_scope() as session:
        result = signing.check_code(session, token=token, code=code)
    assert result.ok
    sign_as(token, "employee", grant=result.grant)


def test_signer_management(client, org):
    data = _create(client, org).json()["data"]
    base = f"/api/v1/envelopes/{data['id']}/signers"
    added = client.post(
        base,
        json={
            "name": "Second Approver",
            "email": "approver2@company.com",
            "role": "approver",
            "signingOrder": 3,
        },
        headers=org.headers(),
    )
    assert added.status_code == 201
    new = added.json()["data"]
    assert new["status"] == "pending" and new["signingUrl"]
    assert (
        client.post(base, json={"name": "X", "email": "bad"}, headers=org.headers()).status_code
        == 400
    )
    jane = data["signers"][1]
    updated = client.patch(
        f"{base}/{jane['id']}", json={"email": "jane.smith@company.com"}, headers=org.headers()
    ).json()["data"]
    assert updated["email"] == "jane.smith@company.com"
    assert updated["signingUrl"] != jane["signingUrl"]  # the old address's link stops working
    with session_scope() as session, pytest.raises(Exception, match="not valid"):
        signing.open_link(session, token=token_of(jane["signingUrl"]))
    assert (
        client.put(
            f"{base}/{jane['id']}", json={"name": "Jane Q. Smith"}, headers=org.headers()
        ).json()["data"]["name"]
        == "Jane Q. Smith"
    )
    legal = data["signers"][2]
    assert client.delete(f"{base}/{legal['id']}", headers=org.headers()).status_code == 200
    only_employer = client.delete(f"{base}/{jane['id']}", headers=org.headers())
    assert only_employer.status_code == 409 and "employer" in only_employer.json()["message"]
    resend = client.post(f"{base}/{data['signers'][0]['id']}/resend", headers=org.headers())
    assert resend.status_code == 200
    assert len(_outbox("john@example.com")) == 2
    assert client.get(base, headers=org.headers()).json()["data"][-1]["email"] == (
        "approver2@company.com"
    )


def test_test_keys_make_test_envelopes_without_real_mail(client, org, smtp_server):
    template = make_template(org)
    response = client.post(
        "/api/v1/envelopes",
        headers=org.headers(org.test_key),
        json={"templateId": template, "signers": SIGNERS},
    )
    assert response.status_code == 201 and response.json()["data"]["test"] is True
    assert client.get("/api/v1/envelopes", headers=org.headers()).json()["data"] == []
    assert (
        len(client.get("/api/v1/envelopes", headers=org.headers(org.test_key)).json()["data"]) == 1
    )
    assert {m.status for m in _outbox()} == {"stored"}
    run_due_jobs()
    assert smtp_server == []
    assert all(e.test_mode for e in _events())


def test_package_envelope_spans_documents(client, org):
    from workspace.core.actor import Actor
    from workspace.core.services.templates import create_package

    first = make_template(org, name="Contract", roles=("employee",))
    second = make_template(org, name="Policy", roles=("employee", "employer"))
    actor = Actor(org_id=org.org_id, type="user", role="owner")
    with session_scope() as session:
        package = create_package(
            session, actor=actor, name="New hire", template_ids=[first, second]
        )
        package_id = package.id
    response = client.post(
        "/api/v1/envelopes",
        headers=org.headers(),
        json={
            "packageId": package_id,
            "signers": [
                {"name": "Ada", "email": "ada@example.com", "role": "Employee"},
                {"name": "Boss", "email": "boss@example.com", "role": "employer"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    detail = client.get(f"/api/v1/envelopes/{data['id']}", headers=org.headers()).json()["data"]
    assert [d["name"] for d in detail["documents"]] == ["Contract", "Policy"]
    assert detail["title"] == "New hire"


def test_one_off_document_with_inline_fields_and_placeholders(client, org):
    pdf = make_pdf(1, texts={1: "Start date: {{start_date}}"})
    response = client.post(
        "/api/v1/envelopes",
        headers=org.headers(),
        json={
            "document": {"data": base64.b64encode(pdf).decode(), "filename": "offer.pdf"},
            "fields": [
                {
                    "id": "sig",
                    "type": "signature",
                    "role": "signer",
                    "page": 1,
                    "x": 72,
                    "y": 600,
                    "width": 200,
                    "height": 50,
                    "required": True,
                },
                {
                    "id": "city",
                    "type": "text",
                    "role": "signer",
                    "page": 1,
                    "x": 72,
                    "y": 400,
                    "width": 200,
                    "height": 20,
                },
            ],
            "signers": [{"name": "Sam Signer", "email": "sam@tenants.com"}],
            "placeholderValues": [{"apiKey": "start_date", "value": "1 March 2026"}],
            "prefilledFields": [{"signerFieldId": "city", "defaultValue": "Boston"}],
            "labels": ["Rental", "MA"],
            "metadata": "ID0001",
        },
    )
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    detail = client.get(f"/api/v1/envelopes/{data['id']}", headers=org.headers()).json()["data"]
    assert detail["labels"] == ["Rental", "MA"] and detail["metadata"] == "ID0001"
    assert detail["source"] == "document"
    token = token_of(data["signers"][0]["signingUrl"])
    with session_scope() as session:
        signing.open_link(session, token=token)
        signing.give_consent(session, token=token, grant=None)
    with session_scope() as session:
        signing.sign(
            session,
            token=token,
            grant=None,
            values={"sig": {"method": "typed", "text": "Sam Signer"}},
        )
    links = client.get(f"/api/v1/envelopes/{data['id']}/download", headers=org.headers()).json()[
        "data"
    ]
    final = client.get(links["documentUrl"].removeprefix("http://testserver")).content
    first_page = PdfReader(io.BytesIO(final)).pages[0].extract_text()
    assert "1 March 2026" in first_page and "Boston" in first_page


def test_uploaded_document_without_fields_gets_a_signature_per_signer(client, org):
    response = client.post(
        "/api/v1/envelopes",
        headers=org.headers(),
        json={
            "document": {"data": base64.b64encode(make_pdf(2)).decode(), "filename": "nda.pdf"},
            "signers": [
                {"name": "A One", "email": "a@example.com"},
                {"name": "B Two", "email": "b@example.com"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    roles = [s["role"] for s in response.json()["data"]["signers"]]
    assert roles == ["signer_1", "signer_2"]


def test_list_filters_and_validates_status(client, org):
    _create(client, org)
    assert (
        client.get(
            "/api/v1/envelopes", params={"status": "completed"}, headers=org.headers()
        ).json()["data"]
        == []
    )
    assert (
        len(
            client.get(
                "/api/v1/envelopes", params={"status": "sent", "limit": 1}, headers=org.headers()
            ).json()["data"]
        )
        == 1
    )
    bad = client.get("/api/v1/envelopes", params={"status": "lost"}, headers=org.headers())
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "status"


# --- drafts ------------------------------------------------------------------------------


def _texts(to: str | None = None) -> list[TextMessage]:
    with session_scope() as session:
        query = select(TextMessage).order_by(TextMessage.created_at)
        if to:
            query = query.where(TextMessage.to_phone == to)
        return list(session.exec(query))


def test_draft_sends_nothing_until_sent(client, org):
    response = _create(client, org, saveAsDraft=True, expiresInHours=24)
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    envelope_id, base = data["id"], f"/api/v1/envelopes/{data['id']}"
    assert data["status"] == "draft" and [s["status"] for s in data["signers"]] == ["pending"] * 3
    assert _outbox() == [] and [e.type for e in _events()] == ["envelope.created"]
    with session_scope() as session:
        token = token_of(data["signers"][0]["signingUrl"])
        assert signing.open_link(session, token=token).state == "not_sent"
    drafts = client.get("/api/v1/envelopes", params={"status": "draft"}, headers=org.headers())
    assert [e["id"] for e in drafts.json()["data"]] == [envelope_id]
    assert client.post(f"{base}/remind", headers=org.headers()).status_code == 409
    john = data["signers"][0]

    # signers change freely while it is a draft
    added = client.post(
        f"{base}/signers",
        json={"name": "Second Approver", "email": "approver2@company.com", "role": "approver"},
        headers=org.headers(),
    )
    assert added.status_code == 201
    renamed = client.patch(
        f"{base}/signers/{john['id']}",
        json={"email": "john.doe@example.com"},
        headers=org.headers(),
    )
    assert renamed.status_code == 200
    removed = client.delete(f"{base}/signers/{data['signers'][2]['id']}", headers=org.headers())
    assert removed.status_code == 200
    assert _outbox() == []
    assert (
        client.post(f"{base}/signers/{john['id']}/resend", headers=org.headers()).status_code == 409
    )

    sending = clock.now_ms() + 3600_000
    with clock.travel(to_ms=sending):
        sent = client.post(f"{base}/send", headers=org.headers())
    assert sent.status_code == 200, sent.text
    detail = sent.json()["data"]
    assert detail["status"] == "sent" and detail["sentAt"] == sending
    assert detail["expiresAt"] == sending + 24 * 3600_000  # counted from the sending
    assert [s["email"] for s in detail["signers"]] == [
        "john.doe@example.com",
        "jane@company.com",
        "approver2@company.com",
    ]
    invitation = _outbox("john.doe@example.com")
    assert len(invitation) == 1 and renamed.json()["data"]["signingUrl"] in invitation[0].text_body
    assert [e.type for e in _events()] == ["envelope.created", "envelope.sent"]
    again = client.post(f"{base}/send", headers=org.headers())
    assert again.status_code == 409 and "draft" in again.json()["message"]


def test_a_draft_signer_changes_role_and_order_until_sent(client, org):
    data = _create(client, org, saveAsDraft=True).json()["data"]
    base = f"/api/v1/envelopes/{data['id']}"
    first, second = data["signers"][0], data["signers"][1]

    def patch(signer, **body):
        return client.patch(f"{base}/signers/{signer['id']}", json=body, headers=org.headers())

    swapped = patch(first, role=second["role"], signingOrder=5)
    assert swapped.status_code == 200, swapped.text
    assert swapped.json()["data"]["role"] == second["role"]
    assert swapped.json()["data"]["signingOrder"] == 5
    listed = client.get(f"{base}/signers", headers=org.headers()).json()["data"]
    assert [s["id"] for s in listed][-1] == first["id"]  # now signs last
    unknown = patch(first, role="landlord")
    assert unknown.status_code == 400 and unknown.json()["details"]["field"] == "role"
    assert patch(first, signingOrder=0).json()["details"]["field"] == "signingOrder"
    with session_scope() as session:
        stored = session.get(EnvelopeSigner, first["id"])
        assert (stored.role, stored.signing_order) == (second["role"], 5)

    assert client.post(f"{base}/send", headers=org.headers()).status_code == 200
    late = patch(second, signingOrder=9)
    assert late.status_code == 409 and "draft" in late.json()["message"]
    assert patch(second, name="Jane Q. Smith").status_code == 200  # contact details still change


def test_draft_keeps_its_schedule_or_sends_now_once_that_time_passed(client, org):
    when = clock.now_ms() + 2 * 3600_000
    kept = _create(client, org, saveAsDraft="yes", scheduledAt=when).json()["data"]
    assert kept["status"] == "draft" and kept["scheduledAt"] == when
    scheduled = client.post(f"/api/v1/envelopes/{kept['id']}/send", headers=org.headers())
    assert scheduled.json()["data"]["status"] == "scheduled"
    assert scheduled.json()["data"]["scheduledAt"] == when and _outbox() == []
    with clock.travel(by_ms=2 * 3600_000 + 60_000):
        run_due_jobs()
    assert len(_outbox("john@example.com")) == 1

    late = _create(client, org, saveAsDraft=True, scheduledAt=clock.now_ms() + 600_000)
    with clock.travel(by_ms=3600_000):
        sent = client.post(
            f"/api/v1/envelopes/{late.json()['data']['id']}/send", headers=org.headers()
        )
    assert sent.json()["data"]["status"] == "sent" and sent.json()["data"]["scheduledAt"] is None
    assert len(_outbox("john@example.com")) == 2


def test_cancelling_a_draft_emails_nobody_and_sending_a_sent_envelope_is_409(client, org):
    draft = _create(client, org, saveAsDraft=True).json()["data"]
    cancelled = client.delete(f"/api/v1/envelopes/{draft['id']}", headers=org.headers())
    assert cancelled.json()["data"] == {"id": draft["id"], "status": "cancelled"}
    assert _outbox() == []
    assert (
        client.post(f"/api/v1/envelopes/{draft['id']}/send", headers=org.headers()).status_code
        == 409
    )
    live = _create(client, org).json()["data"]
    assert (
        client.post(f"/api/v1/envelopes/{live['id']}/send", headers=org.headers()).status_code
        == 409
    )
    assert (
        client.post("/api/v1/envelopes/env_nothing/send", headers=org.headers()).status_code == 404
    )


# --- passwords by text message -------------------------------------------------------------


def _password_in(text: str) -> str:
    return text.split(": ")[-1].split()[0]


def test_generated_password_goes_by_sms_without_a_provider_into_the_outbox(client, org):
    signers = [
        {
            **SIGNERS[0],
            "requirePassword": True,
            "phone": "+1 555 123 4567",
            "passwordDelivery": "sms",
        },
        *SIGNERS[1:],
    ]
    data = _create(client, org, signers=signers).json()["data"]
    john = _outbox("john@example.com")
    assert len(john) == 1 and "text message to +15551234567" in john[0].text_body
    texts = _texts("+15551234567")
    assert len(texts) == 1 and texts[0].channel == "sms" and texts[0].status == "not_sent"
    assert "Employment Contract - John Doe" in texts[0].body and "Acme Inc" in texts[0].body
    password = texts[0].body.split(": ", 1)[1].split()[0]
    assert len(password) == 8 and password.isalnum()
    token = token_of(data["signers"][0]["signingUrl"])
    with session_scope() as session:
        result = signing.check_password(session, token=token, password=password)
    assert result.ok
    signer = client.get(f"/api/v1/envelopes/{data['id']}/signers", headers=org.headers()).json()
    assert signer["data"][0]["phone"] == "+15551234567"
    assert signer["data"][0]["passwordDelivery"] == "sms"
    log = client.get(f"/api/v1/envelopes/{data['id']}/audit-log", headers=org.headers()).json()
    assert any(
        e["action"] == "password_sent" and "+15551234567" in e["actionDescription"]
        for e in log["data"]
    )


def test_password_by_whatsapp_reaches_the_provider_and_resend_uses_the_new_channel(
    client, org, sms_provider
):
    signers = [
        {
            **SIGNERS[0],
            "requirePassword": True,
            "phone": "+2348012345678",
            "passwordDelivery": "whatsapp",
        },
        *SIGNERS[1:],
    ]
    data = _create(client, org, signers=signers).json()["data"]
    run_due_jobs()
    form = sms_provider.forms(1)[0]
    assert (
        form["To"] == "whatsapp:+2348012345678"
        and form["From"] == f"whatsapp:{sms_provider.sender}"
    )
    first = form["Body"].split(": ", 1)[1].split()[0]
    assert _texts()[0].status == "sent" and _texts()[0].provider_id
    john = data["signers"][0]
    base = f"/api/v1/envelopes/{data['id']}/signers/{john['id']}"
    moved = client.patch(base, json={"passwordDelivery": "sms"}, headers=org.headers())
    assert moved.json()["data"]["passwordDelivery"] == "sms"
    assert client.post(f"{base}/resend", headers=org.headers()).status_code == 200
    run_due_jobs()
    second = sms_provider.forms(2)[1]
    assert second["To"] == "+2348012345678"
    password = second["Body"].split(": ", 1)[1].split()[0]
    assert password != first
    token = token_of(john["signingUrl"])
    with session_scope() as session:
        assert signing.check_password(session, token=token, password=password).ok
    cleared = client.patch(base, json={"phone": ""}, headers=org.headers())
    assert cleared.status_code == 400 and cleared.json()["details"]["field"] == "phone"


def test_email_stays_the_default_password_channel(client, org):
    signers = [{**SIGNERS[0], "requirePassword": True, "phone": "+15551234567"}, *SIGNERS[1:]]
    _create(client, org, signers=signers)
    assert _texts() == []
    mail = [m for m in _outbox("john@example.com") if "password" in m.subject.lower()]
    assert len(mail) == 1 and _password_in(mail[0].text_body)


@pytest.mark.parametrize(
    ("signer", "field"),
    [
        ({"passwordDelivery": "sms", "requirePassword": True}, "signers[0].phone"),
        ({"passwordDelivery": "whatsapp", "phone": "   "}, "signers[0].phone"),
        ({"phone": "555-1234"}, "signers[0].phone"),
        ({"phone": "+15551234567", "passwordDelivery": "fax"}, "signers[0].passwordDelivery"),
    ],
)
def test_bad_phone_or_channel_is_400_naming_the_field(client, org, signer, field):
    response = _create(client, org, signers=[{**SIGNERS[0], **signer}, *SIGNERS[1:]])
    assert response.status_code == 400, response.text
    assert response.json()["details"]["field"] == field
    assert _outbox() == [] and _texts() == []


# --- the CA certificate ----------------------------------------------------------------------


def test_ca_certificate_route_serves_the_certificate_that_sealed_the_pdf(client, org):
    template = make_template(org, roles=("employee",))
    data = _create(client, org, templateId=template, signers=[SIGNERS[0]]).json()["data"]
    sign_as(token_of(data["signers"][0]["signingUrl"]), "employee")
    links = client.get(f"/api/v1/envelopes/{data['id']}/download", headers=org.headers()).json()[
        "data"
    ]
    pdf = client.get(links["documentUrl"].removeprefix("http://testserver")).content

    pem = client.get("/files/ca.pem")  # public: no API key
    assert pem.status_code == 200
    assert pem.headers["content-type"].startswith("application/x-pem-file")
    served = x509.load_pem_x509_certificate(pem.content)
    der = client.get("/files/ca.cer")
    assert der.headers["content-type"] == "application/pkix-cert"
    assert x509.load_der_x509_certificate(der.content) == served

    signature = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    signer = x509.load_der_x509_certificate(signature.signer_cert.dump())
    signer.verify_directly_issued_by(served)
    status = pyhanko_status(pdf, pem.text)
    assert status.bottom_line and status.trusted
    text = "".join(
        "".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert "http://testserver/files/ca.pem" in text
