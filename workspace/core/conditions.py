"""The one evaluator of conditional field logic (signing portal and completion check use it).

A field may carry `conditions` (each: `sourceFieldId`, `operator`, `value`), a
`conditionAction` (show | hide | require, default show) and a `conditionLogic` (all | any,
default all). Given the fields and the values entered so far, `evaluate` says which fields are
visible and which are required:

- no conditions: visible; required when the field says so;
- show: visible only while the conditions hold; required when visible and the field says so;
- hide: hidden while the conditions hold; otherwise as without conditions;
- require: always visible; required while the conditions hold (or when the field says so).

A hidden field counts as empty for the conditions of other fields, so hiding cascades.
Fields are plain dicts in the stored/API shape (camelCase keys); saved templates never contain
cycles (`core.template_fields` rejects them), but this evaluator also tolerates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldState:
    visible: bool
    required: bool


def is_empty(value: Any) -> bool:
    """None, blank text, an empty list and an unchecked checkbox (False) are empty."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple | set | dict):
        return len(value) == 0
    return False


def _as_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


def _items(value: Any) -> list[str]:
    if isinstance(value, list | tuple | set):
        return [_as_text(v) for v in value]
    return [_as_text(value)]


def condition_holds(operator: str, actual: Any, expected: Any) -> bool:
    """One comparison. Lists (multi_select values) match `equals`/`contains` when any item
    does. Text comparison is exact for equals, case-insensitive for contains; greater_than /
    less_than compare numbers and are false when either side is not a number."""
    if operator == "is_empty":
        return is_empty(actual)
    if operator == "is_not_empty":
        return not is_empty(actual)
    if operator in ("greater_than", "less_than"):
        left, right = _as_number(actual), _as_number(expected)
        if left is None or right is None:
            return False
        return left > right if operator == "greater_than" else left < right
    if operator in ("equals", "not_equals"):
        matches = not is_empty(actual) and _as_text(expected) in _items(actual)
        if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
            matches = sorted(_items(actual)) == sorted(_items(expected))
        return matches if operator == "equals" else not matches
    if operator in ("contains", "not_contains"):
        needle = _as_text(expected).lower()
        found = not is_empty(actual) and any(needle in item.lower() for item in _items(actual))
        return found if operator == "contains" else not found
    return False


def _conditions_hold(field: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    results = (
        condition_holds(c.get("operator", ""), values.get(c.get("sourceFieldId")), c.get("value"))
        for c in field.get("conditions") or []
    )
    return any(results) if field.get("conditionLogic") == "any" else all(results)


def evaluate(
    fields: Iterable[Mapping[str, Any]], values: Mapping[str, Any]
) -> dict[str, FieldState]:
    """Visibility and requiredness of every field (by id) for the given values (by field id).

    Values of hidden fields are treated as empty when other fields' conditions are checked."""
    fields = list(fields)
    by_id = {f["id"]: f for f in fields}
    states: dict[str, FieldState] = {}
    visiting: set[str] = set()

    def state_of(field_id: str) -> FieldState:
        if field_id in states:
            return states[field_id]
        field = by_id[field_id]
        conditions = field.get("conditions") or []
        if field_id in visiting or not conditions:
            return FieldState(True, bool(field.get("required")))
        visiting.add(field_id)
        effective = {}
        for condition in conditions:
            source = condition.get("sourceFieldId")
            if source in by_id:
                effective[source] = values.get(source) if state_of(source).visible else None
        visiting.discard(field_id)
        holds = _conditions_hold(field, effective)
        action = field.get("conditionAction") or "show"
        required = bool(field.get("required"))
        if action == "hide":
            state = FieldState(not holds, required and not holds)
        elif action == "require":
            state = FieldState(True, required or holds)
        else:
            state = FieldState(holds, required and holds)
        states[field_id] = state
        return state

    return {field_id: state_of(field_id) for field_id in by_id}


def missing_required(
    fields: Iterable[Mapping[str, Any]], values: Mapping[str, Any], *, role: str | None = None
) -> list[str]:
    """Ids of visible, required fields (of `role`, when given) that have no value.

    Signature-like fields count as filled when their value is not empty; the caller decides
    what it stores as the value of a signature."""
    fields = list(fields)
    states = evaluate(fields, values)
    return [
        f["id"]
        for f in fields
        if (role is None or f.get("role") == role)
        and states[f["id"]].required
        and is_empty(values.get(f["id"]))
    ]
