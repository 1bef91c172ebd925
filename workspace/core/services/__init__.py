"""Importing this package registers every job handler, event listener and re-wrap hook."""

from workspace.core.services import (  # noqa: F401
    accounts,
    api_keys,
    audit,
    branding,
    events,
    mail,
    mailbox,
    overview,
)
