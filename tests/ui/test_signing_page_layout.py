"""What the signing page renders, read from its component tree (no browser): declining is on
offer before consent, the decline box is limited and counted, drafts have their own notice,
and values on the page fit their boxes on a phone."""

from __future__ import annotations

from workspace.ui.pages import signing


def _nodes(tree, conditions=()):
    """Every rendered element with the conditions (rx.cond) it sits under."""
    if isinstance(tree, dict):
        if "props" in tree:
            yield tree, conditions
        inner = (*conditions, tree["cond_state"]) if "cond_state" in tree else conditions
        for value in tree.values():
            yield from _nodes(value, inner)
    elif isinstance(tree, list):
        for item in tree:
            yield from _nodes(item, conditions)


def _by_id(tree, element_id: str):
    found = [(n, c) for n, c in _nodes(tree) if f'id:"{element_id}"' in n["props"]]
    assert len(found) == 1, f"{element_id}: {len(found)} elements"
    return found[0]


def test_decline_is_offered_before_consent():
    page = signing.signing_page().render()
    _, conditions = _by_id(page, "decline-open")
    assert conditions and not any("consented" in c for c in conditions)
    assert any(".view_rx_state_" in c and '"sign"' in c for c in conditions)
    button, conditions = _by_id(signing._guide().render(), "decline-before-consent")
    assert "set_decline_open" in str(button["props"])
    assert any("consented" in c for c in conditions)  # the consent panel itself


def test_the_decline_reason_is_limited_and_counted():
    dialog = signing._decline_dialog().render()
    reason, _ = _by_id(dialog, "decline-reason")
    assert "maxLength:1000" in reason["props"]
    counter, _ = _by_id(dialog, "decline-count")
    assert "pyStrLength" in str(counter["children"]) and "/ 1000" in str(counter["children"])
    _, conditions = _by_id(dialog, "decline-error")
    assert any("decline_error" in c for c in conditions)


def test_a_draft_has_its_own_notice():
    page = str(signing.signing_page().render())
    assert "still a draft" in page
    assert "This envelope is scheduled and cannot be signed yet." in page


def test_values_on_the_page_fit_their_boxes():
    box = str(signing._field_box(signing.SigningState.current).render())
    assert 'trim:"both"' not in box  # trimmed text was clipped at the top and bottom
    assert '["containerType"] : "size"' in box
    assert box.count('["fontSize"] : "clamp(7px, 72cqh, 13px)"') == 2
    assert box.count('["textOverflow"] : "ellipsis"') == 2


def test_choices_in_the_guide_have_space_between_them():
    guide = str(signing._current_input().render())
    assert '["gap"]' not in guide  # a CSS gap of "3" (no unit) is no gap at all
    assert guide.count('gap:"4"') == 2  # radio buttons and multi-select boxes
