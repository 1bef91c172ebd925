"""The seed's Templates and Packages examples replayed through the API."""

import base64

import pytest

from tests.pdf_samples import make_encrypted_pdf, make_pdf


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


SEED_CREATE = {
    "name": "Employment Contract",
    "description": "Standard employment agreement",
    "document": {"data": None, "filename": "contract.pdf"},
    "fields": [
        {
            "id": "field_1",
            "type": "signature",
            "role": "employee",
            "page": 1,
            "x": 100,
            "y": 500,
            "width": 200,
            "height": 50,
            "required": True,
            "label": "Employee Signature",
        },
        {
            "id": "field_2",
            "type": "dropdown",
            "role": "employee",
            "page": 1,
            "x": 100,
            "y": 300,
            "width": 150,
            "height": 30,
            "required": True,
            "label": "Department",
            "options": [
                {"label": "Engineering", "value": "eng"},
                {"label": "Sales", "value": "sales"},
            ],
        },
    ],
}

SEED_FIELDS = {
    "fields": [
        {
            "id": "field_1",
            "type": "dropdown",
            "role": "signer",
            "page": 1,
            "x": 100,
            "y": 200,
            "width": 150,
            "height": 30,
            "required": True,
            "label": "Select Option",
            "options": [{"label": "Option A", "value": "a"}, {"label": "Option B", "value": "b"}],
        },
        {
            "id": "field_2",
            "type": "text",
            "role": "signer",
            "page": 1,
            "x": 100,
            "y": 250,
            "width": 200,
            "height": 30,
            "required": False,
            "label": "Additional Details",
            "conditions": [{"sourceFieldId": "field_1", "operator": "equals", "value": "b"}],
            "conditionAction": "show",
            "conditionLogic": "all",
        },
    ]
}


def create_template(client, org, *, pages=3, body=None, key=None, **pdf_kwargs):
    payload = {**(body or SEED_CREATE)}
    payload["document"] = {"data": b64(make_pdf(pages, **pdf_kwargs)), "filename": "contract.pdf"}
    response = client.post("/api/v1/templates", json=payload, headers=org.headers(key))
    assert response.status_code == 201, response.text
    return response.json()["data"]


def test_seed_create_template(client, org):
    data = create_template(client, org, texts={2: "Signed by {{employee_name}}"})
    assert data["id"].startswith("tpl_")
    assert data["name"] == "Employment Contract"
    assert data["description"] == "Standard employment agreement"
    assert data["documentName"] == "contract.pdf"
    assert data["fieldCount"] == 2
    assert data["roles"] == ["employee"]
    assert isinstance(data["createdAt"], int)
    assert data["pageCount"] == 3 and data["placeholderKeys"] == ["employee_name"]


def test_seed_list_get_update_archive(client, org):
    created = create_template(client, org)
    listed = client.get("/api/v1/templates", headers=org.headers()).json()["data"]
    assert listed == [
        {
            "id": created["id"],
            "name": "Employment Contract",
            "description": "Standard employment agreement",
            "documentName": "contract.pdf",
            "pageCount": 3,
            "fieldCount": 2,
            "roles": ["employee"],
            "placeholderKeys": [],
            "isArchived": False,
            "testMode": False,
            "createdAt": created["createdAt"],
            "updatedAt": created["updatedAt"],
        }
    ]
    detail = client.get(f"/api/v1/templates/{created['id']}", headers=org.headers()).json()["data"]
    for key in ("pageCount", "fields", "roles", "placeholderKeys", "isArchived", "documentUrl"):
        assert key in detail
    assert detail["fields"][0]["x"] == 100 and detail["fields"][0]["y"] == 500
    assert detail["pages"][0] == {"page": 1, "width": 612, "height": 792}

    updated = client.patch(
        f"/api/v1/templates/{created['id']}",
        json={"name": "Employment Contract v2", "description": "Updated employment agreement"},
        headers=org.headers(),
    )
    assert updated.status_code == 200
    assert updated.json()["data"]["name"] == "Employment Contract v2"
    assert updated.json()["data"]["description"] == "Updated employment agreement"
    put = client.put(
        f"/api/v1/templates/{created['id']}", json={"name": "By PUT"}, headers=org.headers()
    )
    assert put.json()["data"]["name"] == "By PUT"

    archived = client.delete(f"/api/v1/templates/{created['id']}", headers=org.headers())
    assert archived.json() == {"data": {"id": created["id"], "archived": True}}
    assert client.get("/api/v1/templates", headers=org.headers()).json()["data"] == []
    with_archived = client.get(
        "/api/v1/templates?include_archived=true", headers=org.headers()
    ).json()["data"]
    assert [t["isArchived"] for t in with_archived] == [True]


