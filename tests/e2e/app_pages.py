"""The signed-in app's pages that need no record, with their headings."""

PAGES = {
    "/": "Dashboard",
    "/templates": "Templates",
    "/templates/packages": "Packages",
    "/envelopes": "Envelopes",
    "/envelopes/new": "Send for signature",
    "/envelopes/upload": "Upload and send",
    "/invoices": "Invoices",
    "/invoices/new": "New invoice",
    "/customers": "Customers",
    "/business-intake": "Business Intake",
    "/hiring-packets": "Hiring Packets",
    "/renewals-compliance": "Renewals & Compliance",
    "/renewals-compliance/calendar": "Compliance calendar",
    "/webhooks": "Webhooks",
    "/mailbox": "Mailbox",
    "/settings": "Settings",
}
