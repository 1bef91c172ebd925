"""The Templates list and the template editor States driven directly: a refused upload leaves
the drop zone ready for another file, and a new template's editor shows whom fields are
placed for before the first one is dropped."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from reflex.istate.data import RouterData

from tests.pdf_samples import make_pdf
from tests.ui.states import signed_in_state
from workspace.core.db import session_scope
from workspace.core.services import templates as template_service
from workspace.ui.pages.template_editor import EditorState
from workspace.ui.pages.templates import TemplatesState


class _Upload:
    def __init__(self, name: str, data: bytes):
        self.name, self._data = name, data

    async def read(self) -> bytes:
        return self._data


def _upload(state: TemplatesState, upload: _Upload) -> list:
    async def run():
        return [update async for update in state.handle_upload([upload])]

    # In a thread of its own: after the browser tests, Playwright's event loop runs in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


@pytest.mark.parametrize(
    ("name", "data"),
    [("notes.txt", b"just some notes\n"), ("fake.pdf", b"not really a PDF at all")],
)
def test_a_refused_upload_leaves_the_drop_zone_ready(org, name, data):
    state = signed_in_state(TemplatesState, org)
    state.load()
    state.upload_progress({"progress": 0.4, "loaded": 4, "total": 10})
    assert state.upload_busy
    updates = _upload(state, _Upload(name, data))
    assert updates[-1] is not None  # the error toast
    assert not state.upload_busy
    # the browser's last progress report can arrive after the upload was handled
    state.upload_progress({"progress": 1, "loaded": 10, "total": 10})
    assert not state.upload_busy


def test_a_new_template_places_fields_for_the_default_role_from_the_start(org):
    with session_scope() as session:
        template_id = template_service.create_template(
            session, actor=org.actor, name="Blank", pdf_data=make_pdf(1), filename="blank.pdf"
        ).id
    state = signed_in_state(EditorState, org)
    state.get_root_state().router = RouterData.from_router_data(
        {
            "pathname": "/templates/[template_id]",
            "query": {"template_id": template_id},
            "asPath": f"/templates/{template_id}",
        }
    )
    state.load()
    assert not state.not_found and state.fields == []
    assert state.current_role == "signer"
    assert [r.name for r in state.roles] == ["signer"]  # the picker has its value as a choice


def _editor(org, fields: int) -> EditorState:
    with session_scope() as session:
        template_id = template_service.create_template(
            session, actor=org.actor, name="Form", pdf_data=make_pdf(1), filename="form.pdf"
        ).id
    state = signed_in_state(EditorState, org)
    state.get_root_state().router = RouterData.from_router_data(
        {
            "pathname": "/templates/[template_id]",
            "query": {"template_id": template_id},
            "asPath": f"/templates/{template_id}",
        }
    )
    state.load()
    for _ in range(fields):
        for _update in state.place_field("text", 1):
            pass
    return state


def _stored_fields(org, template_id: str) -> list[dict]:
    with session_scope() as session:
        return template_service.get_template(
            session, actor=org.actor, template_id=template_id
        ).fields


def test_a_condition_still_waiting_for_its_value_holds_back_no_other_edit(org):
    state = _editor(org, 2)
    source, target = (f["id"] for f in state.fields)
    state.select(target)
    state.add_condition()
    state.set_condition(0, "sourceFieldId", source)
    state.set_condition(0, "operator", "equals")  # no value typed yet
    state.set_label("Extras detail")  # another edit meanwhile
    assert state.save_status == "Saved"
    assert "waits for its value" in state.save_error
    stored = {f["id"]: f for f in _stored_fields(org, state.template_id)}
    assert stored[target]["label"] == "Extras detail" and not stored[target].get("conditions")
    on_screen = next(f for f in state.fields if f["id"] == target)
    assert on_screen["conditions"] == [{"sourceFieldId": source, "operator": "equals", "value": ""}]
    state.set_condition(0, "value", "yes")
    stored = {f["id"]: f for f in _stored_fields(org, state.template_id)}
    assert stored[target]["conditions"][0]["value"] == "yes" and state.save_error == ""


def test_deleting_a_field_others_depend_on_says_whose_conditions_went(org):
    state = _editor(org, 2)
    source, target = (f["id"] for f in state.fields)
    state.select(target)
    state.set_label("Extras detail")
    state.add_condition()
    state.set_condition(0, "sourceFieldId", source)
    state.select(source)
    warning = state.delete_selected()
    assert "removed from Extras detail" in str(warning)
    stored = _stored_fields(org, state.template_id)
    assert [f["id"] for f in stored] == [target] and not stored[0].get("conditions")
