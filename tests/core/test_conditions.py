"""The conditional-logic evaluator: every operator, action and logic."""

import pytest

from workspace.core.conditions import condition_holds, evaluate, missing_required


@pytest.mark.parametrize(
    ("operator", "actual", "expected", "result"),
    [
        ("equals", "b", "b", True),
        ("equals", "B", "b", False),
        ("equals", "", "b", False),
        ("equals", ["a", "b"], "b", True),
        ("equals", True, "true", True),
        ("equals", 5, "5", True),
        ("not_equals", "a", "b", True),
        ("not_equals", "b", "b", False),
        ("not_equals", None, "b", True),
        ("contains", "Engineering team", "engineer", True),
        ("contains", "Sales", "eng", False),
        ("contains", ["north", "south-east"], "east", True),
        ("contains", None, "x", False),
        ("not_contains", "Sales", "eng", True),
        ("not_contains", "Engineering", "ENG", False),
        ("is_empty", None, None, True),
        ("is_empty", "  ", None, True),
        ("is_empty", [], None, True),
        ("is_empty", False, None, True),
        ("is_empty", "x", None, False),
        ("is_not_empty", "x", None, True),
        ("is_not_empty", "", None, False),
        ("is_not_empty", ["a"], None, True),
        ("greater_than", "10", 5, True),
        ("greater_than", 5, "5", False),
        ("greater_than", "1,500", "1000", True),
        ("greater_than", "abc", 1, False),
        ("less_than", "2.5", "3", True),
        ("less_than", 3, 3, False),
        ("less_than", None, 3, False),
        ("unknown", "x", "x", False),
    ],
)
def test_operators(operator, actual, expected, result):
    assert condition_holds(operator, actual, expected) is result


def _fields(action="show", logic="all", required=True, conditions=None):
    return [
        {"id": "plan", "role": "signer", "type": "dropdown", "required": True},
        {"id": "seats", "role": "signer", "type": "number", "required": False},
        {
            "id": "details",
            "role": "signer",
            "type": "text",
            "required": required,
            "conditions": conditions
            or [
                {"sourceFieldId": "plan", "operator": "equals", "value": "pro"},
                {"sourceFieldId": "seats", "operator": "greater_than", "value": 10},
            ],
            "conditionAction": action,
            "conditionLogic": logic,
        },
    ]


def test_show_needs_all_conditions_by_default():
    fields = _fields()
    assert evaluate(fields, {"plan": "pro", "seats": 20})["details"].visible
    state = evaluate(fields, {"plan": "pro", "seats": 5})["details"]
    assert (state.visible, state.required) == (False, False)
    assert evaluate(fields, {"plan": "pro", "seats": 20})["details"].required


def test_any_logic_needs_one_condition():
    fields = _fields(logic="any")
    assert evaluate(fields, {"plan": "pro", "seats": 1})["details"].visible
    assert evaluate(fields, {"plan": "basic", "seats": 11})["details"].visible
    assert not evaluate(fields, {"plan": "basic", "seats": 1})["details"].visible


def test_hide_action():
    fields = _fields(action="hide")
    assert not evaluate(fields, {"plan": "pro", "seats": 20})["details"].visible
    state = evaluate(fields, {"plan": "basic"})["details"]
    assert (state.visible, state.required) == (True, True)


def test_require_action_keeps_the_field_visible():
    fields = _fields(action="require", required=False)
    state = evaluate(fields, {"plan": "pro", "seats": 20})["details"]
    assert (state.visible, state.required) == (True, True)
    state = evaluate(fields, {"plan": "basic"})["details"]
    assert (state.visible, state.required) == (True, False)


def test_fields_without_conditions_keep_their_required_flag():
    states = evaluate(_fields(), {})
    assert (states["plan"].visible, states["plan"].required) == (True, True)
    assert (states["seats"].visible, states["seats"].required) == (True, False)


def test_hiding_cascades_to_dependent_fields():
    fields = [
        {"id": "a", "role": "r", "required": False},
        {
            "id": "b",
            "role": "r",
            "conditions": [{"sourceFieldId": "a", "operator": "equals", "value": "yes"}],
        },
        {
            "id": "c",
            "role": "r",
            "required": True,
            "conditions": [{"sourceFieldId": "b", "operator": "is_not_empty"}],
        },
    ]
    # b keeps an old value but is hidden, so c (which depends on b having a value) hides too.
    states = evaluate(fields, {"a": "no", "b": "stale"})
    assert not states["b"].visible and not states["c"].visible
    assert evaluate(fields, {"a": "yes", "b": "x"})["c"].visible


def test_missing_required_respects_visibility_and_role():
    fields = _fields()
    fields[0]["role"] = "employer"
    assert missing_required(fields, {"plan": "basic"}) == []
    assert missing_required(fields, {"plan": "pro", "seats": 12}) == ["details"]
    assert missing_required(fields, {}, role="employer") == ["plan"]
    assert missing_required(fields, {}, role="signer") == []
