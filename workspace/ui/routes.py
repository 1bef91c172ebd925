"""Every page of the app: (route, component, title, on_load)."""

from __future__ import annotations

import reflex as rx

from workspace.ui.pages import (
    auth,
    customers,
    dashboard,
    envelope_upload,
    envelopes,
    intake_portal,
    invoice_detail,
    invoice_public,
    invoices,
    mailbox,
    packages,
    record_detail,
    records,
    sections,
    settings,
    signing,
    template_editor,
    templates,
    webhooks,
)
from workspace.ui.state import AuthState

SIGNED_IN = AuthState.check_login

PAGES = [
    ("/login", auth.login_page, "Log in", auth.LoginState.clear),
    ("/signup", auth.signup_page, "Create account", auth.LoginState.clear),
    ("/forgot-password", auth.forgot_page, "Reset password", auth.LoginState.clear),
    ("/reset-password", auth.reset_page, "Choose a new password", auth.LoginState.clear),
    ("/accept-invite", auth.accept_invite_page, "Join", auth.LoginState.load_invitation),
    ("/", dashboard.dashboard_page, "Dashboard", [SIGNED_IN, dashboard.DashboardState.load]),
    ("/mailbox", mailbox.mailbox_page, "Mailbox", [SIGNED_IN, mailbox.MailboxState.load]),
    ("/settings", settings.settings_page, "Settings", [SIGNED_IN, settings.SettingsState.load]),
    ("/invoices", invoices.invoices_page, "Invoices", [SIGNED_IN, invoices.InvoicesState.load]),
    (
        "/invoices/[invoice_id]",
        invoice_detail.invoice_page,
        "Invoice",
        [SIGNED_IN, invoice_detail.InvoiceState.load],
    ),
    (
        "/customers",
        customers.customers_page,
        "Customers",
        [SIGNED_IN, customers.CustomersState.load],
    ),
    (
        "/customers/[customer_id]",
        customers.customer_page,
        "Customer",
        [SIGNED_IN, customers.CustomerState.load],
    ),
    (
        "/invoice/[token]",
        invoice_public.public_invoice_page,
        "Invoice",
        invoice_public.PublicInvoiceState.open,
    ),
    ("/sign/[signing_token]", signing.signing_page, "Sign", signing.SigningState.load),
    (
        "/envelopes",
        envelopes.envelopes_page,
        "Envelopes",
        [SIGNED_IN, envelopes.EnvelopesState.load],
    ),
    (
        "/envelopes/new",
        envelopes.send_page,
        "Send for signature",
        [SIGNED_IN, envelopes.SendState.load],
    ),
    (
        "/envelopes/upload",
        envelope_upload.upload_send_page,
        "Upload and send",
        [SIGNED_IN, envelope_upload.UploadSendState.load],
    ),
    (
        "/envelopes/[envelope_id]",
        envelopes.envelope_page,
        "Envelope",
        [SIGNED_IN, envelopes.EnvelopeState.load],
    ),
    (
        "/templates",
        templates.templates_page,
        "Templates",
        [SIGNED_IN, templates.TemplatesState.load],
    ),
    (
        "/templates/packages",
        packages.packages_page,
        "Packages",
        [SIGNED_IN, packages.PackagesState.load],
    ),
    (
        "/templates/[template_id]",
        template_editor.editor_page,
        "Edit template",
        [SIGNED_IN, template_editor.EditorState.load],
    ),
    *[
        page
        for slug, name in (
            ("business-intake", "Business Intake"),
            ("hiring-packets", "Hiring Packets"),
            ("renewals-compliance", "Renewals & Compliance"),
        )
        for page in (
            (
                f"/{slug}",
                records.list_page_for(slug),
                name,
                [SIGNED_IN, records.RecordListState.load],
            ),
            (
                f"/{slug}/new",
                records.new_page_for(slug),
                f"New · {name}",
                [SIGNED_IN, records.NewRecordState.clear],
            ),
            (
                f"/{slug}/[record_id]",
                record_detail.record_page,
                name,
                [SIGNED_IN, record_detail.RecordState.load],
            ),
        )
    ],
    (
        "/renewals-compliance/calendar",
        records.compliance_calendar_page,
        "Compliance calendar",
        [SIGNED_IN, records.ComplianceCalendarState.load],
    ),
    (
        "/intake/[token]",
        intake_portal.intake_portal_page,
        "Your checklist",
        intake_portal.PortalState.load,
    ),
    (
        "/approve/[token]",
        intake_portal.approver_page,
        "Approval request",
        intake_portal.ApproverState.load,
    ),
    ("/webhooks", webhooks.webhooks_page, "Webhooks", [SIGNED_IN, webhooks.WebhooksState.load]),
    *[
        (route, sections.section_page(route), sections.UPCOMING[route][0], SIGNED_IN)
        for route in sections.UPCOMING
    ],
]


def add_pages(app: rx.App) -> None:
    for route, component, title, on_load in PAGES:
        app.add_page(component, route=route, title=f"{title} · Workspace", on_load=on_load)
