"""Template and package use cases: validation of fields, roles, archive, page reorder,
organization scoping, test mode and role mappings."""

import pytest
from sqlmodel import select

from tests.pdf_samples import make_pdf
from workspace.core.actor import Actor
from workspace.core.db import session_scope
from workspace.core.errors import NotFound, ValidationFailed
from workspace.core.models import AuditLog, PdfDocument
from workspace.core.schemas.templates import RoleMapping, TemplateField
from workspace.core.services import templates as svc


def field(**overrides):
    data = {
        "id": "f1",
        "type": "signature",
        "role": "signer",
        "page": 1,
        "x": 100,
        "y": 500,
        "width": 200,
        "height": 50,
    }
    data.update(overrides)
    return TemplateField.model_validate(data)


def create(actor, name="Contract", pages=3, fields=None, **kwargs):
    with session_scope() as session:
        template = svc.create_template(
            session,
            actor=actor,
            name=name,
            pdf_data=make_pdf(pages, **kwargs),
            filename="contract.pdf",
            fields=fields,
        )
        return template.id


def save(actor, template_id, fields):
    with session_scope() as session:
        return svc.set_fields(session, actor=actor, template_id=template_id, fields=fields).roles


def test_create_stores_fractions_and_returns_points(org):
    template_id = create(org.actor, fields=[field(), field(id="f2", role="witness")])
    with session_scope() as session:
        template = svc.get_template(session, actor=org.actor, template_id=template_id)
        stored = template.fields[0]
        assert stored["x"] == pytest.approx(100 / 612) and stored["height"] == pytest.approx(
            50 / 792
        )
        payload = svc.template_fields_payload(session, template)
        assert payload["fields"][0] | {} == {
            "id": "f1",
            "type": "signature",
            "role": "signer",
            "page": 1,
            "x": 100,
            "y": 500,
            "width": 200,
            "height": 50,
            "required": False,
            "label": "",
        }
        assert payload["roles"] == ["signer", "witness"]
        summary = svc.template_summary(session, template)
        assert (summary["pageCount"], summary["fieldCount"]) == (3, 2)
        audit = session.exec(select(AuditLog).where(AuditLog.subject_id == template_id)).all()
        assert [row.action for row in audit] == ["template_created"]


def test_fillable_pdf_starts_with_its_form_fields(org):
    template_id = create(org.actor, pages=1, form=True)
    with session_scope() as session:
        template = svc.get_template(session, actor=org.actor, template_id=template_id)
        assert {f["type"] for f in template.fields} == {
            "text",
            "checkbox",
            "dropdown",
            "radio_group",
        }
        assert template.roles == ["signer"]