def test_document_url_is_signed_and_short_lived(client, org):
    from workspace.core import clock

    created = create_template(client, org)
    url = client.get(f"/api/v1/templates/{created['id']}", headers=org.headers()).json()["data"][
        "documentUrl"
    ]
    assert url.startswith("http://testserver/files/documents/pdf_")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    tampered = url.replace("sig=", "sig=0")
    assert client.get(tampered).status_code == 403
    assert client.get(url.split("?")[0]).status_code == 403
    with clock.travel(by_ms=20 * 60 * 1000):
        expired = client.get(url)
    assert expired.status_code == 403 and "expired" in expired.json()["message"]


def test_page_image_link(client, org):
    from workspace.core.db import session_scope
    from workspace.core.services import templates as service

    created = create_template(client, org)
    with session_scope() as session:
        template = service.get_template(session, actor=org.actor, template_id=created["id"])
        url = service.page_image_url(service.template_document(session, template), 2, width=400)
        missing = service.page_image_url(service.template_document(session, template), 9)
    response = client.get(url)
    assert response.status_code == 200 and response.content[:4] == b"\x89PNG"
    assert client.get(missing).status_code == 404


def test_seed_update_and_get_fields(client, org):
    created = create_template(client, org)
    response = client.put(
        f"/api/v1/templates/{created['id']}/fields", json=SEED_FIELDS, headers=org.headers()
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["id"], data["fieldCount"], data["roles"]) == (created["id"], 2, ["signer"])
    assert isinstance(data["updatedAt"], int)
    fields = client.get(f"/api/v1/templates/{created['id']}/fields", headers=org.headers())
    body = fields.json()["data"]
    assert body["templateId"] == created["id"]
    assert body["roles"] == ["signer"] and body["placeholderKeys"] == []
    assert body["fields"] == SEED_FIELDS["fields"]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda f: f[1].update(type="stamp"), "fields[1].type"),
        (lambda f: f[0].update(page=9), "fields[0].page"),
        (lambda f: f[0].update(x=500), "fields[0].x"),
        (lambda f: f[0].pop("options"), "fields[0].options"),
        (lambda f: f[1].update(id="field_1"), "fields[1].id"),
        (lambda f: f[1].update(role=""), "fields[1].role"),
        (
            lambda f: f[1]["conditions"][0].update(sourceFieldId="field_9"),
            "fields[1].conditions[0].sourceFieldId",
        ),
        (
            lambda f: f[0].update(
                conditions=[{"sourceFieldId": "field_2", "operator": "is_empty"}]
            ),
            "fields[1].conditions[0].sourceFieldId",
        ),
    ],
)
def test_invalid_fields_are_400_naming_the_field(client, org, mutate, path):
    import copy

    created = create_template(client, org)
    body = copy.deepcopy(SEED_FIELDS)
    mutate(body["fields"])
    response = client.put(
        f"/api/v1/templates/{created['id']}/fields", json=body, headers=org.headers()
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "validation_error"
    assert response.json()["details"]["field"] == path
    kept = client.get(f"/api/v1/templates/{created['id']}/fields", headers=org.headers())
    assert kept.json()["data"]["fields"] == [
        {k: v for k, v in f.items()} for f in SEED_CREATE["fields"]
    ]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"data": "not base64!!", "filename": "x.pdf"}, "not valid base64"),
        ({"data": b64(b"plain text"), "filename": "x.txt"}, "not a PDF"),
        ({"data": b64(make_encrypted_pdf()), "filename": "x.pdf"}, "password-protected"),
        ({"data": "", "filename": "x.pdf"}, "document.data is required"),
    ],
)
def test_bad_documents_are_400_saying_why(client, org, document, message):
    response = client.post(
        "/api/v1/templates",
        json={"name": "Bad", "document": document},
        headers=org.headers(),
    )
    assert response.status_code == 400
    assert message in response.json()["message"]
    assert response.json()["details"]["field"] == "document.data"


def test_missing_name_is_400(client, org):
    response = client.post(
        "/api/v1/templates",
        json={"document": {"data": b64(make_pdf(1))}},
        headers=org.headers(),
    )
    assert response.status_code == 400 and response.json()["details"]["field"] == "name"


def test_form_fields_are_imported_when_fields_are_omitted(client, org):
    body = {"name": "Fillable", "document": {"data": b64(make_pdf(1, form=True))}}
    response = client.post("/api/v1/templates", json=body, headers=org.headers())
    assert response.status_code == 201
    assert response.json()["data"]["fieldCount"] == 4
    assert response.json()["data"]["documentName"] == "document.pdf"


