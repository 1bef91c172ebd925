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
