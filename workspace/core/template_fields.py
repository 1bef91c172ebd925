"""Checking template fields and converting them between API points and stored fractions.

Stored fields are dicts in the API shape (camelCase keys) except that x, y, width and height
are fractions of the page (see `core.pdf.geometry`). `validate_fields` is the one gate every
save goes through (API, editor, form import)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from workspace.core.errors import ValidationFailed
from workspace.core.ids import random_base62
from workspace.core.pdf.geometry import Box, PageFrame, fractions_to_points, points_to_fractions
from workspace.core.schemas.templates import (
    CHOICE_TYPES,
    CONDITION_ACTIONS,
    CONDITION_LOGICS,
    CONDITION_OPERATORS,
    FIELD_TYPES,
    NUMERIC_OPERATORS,
    VALUELESS_OPERATORS,
    TemplateField,
)

MAX_FIELDS = 2000
EDGE_TOLERANCE_PT = 0.5  # rounding in clients; boxes are clamped onto the page


def new_field_id() -> str:
    return f"field_{random_base62(10)}"


def _check_box(index: int, field: TemplateField, frame: PageFrame) -> Box:
    path = f"fields[{index}]"
    for name in ("x", "y", "width", "height"):
        value = getattr(field, name)
        if not math.isfinite(value):
            raise ValidationFailed(f"{path}.{name} must be a number.", field=f"{path}.{name}")
    if field.width <= 0 or field.height <= 0:
        name = "width" if field.width <= 0 else "height"
        raise ValidationFailed(
            f"{path}.{name} must be greater than 0.",
            field=f"{path}.{name}",
            value=getattr(field, name),
        )
    if field.x < -EDGE_TOLERANCE_PT or field.x + field.width > frame.width + EDGE_TOLERANCE_PT:
        raise ValidationFailed(
            f"The box of {path} lies outside page {field.page} "
            f"({frame.width:g} pt wide): x {field.x:g} + width {field.width:g}.",
            field=f"{path}.x",
            value=field.x,
        )
    if field.y < -EDGE_TOLERANCE_PT or field.y + field.height > frame.height + EDGE_TOLERANCE_PT:
        raise ValidationFailed(
            f"The box of {path} lies outside page {field.page} "
            f"({frame.height:g} pt high): y {field.y:g} + height {field.height:g}.",
            field=f"{path}.y",
            value=field.y,
        )
    x = min(max(field.x, 0.0), frame.width - min(field.width, frame.width))
    y = min(max(field.y, 0.0), frame.height - min(field.height, frame.height))
    return Box(x, y, min(field.width, frame.width), min(field.height, frame.height))


def _check_options(index: int, field: TemplateField) -> list[dict[str, str]] | None:
    path = f"fields[{index}].options"
    if field.type not in CHOICE_TYPES:
        return None
    if not field.options:
        raise ValidationFailed(
            f"A {field.type} field needs at least one option.", field=path, fieldType=field.type
        )
    seen: set[str] = set()
    options = []
    for j, option in enumerate(field.options):
        value = (option.value or "").strip()
        if not value:
            raise ValidationFailed("Every option needs a value.", field=f"{path}[{j}].value")
        if value in seen:
            raise ValidationFailed(
                f"The option value {value!r} appears twice.", field=f"{path}[{j}].value"
            )
        seen.add(value)
        options.append({"label": (option.label or "").strip() or value, "value": value})
    return options


def _check_default(index: int, field: TemplateField, options: list[dict] | None) -> Any:
    value = field.default_value
    if value is None or value == "":
        return None
    path = f"fields[{index}].defaultValue"
    if options is not None:
        allowed = {o["value"] for o in options}
        chosen = value if isinstance(value, list) else [value]
        if field.type != "multi_select" and isinstance(value, list):
            raise ValidationFailed("Choose one option as the default.", field=path)
        if any(str(v) not in allowed for v in chosen):
            raise ValidationFailed("The default value is not one of the options.", field=path)
        return [str(v) for v in chosen] if field.type == "multi_select" else str(value)
    if field.type == "checkbox":
        if not isinstance(value, bool):
            raise ValidationFailed("A checkbox default is true or false.", field=path)
        return value
    if field.type == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationFailed("The default must be a number.", field=path) from None
        if (field.min is not None and number < field.min) or (
            field.max is not None and number > field.max
        ):
            raise ValidationFailed("The default is outside min/max.", field=path)
        return value
    if isinstance(value, dict | list):
        raise ValidationFailed("The default must be text.", field=path)
    return str(value)[:1000]


def _check_conditions(
    index: int, field: TemplateField, ids: dict[str, int]
) -> list[dict[str, Any]] | None:
    if not field.conditions:
        return None
    conditions = []
    for j, condition in enumerate(field.conditions):
        path = f"fields[{index}].conditions[{j}]"
        source = (condition.source_field_id or "").strip()
        if source not in ids:
            raise ValidationFailed(
                f"{path}.sourceFieldId refers to a field that does not exist: {source!r}.",
                field=f"{path}.sourceFieldId",
                value=source,
            )
        if source == field.id:
            raise ValidationFailed(
                "A field cannot depend on itself.", field=f"{path}.sourceFieldId", value=source
            )
        if condition.operator not in CONDITION_OPERATORS:
            raise ValidationFailed(
                f"Unknown operator {condition.operator!r}; use one of "
                f"{', '.join(CONDITION_OPERATORS)}.",
                field=f"{path}.operator",
                value=condition.operator,
            )
        value = condition.value
        if condition.operator in VALUELESS_OPERATORS:
            value = None
        elif value is None or (isinstance(value, str) and value.strip() == ""):
            raise ValidationFailed(
                f"The {condition.operator} operator needs a value.", field=f"{path}.value"
            )
        elif condition.operator in NUMERIC_OPERATORS:
            try:
                float(value)
            except (TypeError, ValueError):
                raise ValidationFailed(
                    f"The {condition.operator} operator compares numbers.",
                    field=f"{path}.value",
                    value=value,
                ) from None
        item: dict[str, Any] = {"sourceFieldId": source, "operator": condition.operator}
        if value is not None:
            item["value"] = value
        conditions.append(item)
    return conditions


def _check_cycles(stored: list[dict[str, Any]]) -> None:
    position = {f["id"]: i for i, f in enumerate(stored)}
    edges = {f["id"]: [c["sourceFieldId"] for c in f.get("conditions") or []] for f in stored}
    done: set[str] = set()
    stack: list[str] = []

    def visit(field_id: str) -> None:
        stack.append(field_id)
        for j, source in enumerate(edges[field_id]):
            if source in stack:
                cycle = stack[stack.index(source) :] + [source]
                raise ValidationFailed(
                    "Conditions form a cycle: " + " -> ".join(reversed(cycle)) + ".",
                    field=f"fields[{position[field_id]}].conditions[{j}].sourceFieldId",
                    value=source,
                )
            if source not in done:
                visit(source)
        stack.pop()
        done.add(field_id)

    for field_id in edges:
        if field_id not in done:
            visit(field_id)


def validate_fields(
    fields: Sequence[TemplateField], pages: Sequence[PageFrame]
) -> list[dict[str, Any]]:
    """Check fields given in API units against the document's pages and return them in the
    stored shape (geometry as page fractions). Missing ids are generated.

    Raises ValidationFailed with `details.field` naming the offending path, e.g.
    `fields[3].type`, `fields[0].page`, `fields[2].x` (box outside the page),
    `fields[1].options`, `fields[4].id` (duplicate), `fields[3].conditions[0].sourceFieldId`
    (missing field, self-reference or a cycle)."""
    if len(fields) > MAX_FIELDS:
        raise ValidationFailed(f"A template holds at most {MAX_FIELDS} fields.", field="fields")
    ids: dict[str, int] = {}
    prepared: list[TemplateField] = []
    for index, field in enumerate(fields):
        field_id = (field.id or "").strip() or new_field_id()
        if len(field_id) > 64:
            raise ValidationFailed(
                "A field id has at most 64 characters.", field=f"fields[{index}].id"
            )
        if field_id in ids:
            raise ValidationFailed(
                f"The field id {field_id!r} is used twice (fields[{ids[field_id]}] and "
                f"fields[{index}]).",
                field=f"fields[{index}].id",
                value=field_id,
            )
        ids[field_id] = index
        prepared.append(field.model_copy(update={"id": field_id}))
    stored: list[dict[str, Any]] = []
    for index, field in enumerate(prepared):
        path = f"fields[{index}]"
        if field.type not in FIELD_TYPES:
            raise ValidationFailed(
                f"Unknown field type {field.type!r}; use one of {', '.join(FIELD_TYPES)}.",
                field=f"{path}.type",
                value=field.type,
            )
        role = (field.role or "").strip()
        if not role:
            raise ValidationFailed(f"{path}.role is required.", field=f"{path}.role")
        if len(role) > 64:
            raise ValidationFailed("A role has at most 64 characters.", field=f"{path}.role")
        if not 1 <= field.page <= len(pages):
            raise ValidationFailed(
                f"{path}.page must be between 1 and {len(pages)}.",
                field=f"{path}.page",
                value=field.page,
            )
        frame = pages[field.page - 1]
        box = points_to_fractions(_check_box(index, field, frame), frame.width, frame.height)
        options = _check_options(index, field)
        if field.min is not None and field.max is not None and field.min > field.max:
            raise ValidationFailed("min must not be greater than max.", field=f"{path}.max")
        if field.condition_action not in (None, *CONDITION_ACTIONS):
            raise ValidationFailed(
                f"conditionAction must be one of {', '.join(CONDITION_ACTIONS)}.",
                field=f"{path}.conditionAction",
                value=field.condition_action,
            )
        if field.condition_logic not in (None, *CONDITION_LOGICS):
            raise ValidationFailed(
                f"conditionLogic must be one of {', '.join(CONDITION_LOGICS)}.",
                field=f"{path}.conditionLogic",
                value=field.condition_logic,
            )
        item: dict[str, Any] = {
            "id": field.id,
            "type": field.type,
            "role": role,
            "page": field.page,
            "x": box.x,
            "y": box.y,
            "width": box.width,
            "height": box.height,
            "required": field.required,
            "label": (field.label or "").strip()[:200],
        }
        if field.placeholder:
            item["placeholder"] = field.placeholder.strip()[:200]
        if options is not None:
            item["options"] = options
        if field.type == "number":
            if field.min is not None:
                item["min"] = field.min
            if field.max is not None:
                item["max"] = field.max
        default = _check_default(index, field, options)
        if default is not None:
            item["defaultValue"] = default
        conditions = _check_conditions(index, field, ids)
        if conditions:
            item["conditions"] = conditions
            item["conditionAction"] = field.condition_action or "show"
            item["conditionLogic"] = field.condition_logic or "all"
        stored.append(item)
    _check_cycles(stored)
    return stored


def roles_of(stored: Sequence[dict[str, Any]]) -> list[str]:
    """Roles in first-use order."""
    return list(dict.fromkeys(f["role"] for f in stored))


def field_to_api(stored: dict[str, Any], pages: Sequence[PageFrame]) -> dict[str, Any]:
    """A stored field in API units (points from the top-left of its page)."""
    frame = pages[stored["page"] - 1]
    box = fractions_to_points(
        Box(stored["x"], stored["y"], stored["width"], stored["height"]),
        frame.width,
        frame.height,
    )
    return {**stored, "x": box.x, "y": box.y, "width": box.width, "height": box.height}


def fields_to_api(
    stored: Sequence[dict[str, Any]], pages: Sequence[PageFrame]
) -> list[dict[str, Any]]:
    return [field_to_api(f, pages) for f in stored]
