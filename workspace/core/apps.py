"""The three business apps built on the generic record engine: statuses, record types,
default checklists and the event names each one emits."""

from __future__ import annotations

from dataclasses import dataclass, field

from workspace.core.errors import NotFound, ValidationFailed

DOCUMENT_TYPES = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
)
PDF_OR_IMAGE = ("application/pdf", "image/png", "image/jpeg", "image/webp")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

# Who may open a sensitive document or reveal a vault value at each access level.
ACCESS_LEVELS: dict[str, tuple[str, ...]] = {
    "general": ("owner", "admin", "member", "finance", "hr"),
    "finance": ("owner", "admin", "finance"),
    "hr": ("owner", "admin", "hr"),
    "admin": ("owner", "admin"),
    "owner": ("owner",),
}
VAULT_ACCESS_LEVELS = ("finance", "hr", "admin", "owner")
TEAM_ROLES = ("owner", "reviewer", "contributor", "viewer")


def humanize(value: str) -> str:
    """A stored value as people read it: 'pending_documents' -> 'Pending documents'."""
    return value.replace("_", " ").capitalize() if value else ""


@dataclass(frozen=True)
class Requirement:
    key: str
    label: str
    required: bool = True
    accepted_types: tuple[str, ...] = PDF_OR_IMAGE
    expires_after_days: int | None = None
    description: str = ""

    def public(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "required": self.required,
            "acceptedTypes": list(self.accepted_types),
            "expiresAfterDays": self.expires_after_days,
            "description": self.description,
        }


@dataclass(frozen=True)
class RecordType:
    key: str  # value of the app's type field (intakeType, workerType, trackingType)
    record_type: str  # stored record type (entityType in the API)
    label: str
    checklist: tuple[Requirement, ...]


@dataclass(frozen=True)
class AppDefinition:
    slug: str
    name: str
    noun: str  # singular shown in the UI ("intake", "packet", "item")
    list_key: str  # key of the record in list/get responses ("record", "packet", "item")
    event_prefix: str
    type_field: str
    statuses: tuple[str, ...]
    initial_status: str
    types: tuple[RecordType, ...]
    events: dict[str, str] = field(default_factory=dict)
    # Vault field keys that count as payment details (business_intake.payment_details.updated).
    payment_fields: tuple[str, ...] = ()
    # Statuses in which the record is finished: no new approvals, no portal changes.
    final_statuses: tuple[str, ...] = ()
    # Statuses in which the external party may no longer change anything through a portal
    # link: the final ones and those where the collection is over (approved, cleared).
    portal_closed_statuses: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The record's name in a sentence: "Intake", "Packet", "Item"."""
        return self.noun.capitalize()

    def is_final(self, status: str) -> bool:
        return status in self.final_statuses

    def portal_closed(self, status: str) -> bool:
        return status in self.final_statuses or status in self.portal_closed_statuses

    def record_type_for(self, type_key: str | None, *, field_name: str) -> RecordType:
        if not type_key:
            return self.types[0]
        for item in self.types:
            if type_key in (item.key, item.record_type):
                return item
        options = ", ".join(t.label for t in self.types)
        raise ValidationFailed(
            f"Choose the type: {options}.",
            field=field_name,
            value=type_key,
            allowed=[t.key for t in self.types],
        )

    def type_of(self, record_type: str) -> RecordType:
        for item in self.types:
            if item.record_type == record_type:
                return item
        return self.types[-1]

    def check_status(self, status: str, *, field_name: str = "status") -> str:
        if status not in self.statuses:
            raise ValidationFailed(
                f"Choose a status: {', '.join(humanize(s) for s in self.statuses)}.",
                field=field_name,
                value=status,
                allowed=list(self.statuses),
            )
        return status


def _req(key: str, label: str, **kwargs) -> Requirement:
    return Requirement(key=key, label=label, **kwargs)


W9 = _req("tax_form", "W-9 or tax form", description="Signed W-9 (US) or the local equivalent")
COI = _req(
    "certificate_of_insurance",
    "Certificate of insurance",
    expires_after_days=365,
    description="Current certificate naming your organization as holder",
)
AGREEMENT = _req("signed_agreement", "Signed agreement", description="Countersigned contract")
BANK = _req(
    "bank_details",
    "Bank details",
    description="Voided cheque or bank letter confirming the account",
)
NDA = _req("nda", "Signed NDA", required=False)
ID_DOC = _req("government_id", "Government-issued ID", description="Passport or driver's licence")
REGISTRATION = _req(
    "business_registration", "Business registration", description="Certificate of incorporation"
)
LICENSE_DOC = _req("business_license", "Business licence", expires_after_days=365)

INTAKE_TYPES = (
    RecordType(
        "client",
        "client_onboarding",
        "Client",
        (AGREEMENT, W9, _req("billing_contact", "Billing contact form", required=False)),
    ),
    RecordType("vendor", "vendor_onboarding", "Vendor", (W9, COI, AGREEMENT, BANK)),
    RecordType("partner", "partner_onboarding", "Partner", (AGREEMENT, NDA, REGISTRATION)),
    RecordType("supplier", "supplier_onboarding", "Supplier", (W9, COI, BANK, LICENSE_DOC)),
    RecordType(
        "consultant",
        "consultant_onboarding",
        "Consultant",
        (AGREEMENT, W9, BANK, _req("resume", "CV or statement of qualifications", required=False)),
    ),
    RecordType("agency", "agency_onboarding", "Agency", (AGREEMENT, W9, COI, BANK)),
    RecordType("contractor", "contractor_onboarding", "Contractor", (AGREEMENT, W9, COI, BANK)),
    RecordType("other", "other_onboarding", "Other", (AGREEMENT, W9)),
)