@pytest.mark.parametrize(
    ("fields", "path", "message"),
    [
        ([field(type="stamp")], "fields[0].type", "Unknown field type"),
        ([field(role=" ")], "fields[0].role", "role is required"),
        ([field(page=4)], "fields[0].page", "between 1 and 3"),
        ([field(page=0)], "fields[0].page", "between 1 and 3"),
        ([field(x=500)], "fields[0].x", "outside page 1"),
        ([field(y=760)], "fields[0].y", "outside page 1"),
        ([field(width=0)], "fields[0].width", "greater than 0"),
        ([field(), field(id="f2", type="dropdown")], "fields[1].options", "at least one option"),
        (
            [field(type="radio_group", options=[{"label": "A", "value": "a"}, {"value": "a"}])],
            "fields[0].options[1].value",
            "appears twice",
        ),
        ([field(), field()], "fields[1].id", "used twice"),
        ([field(type="number", min=5, max=1)], "fields[0].max", "min must not"),
        (
            [field(type="dropdown", options=[{"value": "a"}], defaultValue="z")],
            "fields[0].defaultValue",
            "not one of the options",
        ),
        (
            [
                field(),
                field(id="f2", conditions=[{"sourceFieldId": "f1", "operator": "equals"}]),
            ],
            "fields[1].conditions[0].value",
            "needs a value",
        ),
        (
            [
                field(),
                field(id="f2"),
                field(id="f3"),
                field(
                    id="f4",
                    conditions=[
                        {"sourceFieldId": "f1", "operator": "is_empty"},
                        {"sourceFieldId": "nope", "operator": "equals", "value": "b"},
                    ],
                ),
            ],
            "fields[3].conditions[1].sourceFieldId",
            "does not exist",
        ),
        (
            [field(conditions=[{"sourceFieldId": "f1", "operator": "is_empty"}])],
            "fields[0].conditions[0].sourceFieldId",
            "itself",
        ),
        (
            [field(id="f2", conditions=[{"sourceFieldId": "f2x", "operator": "like"}])],
            "fields[0].conditions[0].sourceFieldId",
            "does not exist",
        ),
        (
            [field(), field(id="f2", conditions=[{"sourceFieldId": "f1", "operator": "like"}])],
            "fields[1].conditions[0].operator",
            "Unknown operator",
        ),
        (
            [
                field(),
                field(
                    id="f2",
                    conditions=[{"sourceFieldId": "f1", "operator": "greater_than", "value": "x"}],
                ),
            ],
            "fields[1].conditions[0].value",
            "compares numbers",
        ),
        (
            [field(), field(id="f2", conditionAction="toggle")],
            "fields[1].conditionAction",
            "conditionAction",
        ),
    ],
)
def test_invalid_fields_name_the_path(org, fields, path, message):
    template_id = create(org.actor, fields=[field()])
    with pytest.raises(ValidationFailed) as exc:
        save(org.actor, template_id, fields)
    assert exc.value.field == path
    assert message in exc.value.message
    with session_scope() as session:  # nothing was changed
        template = svc.get_template(session, actor=org.actor, template_id=template_id)
        assert [f["id"] for f in template.fields] == ["f1"]


def test_condition_cycles_are_rejected(org):
    template_id = create(org.actor)
    cond = lambda source: [{"sourceFieldId": source, "operator": "is_not_empty"}]  # noqa: E731
    fields = [
        field(id="a", conditions=cond("c")),
        field(id="b", conditions=cond("a")),
        field(id="c", conditions=cond("b")),
    ]
    with pytest.raises(ValidationFailed, match="cycle") as exc:
        save(org.actor, template_id, fields)
    assert exc.value.field.endswith(".conditions[0].sourceFieldId")
    # the same chain without the closing edge is fine
    fields[0] = field(id="a")
    assert save(org.actor, template_id, fields) == ["signer"]


def test_all_thirteen_types_and_conditions_are_kept(org):
    from workspace.core.schemas.templates import CHOICE_TYPES, FIELD_TYPES

    template_id = create(org.actor)
    fields = [
        field(
            id=f"f_{t}",
            type=t,
            role="employee" if i % 2 else "employer",
            y=20 + i * 40,
            height=30,
            options=[{"label": "A", "value": "a"}, {"label": "B", "value": "b"}]
            if t in CHOICE_TYPES
            else None,
        )
        for i, t in enumerate(FIELD_TYPES)
    ]
    fields.append(
        field(
            id="extra",
            type="text",
            page=2,
            conditions=[{"sourceFieldId": "f_dropdown", "operator": "equals", "value": "b"}],
            conditionAction="require",
            conditionLogic="any",
        )
    )
    assert save(org.actor, template_id, fields) == ["employer", "employee", "signer"]
    with session_scope() as session:
        template = svc.get_template(session, actor=org.actor, template_id=template_id)
        api = svc.template_fields_payload(session, template)["fields"]
        assert [f["type"] for f in api[:13]] == list(FIELD_TYPES)
        assert api[-1]["conditions"] == [
            {"sourceFieldId": "f_dropdown", "operator": "equals", "value": "b"}
        ]
        assert (api[-1]["conditionAction"], api[-1]["conditionLogic"]) == ("require", "any")


def test_missing_field_ids_are_generated(org):
    template_id = create(org.actor, fields=[field(id=None), field(id="")])
    with session_scope() as session:
        ids = [
            f["id"]
            for f in svc.get_template(session, actor=org.actor, template_id=template_id).fields
        ]
    assert len(set(ids)) == 2 and all(i.startswith("field_") for i in ids)


