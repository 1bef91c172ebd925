"""Uploaded PDFs, templates (a PDF plus fields) and packages (ordered templates)."""

from typing import Any

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from workspace.core.models.base import id_field, json_field, ms_field, org_field


class PdfDocument(SQLModel, table=True):
    """A validated PDF kept in content-addressed storage (`core.storage`, by `sha256`).

    `pages[i]` describes page i+1: {"width", "height"} (visible size in points),
    {"box"} (crop box in PDF user space) and {"rotation"}; see `core.pdf.document`."""

    id: str = id_field("pdf")
    org_id: str = org_field()
    sha256: str = Field(max_length=64, index=True)
    filename: str = Field(max_length=255)
    byte_size: int = 0
    page_count: int
    pages: list[dict[str, Any]] = json_field(list)
    placeholder_keys: list[str] = json_field(list)
    created_at: int = ms_field()


class Template(SQLModel, table=True):
    """`fields` are stored dicts in the API shape with geometry as page fractions
    (`core.template_fields`); `roles` are derived from them in first-use order."""

    __table_args__ = (Index("ix_template_org_list", "org_id", "test_mode", "is_archived"),)
    id: str = id_field("tpl")
    org_id: str = org_field()
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    document_id: str = Field(foreign_key="pdfdocument.id", max_length=40, ondelete="RESTRICT")
    fields: list[dict[str, Any]] = json_field(list)
    roles: list[str] = json_field(list)
    is_archived: bool = False
    test_mode: bool = False
    created_by: str | None = Field(default=None, max_length=40)
    created_at: int = ms_field()
    updated_at: int = ms_field()


class Package(SQLModel, table=True):
    """Templates in order (`template_ids`) and `role_mappings` in the API shape
    ({packageRoleId, packageRoleName, color, templateRoles: [{templateId, roleId}]})."""

    __table_args__ = (Index("ix_package_org_list", "org_id", "test_mode", "status"),)
    id: str = id_field("pkg")
    org_id: str = org_field()
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    status: str = Field(default="active", max_length=20)  # active | archived
    template_ids: list[str] = json_field(list)
    role_mappings: list[dict[str, Any]] = json_field(list)
    test_mode: bool = False
    created_at: int = ms_field()
    updated_at: int = ms_field()
