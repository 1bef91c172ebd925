"""The template and package MCP tools call the same services as /api/v1."""

import base64

from tests.api.mcp_client import call_tool
from tests.pdf_samples import make_pdf


def _call(client, org, name, arguments):
    return call_tool(client, org.headers(), name, arguments)


def test_template_and_package_tools(client, org, other_org):
    pdf = base64.b64encode(make_pdf(2, texts={1: "{{client}}"})).decode()
    created = _call(
        client,
        org,
        "create-template",
        {"template": {"name": "NDA", "document": {"data": pdf, "filename": "nda.pdf"}}},
    )
    assert created["id"].startswith("tpl_") and created["placeholderKeys"] == ["client"]
    fields = [
        {"id": "a", "type": "checkbox", "role": "client", "page": 1, "x": 10, "y": 10,
         "width": 18, "height": 18},
        {"id": "b", "type": "signature", "role": "client", "page": 2, "x": 72, "y": 600,
         "width": 200, "height": 50,
         "conditions": [{"sourceFieldId": "a", "operator": "is_not_empty"}]},
    ]  # fmt: skip
    saved = _call(
        client, org, "update-template-fields", {"template_id": created["id"], "fields": fields}
    )
    assert (saved["fieldCount"], saved["roles"]) == (2, ["client"])
    read = _call(client, org, "get-template-fields", {"template_id": created["id"]})
    assert read["fields"][1]["conditions"] == [{"sourceFieldId": "a", "operator": "is_not_empty"}]
    assert read["fields"][1]["x"] == 72

    bad = _call(
        client,
        org,
        "update-template-fields",
        {"template_id": created["id"], "fields": [{**fields[0], "page": 5}]},
    )
    assert bad["error"] == "validation_error" and bad["details"]["field"] == "fields[0].page"

    package = _call(
        client, org, "create-package", {"package": {"name": "Deal", "templateIds": [created["id"]]}}
    )
    assert package["stats"]["documentCount"] == 1
    assert package["roleMappings"][0]["packageRoleName"] == "Client"
    listed = _call(client, org, "list-packages", {})
    assert [p["id"] for p in listed] == [package["id"]]
    assert _call(client, other_org, "get-template", {"template_id": created["id"]})["error"] == (
        "not_found"
    )
    assert _call(client, org, "archive-template", {"template_id": created["id"]})["archived"]
    assert _call(client, org, "list-templates", {}) == []