def test_reorder_pages(client, org):
    body = {**SEED_CREATE, "fields": [{**SEED_CREATE["fields"][0], "page": 3}]}
    created = create_template(client, org, body=body)
    response = client.post(
        f"/api/v1/templates/{created['id']}/reorder-pages",
        json={"pageOrder": [3, 1, 2]},
        headers=org.headers(),
    )
    assert response.status_code == 200
    assert response.json()["data"]["fields"][0]["page"] == 1
    bad = client.post(
        f"/api/v1/templates/{created['id']}/reorder-pages",
        json={"pageOrder": [1, 1, 2]},
        headers=org.headers(),
    )
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "pageOrder"


def test_other_organization_gets_404_and_test_keys_are_separate(client, org, other_org):
    created = create_template(client, org)
    for method, suffix in [("get", ""), ("delete", ""), ("get", "/fields")]:
        response = getattr(client, method)(
            f"/api/v1/templates/{created['id']}{suffix}", headers=other_org.headers()
        )
        assert response.status_code == 404
    create_template(client, org, key=org.test_key)
    live = client.get("/api/v1/templates", headers=org.headers()).json()["data"]
    test = client.get("/api/v1/templates", headers=org.headers(org.test_key)).json()["data"]
    assert [t["testMode"] for t in live] == [False] and [t["testMode"] for t in test] == [True]


def test_seed_packages(client, org):
    contract_body = {
        **SEED_CREATE,
        "name": "Employment Contract",
        "fields": [
            {**SEED_CREATE["fields"][0]},
            {**SEED_CREATE["fields"][0], "id": "field_3", "role": "employer", "y": 600},
        ],
    }
    contract = create_template(client, org, body=contract_body)
    w4 = create_template(client, org, pages=2, body={**SEED_CREATE, "name": "W-4"})
    handbook = create_template(client, org, pages=1, body={**SEED_CREATE, "name": "Handbook"})
    payload = {
        "name": "New Hire Package",
        "description": "All onboarding documents",
        "templateIds": [contract["id"], w4["id"]],
        "roleMappings": [
            {
                "packageRoleId": "role_1",
                "packageRoleName": "Employee",
                "color": "#3b82f6",
                "templateRoles": [
                    {"templateId": contract["id"], "roleId": "employee"},
                    {"templateId": w4["id"], "roleId": "employee"},
                ],
            }
        ],
    }
    response = client.post("/api/v1/packages", json=payload, headers=org.headers())
    assert response.status_code == 201, response.text
    package = response.json()["data"]
    assert package["id"].startswith("pkg_")
    assert (package["name"], package["description"], package["status"]) == (
        "New Hire Package",
        "All onboarding documents",
        "active",
    )
    assert package["templates"][0] == {
        "templateId": contract["id"],
        "order": 0,
        "name": "Employment Contract",
        "pageCount": 3,
        "fieldCount": 2,
        "roles": ["employee", "employer"],
    }
    assert [m["packageRoleName"] for m in package["roleMappings"]] == ["Employee", "Employer"]
    assert package["stats"] == {
        "documentCount": 2,
        "totalFields": 4,
        "totalPages": 5,
        "roleCount": 2,
    }

    listed = client.get("/api/v1/packages", headers=org.headers()).json()["data"]
    assert [p["id"] for p in listed] == [package["id"]]
    assert (
        client.get(f"/api/v1/packages/{package['id']}", headers=org.headers()).json()["data"][
            "name"
        ]
        == "New Hire Package"
    )

    updated = client.patch(
        f"/api/v1/packages/{package['id']}",
        json={
            "name": "Updated New Hire Package",
            "templateIds": [contract["id"], w4["id"], handbook["id"]],
        },
        headers=org.headers(),
    ).json()["data"]
    assert updated["name"] == "Updated New Hire Package"
    assert updated["stats"]["documentCount"] == 3 and updated["stats"]["totalPages"] == 6
    assert updated["updatedAt"] >= package["updatedAt"]
    employee = updated["roleMappings"][0]["templateRoles"]
    assert {"templateId": handbook["id"], "roleId": "employee"} in employee

    archived = client.delete(f"/api/v1/packages/{package['id']}", headers=org.headers())
    assert archived.json() == {"data": {"id": package["id"], "archived": True}}
    assert client.get("/api/v1/packages", headers=org.headers()).json()["data"] == []
    assert (
        client.get("/api/v1/packages?include_archived=true", headers=org.headers()).json()["data"][
            0
        ]["status"]
        == "archived"
    )


def test_package_errors(client, org, other_org):
    foreign = create_template(client, other_org)
    response = client.post(
        "/api/v1/packages",
        json={"name": "P", "templateIds": [foreign["id"]]},
        headers=org.headers(),
    )
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "templateIds[0]"
    assert client.get("/api/v1/packages/pkg_nope", headers=org.headers()).status_code == 404