def test_list_search_archive_and_restore(org):
    first = create(org.actor, name="Employment Contract")
    second = create(org.actor, name="NDA")
    with session_scope() as session:
        names = [t.name for t in svc.list_templates(session, actor=org.actor)]
        assert names == ["NDA", "Employment Contract"]
        assert [t.id for t in svc.list_templates(session, actor=org.actor, search="employ")] == [
            first
        ]
        svc.archive_template(session, actor=org.actor, template_id=second)
    with session_scope() as session:
        assert [t.id for t in svc.list_templates(session, actor=org.actor)] == [first]
        assert len(svc.list_templates(session, actor=org.actor, include_archived=True)) == 2
        svc.update_template(session, actor=org.actor, template_id=second, is_archived=False)
    with session_scope() as session:
        assert len(svc.list_templates(session, actor=org.actor)) == 2


def test_other_organizations_and_test_mode_are_separate(org, other_org):
    template_id = create(org.actor)
    test_actor = Actor(org_id=org.org_id, type="api", role="admin", test_mode=True)
    create(test_actor, name="Test template")
    with session_scope() as session:
        with pytest.raises(NotFound):
            svc.get_template(session, actor=other_org.actor, template_id=template_id)
        assert svc.list_templates(session, actor=other_org.actor) == []
        assert [t.name for t in svc.list_templates(session, actor=org.actor)] == ["Contract"]
        assert [t.name for t in svc.list_templates(session, actor=test_actor)] == ["Test template"]


def test_update_validates_name(org):
    template_id = create(org.actor)
    with session_scope() as session, pytest.raises(ValidationFailed) as exc:
        svc.update_template(session, actor=org.actor, template_id=template_id, name="  ")
    assert exc.value.field == "name"


def test_reorder_pages_moves_fields_with_their_pages(org):
    template_id = create(
        org.actor,
        fields=[field(id="on1", page=1), field(id="on3", page=3, x=10)],
        texts={1: "{{first}}", 3: "{{third}}"},
    )
    with session_scope() as session:
        with pytest.raises(ValidationFailed) as exc:
            svc.reorder_pages(session, actor=org.actor, template_id=template_id, page_order=[1, 2])
        assert exc.value.field == "pageOrder"
        template = svc.reorder_pages(
            session, actor=org.actor, template_id=template_id, page_order=[3, 1, 2]
        )
        pages = {f["id"]: f["page"] for f in template.fields}
        assert pages == {"on1": 2, "on3": 1}
        document = session.get(PdfDocument, template.document_id)
        assert document.placeholder_keys == ["third", "first"]


def make_templates(actor):
    contract = create(
        actor, name="Contract", fields=[field(role="employee"), field(id="f2", role="employer")]
    )
    w4 = create(actor, name="W-4", pages=2, fields=[field(role="Employee")])
    return contract, w4


def test_package_role_mappings_are_generated_from_same_named_roles(org):
    contract, w4 = make_templates(org.actor)
    with session_scope() as session:
        package = svc.create_package(
            session, actor=org.actor, name="New Hire Package", template_ids=[contract, w4]
        )
        data = svc.package_public(session, package)
    assert [t["templateId"] for t in data["templates"]] == [contract, w4]
    assert [t["order"] for t in data["templates"]] == [0, 1]
    assert data["roleMappings"] == [
        {
            "packageRoleId": "role_1",
            "packageRoleName": "Employee",
            "color": "#3b82f6",
            "templateRoles": [
                {"templateId": contract, "roleId": "employee"},
                {"templateId": w4, "roleId": "Employee"},
            ],
        },
        {
            "packageRoleId": "role_2",
            "packageRoleName": "Employer",
            "color": "#f59e0b",
            "templateRoles": [{"templateId": contract, "roleId": "employer"}],
        },
    ]
    assert data["stats"] == {"documentCount": 2, "totalFields": 3, "totalPages": 5, "roleCount": 2}


