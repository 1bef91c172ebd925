"""Templates, their fields and packages on the wire (camelCase, geometry in PDF points)."""

from __future__ import annotations

from typing import Any

from pydantic import Field as PydanticField

from workspace.core.schemas.base import ApiModel

FIELD_TYPES = (
    "signature",
    "initials",
    "sender_signature",
    "date",
    "text",
    "checkbox",
    "email",
    "phone",
    "number",
    "dropdown",
    "radio_group",
    "multi_select",
    "date_picker",
)
CHOICE_TYPES = ("dropdown", "radio_group", "multi_select")
CONDITION_OPERATORS = (
    "equals",
    "not_equals",
    "contains",
    "not_contains",
    "is_empty",
    "is_not_empty",
    "greater_than",
    "less_than",
)
VALUELESS_OPERATORS = ("is_empty", "is_not_empty")
NUMERIC_OPERATORS = ("greater_than", "less_than")
CONDITION_ACTIONS = ("show", "hide", "require")
CONDITION_LOGICS = ("all", "any")


class FieldOption(ApiModel):
    label: str = ""
    value: str = ""


class FieldCondition(ApiModel):
    """`sourceFieldId` `operator` `value`: e.g. field_1 equals "b"."""

    source_field_id: str = ""
    operator: str = ""
    value: Any = None


class TemplateField(ApiModel):
    """One field as the API sends and receives it: geometry in PDF points from the page's
    top-left corner, `page` from 1. Types and references are checked by
    `core.template_fields.validate_fields`, which names the offending path."""

    id: str | None = None
    type: str = ""
    role: str = ""
    page: int = 1
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    required: bool = False
    label: str = ""
    placeholder: str | None = None
    options: list[FieldOption] | None = None
    min: float | None = None
    max: float | None = None
    default_value: Any = None
    conditions: list[FieldCondition] | None = None
    condition_action: str | None = None
    condition_logic: str | None = None


class DocumentUpload(ApiModel):
    data: str = PydanticField(description="The PDF, base64-encoded")
    filename: str = "document.pdf"


class TemplateCreate(ApiModel):
    name: str
    description: str = ""
    document: DocumentUpload
    fields: list[TemplateField] | None = PydanticField(
        default=None,
        description="Fields in PDF points. When omitted, form fields found in the PDF are "
        "imported.",
    )


class TemplateUpdate(ApiModel):
    name: str | None = None
    description: str | None = None
    is_archived: bool | None = None


class TemplateFieldsUpdate(ApiModel):
    fields: list[TemplateField]


class PageReorder(ApiModel):
    page_order: list[int] = PydanticField(
        description="Every page number once, in the new order, e.g. [2, 1, 3]"
    )


class TemplateRoleRef(ApiModel):
    template_id: str
    role_id: str


class RoleMapping(ApiModel):
    package_role_id: str = ""
    package_role_name: str = ""
    color: str = ""
    template_roles: list[TemplateRoleRef] = []


class PackageCreate(ApiModel):
    name: str
    description: str = ""
    template_ids: list[str]
    role_mappings: list[RoleMapping] | None = PydanticField(
        default=None,
        description="Package roles mapped to template roles; generated from same-named "
        "roles when omitted. Template roles left unmapped get a mapping of their own.",
    )


class PackageUpdate(ApiModel):
    name: str | None = None
    description: str | None = None
    template_ids: list[str] | None = None
    role_mappings: list[RoleMapping] | None = None
