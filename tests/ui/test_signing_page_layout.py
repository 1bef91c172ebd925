"""What the signing page renders, read from its component tree (no browser): drafts have
their own notice."""

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


def test_a_draft_has_its_own_notice():
    page = str(signing.signing_page().render())
    assert "still a draft" in page
    assert "This envelope is scheduled and cannot be signed yet." in page