def test_package_signing_roles_follow_the_fields_of_its_templates(org):
    contract, w4 = make_templates(org.actor)
    with session_scope() as session:
        package = svc.create_package(
            session, actor=org.actor, name="New Hire Package", template_ids=[contract, w4]
        )
        package_id = package.id
    save(org.actor, contract, [field(role="employee")])  # the employer's field is gone
    with session_scope() as session:
        package = svc.get_package(session, actor=org.actor, package_id=package_id)
        roles = svc.package_signing_roles(session, package)
    assert [(r["packageRoleId"], r["packageRoleName"]) for r in roles] == [("role_1", "Employee")]


def test_saved_document_reuses_the_same_upload(org, other_org):
    pdf = make_pdf(2)
    with session_scope() as session:
        first = svc.saved_document(session, actor=org.actor, data=pdf, filename="Lease.pdf")
        again = svc.saved_document(session, actor=org.actor, data=pdf, filename="Lease.pdf")
        renamed = svc.saved_document(session, actor=org.actor, data=pdf, filename="Other.pdf")
        foreign = svc.saved_document(session, actor=other_org.actor, data=pdf, filename="Lease.pdf")
        assert again.id == first.id and first.page_count == 2
        assert len({first.id, renamed.id, foreign.id}) == 3
        assert foreign.org_id == other_org.org_id
        assert len(session.exec(select(PdfDocument)).all()) == 3
    with session_scope() as session, pytest.raises(ValidationFailed):
        svc.saved_document(session, actor=org.actor, data=b"not a pdf", filename="x.pdf")


def test_package_mapping_errors_name_the_path(org, other_org):
    contract, w4 = make_templates(org.actor)
    foreign = create(other_org.actor)
    cases = [
        ({"template_ids": []}, "templateIds"),
        ({"template_ids": [contract, foreign]}, "templateIds[1]"),
        ({"template_ids": [contract, contract]}, "templateIds[1]"),
        (
            {
                "template_ids": [contract],
                "role_mappings": [
                    RoleMapping.model_validate(
                        {
                            "packageRoleName": "X",
                            "templateRoles": [{"templateId": w4, "roleId": "Employee"}],
                        }
                    )
                ],
            },
            "roleMappings[0].templateRoles[0].templateId",
        ),
        (
            {
                "template_ids": [contract],
                "role_mappings": [
                    RoleMapping.model_validate(
                        {
                            "packageRoleName": "X",
                            "templateRoles": [{"templateId": contract, "roleId": "boss"}],
                        }
                    )
                ],
            },
            "roleMappings[0].templateRoles[0].roleId",
        ),
    ]
    for kwargs, path in cases:
        with session_scope() as session, pytest.raises(ValidationFailed) as exc:
            svc.create_package(session, actor=org.actor, name="P", **kwargs)
        assert exc.value.field == path


def test_package_update_keeps_mappings_and_maps_new_templates(org):
    contract, w4 = make_templates(org.actor)
    handbook = create(org.actor, name="Handbook", fields=[field(role="reader")])
    mapping = RoleMapping.model_validate(
        {
            "packageRoleId": "hire",
            "packageRoleName": "New hire",
            "templateRoles": [{"templateId": contract, "roleId": "employee"}],
        }
    )
    with session_scope() as session:
        package = svc.create_package(
            session, actor=org.actor, name="P", template_ids=[contract], role_mappings=[mapping]
        )
        package_id = package.id
    with session_scope() as session:
        package = svc.update_package(
            session,
            actor=org.actor,
            package_id=package_id,
            name="Updated",
            template_ids=[w4, contract, handbook],
        )
        data = svc.package_public(session, package)
    assert [t["name"] for t in data["templates"]] == ["W-4", "Contract", "Handbook"]
    names = [m["packageRoleName"] for m in data["roleMappings"]]
    assert names == ["New hire", "Employer", "Reader"]
    assert {"templateId": w4, "roleId": "Employee"} in data["roleMappings"][0]["templateRoles"]
    assert data["stats"]["documentCount"] == 3
    with session_scope() as session:
        svc.archive_package(session, actor=org.actor, package_id=package_id)
        assert svc.list_packages(session, actor=org.actor) == []
        assert len(svc.list_packages(session, actor=org.actor, include_archived=True)) == 1
