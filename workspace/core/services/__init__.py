"""Importing this package registers every job handler, event listener and re-wrap hook."""

from workspace.core.pdf import ca  # noqa: F401  (re-wrap hook for the signing keys)
from workspace.core.services import (  # noqa: F401
    accounts,
    api_keys,
    approvals,
    audit,
    branding,
    customers,
    envelopes,
    events,
    invoices,
    mail,
    mailbox,
    overview,
    portal,
    records,
    renewals,
    signing,
    sms,
    subscriptions,
    templates,
    webhook_delivery,
    webhooks,
)