HIRING_TYPES = (
    RecordType(
        "employee",
        "employee_hire",
        "Employee",
        (
            _req("offer_letter", "Signed offer letter"),
            ID_DOC,
            _req("tax_forms", "Tax withholding forms (W-4 / I-9)"),
            _req("policy_acknowledgment", "Handbook and policy acknowledgment"),
            _req("direct_deposit", "Direct deposit form", required=False),
        ),
    ),
    RecordType(
        "contractor",
        "contractor_hire",
        "Contractor",
        (
            _req("contractor_agreement", "Signed contractor agreement"),
            W9,
            _req(
                "certificate_of_insurance",
                "Certificate of insurance",
                expires_after_days=365,
                required=False,
            ),
        ),
    ),
)

COMPLIANCE_TYPES = (
    RecordType(
        "insurance_coi",
        "insurance_coi",
        "Insurance certificate",
        (
            COI,
            _req("policy_declarations", "Policy declarations page"),
            _req("endorsement", "Additional insured endorsement", required=False),
        ),
    ),
    RecordType(
        "business_license",
        "business_license",
        "Business licence",
        (LICENSE_DOC, _req("renewal_receipt", "Renewal fee receipt", required=False)),
    ),
    RecordType(
        "permit",
        "permit",
        "Permit",
        (
            _req("permit_document", "Permit", expires_after_days=365),
            _req("inspection_report", "Inspection report", required=False),
        ),
    ),
    RecordType(
        "contract",
        "contract",
        "Contract",
        (AGREEMENT, _req("amendments", "Amendments", required=False)),
    ),
    RecordType(
        "training_credential",
        "training_credential",
        "Training credential",
        (_req("certificate", "Training certificate", expires_after_days=730),),
    ),
    RecordType(
        "policy_acknowledgment",
        "policy_acknowledgment",
        "Policy acknowledgment",
        (
            _req("policy_document", "Policy document"),
            _req("signed_acknowledgment", "Signed acknowledgment"),
        ),
    ),
    RecordType(
        "regulatory_filing",
        "regulatory_filing",
        "Regulatory filing",
        (
            _req("filing", "Filed document"),
            _req("filing_receipt", "Filing confirmation or receipt"),
        ),
    ),
    RecordType(
        "custom",
        "custom",
        "Custom",
        (_req("evidence", "Evidence document", accepted_types=DOCUMENT_TYPES),),
    ),
)


def _events(prefix: str, noun: str, names: tuple[str, ...]) -> dict[str, str]:
    mapping = {
        "created": f"{prefix}.{noun}.created",
        "status_changed": f"{prefix}.{noun}.status_changed",
    }
    for name in names:
        mapping[name] = f"{prefix}.{name.replace('_', '.', 1)}"
    return mapping


APPS: dict[str, AppDefinition] = {
    app.slug: app
    for app in (
        AppDefinition(
            slug="business-intake",
            name="Business Intake",
            noun="intake",
            list_key="record",
            event_prefix="business_intake",
            type_field="intakeType",
            statuses=(
                "draft",
                "pending_documents",
                "pending_review",
                "approved",
                "rejected",
                "active",
                "inactive",
            ),
            initial_status="pending_documents",
            types=INTAKE_TYPES,
            events=_events(
                "business_intake",
                "record",
                (
                    "document_attached",
                    "document_reviewed",
                    "task_completed",
                    "approval_completed",
                    "team_assigned",
                    "vault_updated",
                    "portal_submitted",
                ),
            )
            | {"payment_details": "business_intake.payment_details.updated"},
            payment_fields=("bank_account", "routing_number", "iban", "swift", "payment_details"),
            final_statuses=("rejected", "inactive"),
            portal_closed_statuses=("approved", "active"),
        ),
        AppDefinition(
            slug="hiring-packets",
            name="Hiring Packets",
            noun="packet",
            list_key="packet",
            event_prefix="hiring_packets",
            type_field="workerType",
            statuses=(
                "draft",
                "offer_sent",
                "documents_pending",
                "cleared_to_start",
                "started",
                "withdrawn",
            ),
            initial_status="draft",
            types=HIRING_TYPES,
            events=_events(
                "hiring_packets",
                "packet",
                (
                    "document_attached",
                    "task_created",
                    "task_completed",
                    "team_assigned",
                    "approval_completed",
                    "vault_updated",
                    "portal_submitted",
                ),
            ),
            final_statuses=("withdrawn", "started"),
            portal_closed_statuses=("cleared_to_start",),
        ),
        AppDefinition(
            slug="renewals-compliance",
            name="Renewals & Compliance",
            noun="item",
            list_key="item",
            event_prefix="renewals_compliance",
            type_field="trackingType",
            statuses=(
                "pending_documents",
                "compliant",
                "expiring_soon",
                "expired",
                "renewed",
                "archived",
            ),
            initial_status="pending_documents",
            types=COMPLIANCE_TYPES,
            events=_events(
                "renewals_compliance",
                "item",
                (
                    "document_attached",
                    "document_reviewed",
                    "task_completed",
                    "approval_completed",
                    "vault_updated",
                    "portal_submitted",
                ),
            ),
            final_statuses=("archived",),
        ),
    )
}


def get_app(slug: str) -> AppDefinition:
    app = APPS.get(slug)
    if app is None:
        raise NotFound(f"No business app named {slug!r}. Use one of {', '.join(APPS)}.")
    return app


def checklist_for(app: AppDefinition, record_type: str) -> tuple[Requirement, ...]:
    return app.type_of(record_type).checklist
