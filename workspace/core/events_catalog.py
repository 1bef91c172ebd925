"""Every event type the workspace emits, grouped as the API reference and the UI show them.

`emit_event` refuses a type that is not listed here, so a typo fails loudly in tests.
"""

from __future__ import annotations

from workspace.core.errors import ValidationFailed

# (group, [(type, description), ...]) in the order of the API reference.
EVENT_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Envelope",
        [
            ("envelope.created", "An envelope has been created"),
            ("envelope.sent", "An envelope has been sent to signers"),
            ("envelope.viewed", "Any signer has viewed the document"),
            ("envelope.signed", "Any signer has completed their signature"),
            ("envelope.completed", "All signers have completed signing"),
            ("envelope.declined", "Any signer has declined to sign"),
            ("envelope.cancelled", "An envelope has been cancelled"),
            ("envelope.expired", "An envelope has expired without completion"),
        ],
    ),
    (
        "Signer",
        [
            ("signer.viewed", "A specific signer has viewed the document"),
            ("signer.signed", "A specific signer has completed signing"),
            ("signer.declined", "A specific signer has declined to sign"),
        ],
    ),
    (
        "Reminder",
        [("reminder.sent", "A reminder email was sent to a signer (automatic or manual)")],
    ),
    ("Document", [("document.downloaded", "A signed document has been downloaded")]),
    (
        "Invoice",
        [
            ("invoice.created", "A new client invoice has been created"),
            ("invoice.sent", "An invoice has been sent to the client via email"),
            ("invoice.viewed", "The client opened the invoice page (fires on every view)"),
            ("invoice.payment_recorded", "A payment was recorded (including partial payments)"),
            ("invoice.paid", "An invoice has been fully paid"),
            ("invoice.overdue", "An invoice has passed its due date"),
            ("invoice.reminder_sent", "An overdue reminder email was sent to the client"),
            ("invoice.voided", "An invoice has been voided"),
        ],
    ),
    (
        "Business apps",
        [
            ("app.record.created", "A business app record has been created"),
            ("app.record.status_changed", "A business app record status has changed"),
            ("app.document.attached", "A document was attached to a business app record"),
            (
                "app.document.reviewed",
                "A business app document was approved, rejected, expired, or sent for revision",
            ),
            ("app.approval.completed", "A business app approval request was approved"),
            ("app.approval.step_decided", "A business app approval step was approved or rejected"),
            ("app.portal.link_created", "An external intake portal link was created for a record"),
            (
                "app.portal.submitted",
                "An external recipient submitted fields or documents through the intake portal",
            ),
            ("app.action.created", "A business app action or task was created"),
            ("app.action.completed", "A business app action or task was completed"),
        ],
    ),
    (
        "Business Intake",
        [
            ("business_intake.record.created", "A business intake record has been created"),
            ("business_intake.record.status_changed", "A business intake status has changed"),
            (
                "business_intake.document.attached",
                "A required intake document or evidence file was attached",
            ),
            (
                "business_intake.document.reviewed",
                "A business intake document was approved, rejected, expired, or sent for revision",
            ),
            ("business_intake.task.completed", "A business intake task was completed"),
            ("business_intake.approval.completed", "A business intake approval was approved"),
            ("business_intake.payment_details.updated", "Encrypted payment details changed"),
            ("business_intake.team.assigned", "A team member was assigned to a record"),
            ("business_intake.vault.updated", "An encrypted business intake vault field changed"),
            (
                "business_intake.portal.submitted",
                "A recipient submitted details or documents through an intake portal link",
            ),
        ],
    ),
    (
        "Hiring Packets",
        [
            ("hiring_packets.packet.created", "A hiring packet has been created"),
            ("hiring_packets.packet.status_changed", "A hiring packet status has changed"),
            (
                "hiring_packets.document.attached",
                "An offer letter, agreement, policy acknowledgment or onboarding file was attached",
            ),
            ("hiring_packets.task.created", "An onboarding task was created for a hiring packet"),
            (
                "hiring_packets.task.completed",
                "An onboarding task was completed for a hiring packet",
            ),
            ("hiring_packets.team.assigned", "A team member was assigned to a hiring packet"),
            ("hiring_packets.approval.completed", "A hiring packet approval request was approved"),
            ("hiring_packets.vault.updated", "An encrypted hiring packet vault field changed"),
            (
                "hiring_packets.portal.submitted",
                "A candidate or contractor submitted details or documents through a portal link",
            ),
        ],
    ),
    (
        "Renewals & Compliance",
        [
            ("renewals_compliance.item.created", "A renewal or compliance item has been created"),
            ("renewals_compliance.item.status_changed", "A compliance item status has changed"),
            (
                "renewals_compliance.document.attached",
                "A required compliance document or evidence file was attached",
            ),
            (
                "renewals_compliance.document.reviewed",
                "A compliance document was approved, rejected, expired, or sent for revision",
            ),
            (
                "renewals_compliance.task.completed",
                "A compliance task or renewal reminder was completed",
            ),
            ("renewals_compliance.approval.completed", "A compliance approval was approved"),
            ("renewals_compliance.vault.updated", "An encrypted compliance vault field changed"),
            (
                "renewals_compliance.portal.submitted",
                "An external party submitted details or evidence through an intake portal link",
            ),
        ],
    ),
    (
        "Bulk Send",
        [
            ("bulk_send.started", "A bulk send job has started processing"),
            ("bulk_send.completed", "A bulk send job has finished successfully"),
            ("bulk_send.failed", "A bulk send job has failed"),
        ],
    ),
]

EVENT_TYPES: frozenset[str] = frozenset(t for _, events in EVENT_GROUPS for t, _ in events)
EVENT_DESCRIPTIONS: dict[str, str] = {t: d for _, events in EVENT_GROUPS for t, d in events}

# Sent only by "send test event"; never emitted by a change and never subscribed to.
PING_EVENT = "ping"


def check_event_type(event_type: str, *, field: str = "type") -> str:
    if event_type not in EVENT_TYPES:
        raise ValidationFailed(
            f"Unknown event type '{event_type}'. See the list of webhook events.",
            field=field,
            value=event_type,
        )
    return event_type


def check_event_types(event_types: list[str], *, field: str = "events") -> list[str]:
    """Validated, de-duplicated, in catalog order. At least one is required."""
    if not event_types:
        raise ValidationFailed("Pick at least one event.", field=field)
    for index, event_type in enumerate(event_types):
        if not isinstance(event_type, str):
            raise ValidationFailed("Event types are strings.", field=f"{field}[{index}]")
        check_event_type(event_type, field=f"{field}[{index}]")
    wanted = set(event_types)
    return [t for _, events in EVENT_GROUPS for t, _ in events if t in wanted]
