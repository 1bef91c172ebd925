"""Page States built directly, signed in as an organization's owner, for calling handlers as
plain methods."""

from workspace.core.db import session_scope
from workspace.core.services import accounts


def signed_in_state(cls, org):
    root = cls.get_root_state()(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    with session_scope() as session:
        state.session_token = accounts.log_in(
            session, email=org.owner_email, password=org.owner_password
        ).token
    return state


def record_page(org, record_id: str, role: str | None = None):
    """A Business Intake record's page, for the owner or for a new member with `role`."""
    from workspace.core.models import Membership, User
    from workspace.core.passwords import hash_password
    from workspace.ui.pages.record_detail import RecordState

    state = signed_in_state(RecordState, org)
    if role is not None:
        email = f"{role}@acme.test"
        with session_scope() as session:
            user = User(email=email, name=role.title(), password_hash=hash_password("pass-1234"))
            session.add(user)
            session.flush()
            session.add(Membership(org_id=org.org_id, user_id=user.id, role=role))
        with session_scope() as session:
            state.session_token = accounts.log_in(session, email=email, password="pass-1234").token
    state.app_slug, state.record_id = "business-intake", record_id
    state._refresh()
    return state
