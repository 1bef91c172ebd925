"""The new-record form makes one record per submission, however often its button is clicked,
and leaves no error behind: not on the new record's page, not on the next visit to the form."""

from sqlmodel import select

from tests.ui.states import signed_in_state
from workspace.core.db import session_scope
from workspace.core.models import AppRecord
from workspace.ui.pages.records import NewRecordState


def _count(model) -> int:
    with session_scope() as session:
        return len(session.exec(select(model)).all())


def test_a_double_click_on_create_intake_makes_one_record(org):
    state = signed_in_state(NewRecordState, org)
    state.clear()
    form = {"title": "Acme Catering", "intakeType": "vendor", "contactEmail": "sam@example.com"}
    first = state.create(form)
    second = state.create(form)
    assert second is None
    with session_scope() as session:
        made = session.exec(select(AppRecord)).all()
    assert [r.title for r in made] == ["Acme Catering"]
    assert state.created_href == f"/business-intake/{made[0].id}"
    assert any("redirect" in str(event) for event in first)

    state.clear()  # opening the form again starts a new one
    state.create({"title": "Bright Legal", "intakeType": "client"})
    assert _count(AppRecord) == 2


def test_a_failed_create_can_be_retried_and_success_clears_the_error(org):
    state = signed_in_state(NewRecordState, org)
    state.clear()
    state.create({"title": "Acme", "intakeType": "vendor", "contactEmail": "not-an-email"})
    assert state.error != "" and state.created_href == ""
    events = state.create({"title": "Acme", "intakeType": "vendor"})
    assert state.error == ""
    # The error toast of the failed attempt is dismissed, not carried to the record's page.
    assert "dismiss" in str(events[0]).lower()
    assert _count(AppRecord) == 1


def test_form_page_load_clears_a_left_over_error(org):
    state = signed_in_state(NewRecordState, org)
    state.error, state.created_href = "Enter the phone number in international form", "/x/1"
    assert "dismiss" in str(state.clear()).lower()
    assert state.error == "" and state.created_href == ""
