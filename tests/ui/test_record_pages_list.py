"""A record list that shows nothing because of its filter says so, and offers to show all."""

from tests.record_samples import vendor_intake
from tests.ui.states import signed_in_state
from workspace.ui.pages.records import RecordListState


def test_an_empty_filtered_list_is_told_apart_from_an_empty_app(org):
    state = signed_in_state(RecordListState, org)
    state.app_slug = "business-intake"
    state._refresh()
    assert state.rows == [] and state.filtered is False  # nothing made yet

    vendor_intake(org)
    state.set_search("no such company")
    assert state.rows == [] and state.filtered is True
    state.show_all()
    assert (state.search, state.status_filter, state.filtered) == ("", "all", False)
    assert [row.title for row in state.rows] == ["Acme Catering"]

    state.set_status_filter("approved")
    assert state.rows == [] and state.filtered is True
