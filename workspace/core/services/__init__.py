"""Importing this package registers every job handler, event listener and re-wrap hook."""

from workspace.core.services import accounts, api_keys, audit, events, mail  # noqa: F401
