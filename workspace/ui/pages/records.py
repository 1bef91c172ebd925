"""Business apps (Business Intake, Hiring Packets, Renewals & Compliance): record lists with
status filters and completion bars, "new" forms and the compliance calendar."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import reflex as rx

from workspace.core.apps import APPS, get_app, humanize
from workspace.core.clock import now_ms
from workspace.core.db import read_scope, session_scope
from workspace.core.errors import DomainError
from workspace.core.schemas.records import ComplianceCreate, HiringCreate, IntakeCreate
from workspace.core.services import records
from workspace.ui.components.choices import choice_select
from workspace.ui.components.forms import field_label, form_field
from workspace.ui.layout import app_shell, card, empty_state
from workspace.ui.state import AuthState, toast_error

APP_ICONS = {
    "business-intake": "building-2",
    "hiring-packets": "user-plus",
    "renewals-compliance": "shield-check",
}
GOOD = {"approved", "compliant", "cleared_to_start", "started", "active", "renewed", "completed"}
BAD = {"rejected", "expired", "withdrawn"}
WARN = {"expiring_soon", "pending_review", "needs_revision", "pending"}
MUTED = {"draft", "inactive", "archived", "missing", "skipped", "waiting", "revoked"}


# Who may open a sensitive document or reveal a vault value, as people read it.
ACCESS_LABELS = {
    "general": "General",
    "finance": "Finance",
    "hr": "HR",
    "admin": "Admins",
    "owner": "Owner only",
}


def labelled(values) -> tuple[tuple[str, str], ...]:
    """(value, label) pairs for a select over stored values."""
    return tuple((value, humanize(value)) for value in values)


def status_color(status: str) -> str:
    if status in GOOD:
        return "green"
    if status in BAD:
        return "red"
    if status in WARN:
        return "amber"
    if status in MUTED:
        return "gray"
    return "blue"


def day_label(ms: int | None) -> str:
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%b %d, %Y")


def slug_from_path(path: str) -> str:
    first = (path or "").strip("/").split("/")[0]
    return first if first in APPS else "business-intake"


def status_badge(status, label, color) -> rx.Component:
    return rx.badge(label, color_scheme=color, variant="soft", radius="full", size="2")


@dataclasses.dataclass
class ListRow:
    id: str
    href: str
    title: str
    subtitle: str
    type_label: str
    status: str
    status_label: str
    color: str
    percent: int
    progress: str
    open_tasks: int
    pending_approvals: int
    due: str


@dataclasses.dataclass
class StatusTab:
    key: str
    label: str
    count: int


def _row(app, summary: records.RecordSummary) -> ListRow:
    record = summary.record
    info = summary.summary
    party = record.party_company or record.party_name
    if record.party_email:
        party = f"{party} · {record.party_email}" if party else record.party_email
    return ListRow(
        id=record.id,
        href=f"/{app.slug}/{record.id}",
        title=record.title,
        subtitle=party,
        type_label=app.type_of(record.record_type).label,
        status=record.status,
        status_label=humanize(record.status),
        color=status_color(record.status),
        percent=info["completionPercent"],
        progress=f"{info['approvedRequired']}/{info['requiredCount']} approved",
        open_tasks=summary.counts["openTaskCount"],
        pending_approvals=summary.counts["pendingApprovalCount"],
        due=day_label(record.next_due_at),
    )


class RecordListState(AuthState):
    app_slug: str = "business-intake"
    rows: list[ListRow] = []
    tabs: list[StatusTab] = []
    status_filter: str = "all"
    search: str = ""
    total: int = 0

    @rx.event
    def load(self):
        slug = slug_from_path(self.router.page.path)
        if slug != self.app_slug:
            self.app_slug, self.status_filter, self.search = slug, "all", ""
        status = self.router.url.query_parameters.get("status")  # a link to one tab
        if status in get_app(slug).statuses:
            self.status_filter, self.search = status, ""
        self._refresh()

    def _refresh(self) -> None:
        actor = self._actor()
        if actor is None:
            return
        app = get_app(self.app_slug)
        with read_scope() as session:
            counts = records.count_by_status(
                session, actor=actor, app_slug=app.slug, search=self.search
            )
            rows = records.list_records(
                session,
                actor=actor,
                app_slug=app.slug,
                status=None if self.status_filter == "all" else self.status_filter,
                search=self.search,
                limit=records.MAX_LIST,
                order="due" if app.slug == "renewals-compliance" else "created",
            )
            self.rows = [_row(app, r) for r in rows]
        self.total = sum(counts.values())
        self.tabs = [StatusTab("all", "All", self.total)] + [
            StatusTab(status, humanize(status), counts[status]) for status in app.statuses
        ]

    @rx.event
    def set_status_filter(self, value: str):
        self.status_filter = value
        self._refresh()

    @rx.event
    def set_search(self, value: str):
        self.search = value
        self._refresh()

    @rx.event
    def show_all(self):
        self.status_filter, self.search = "all", ""
        self._refresh()

    @rx.var
    def filtered(self) -> bool:
        return self.status_filter != "all" or self.search.strip() != ""


def _tab(tab: StatusTab) -> rx.Component:
    active = RecordListState.status_filter == tab.key
    return rx.button(
        tab.label,
        rx.badge(tab.count, variant=rx.cond(active, "solid", "soft"), radius="full"),
        variant=rx.cond(active, "soft", "ghost"),
        color_scheme=rx.cond(active, "indigo", "gray"),
        size="2",
        on_click=RecordListState.set_status_filter(tab.key),
    )


def _list_row(row: ListRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(row.title, href=row.href, weight="medium"),
                rx.text(row.subtitle, size="1", color=rx.color("gray", 11)),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(row.type_label, size="2")),
        rx.table.cell(status_badge(row.status, row.status_label, row.color)),
        rx.table.cell(
            rx.vstack(
                rx.progress(value=row.percent, max=100, width="120px", size="2"),
                rx.text(row.progress, size="1", color=rx.color("gray", 11)),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.tooltip(
                    rx.badge(rx.icon("list-checks", size=12), row.open_tasks, variant="outline"),
                    content="Open tasks",
                ),
                rx.tooltip(
                    rx.badge(rx.icon("stamp", size=12), row.pending_approvals, variant="outline"),
                    content="Pending approvals",
                ),
                spacing="2",
            )
        ),
        rx.cond(
            RecordListState.app_slug == "renewals-compliance",
            rx.table.cell(rx.text(row.due, size="2")),
        ),
        align="center",
    )


def list_page_for(slug: str):
    app = get_app(slug)

    def page() -> rx.Component:
        actions = rx.hstack(
            rx.cond(
                slug == "renewals-compliance",
                rx.link(
                    rx.button(rx.icon("calendar-days", size=16), "Calendar", variant="soft"),
                    href="/renewals-compliance/calendar",
                ),
            ),
            rx.link(
                rx.button(rx.icon("plus", size=16), f"New {app.noun}", id="new-record"),
                href=f"/{slug}/new",
            ),
            spacing="2",
        )
        table = rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Title"),
                    rx.table.column_header_cell("Type"),
                    rx.table.column_header_cell("Status"),
                    rx.table.column_header_cell("Checklist"),
                    rx.table.column_header_cell("Open"),
                    *(
                        [rx.table.column_header_cell("Next due")]
                        if slug == "renewals-compliance"
                        else []
                    ),
                )
            ),
            rx.table.body(rx.foreach(RecordListState.rows, _list_row)),
            width="100%",
            variant="surface",
        )
        return app_shell(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    placeholder="Search title, contact, company…",
                    value=RecordListState.search,
                    on_change=RecordListState.set_search.debounce(300),
                    width=["100%", "320px"],
                    id="record-search",
                ),
                rx.spacer(),
                rx.text(
                    RecordListState.total,
                    rx.cond(RecordListState.total == 1, f" {app.noun}", f" {app.noun}s"),
                    " in total",
                    size="2",
                    color=rx.color("gray", 11),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(rx.foreach(RecordListState.tabs, _tab), spacing="1", wrap="wrap"),
            rx.cond(
                RecordListState.rows.length() > 0,
                rx.box(table, width="100%", overflow_x="auto"),
                rx.cond(
                    RecordListState.filtered,
                    empty_state(
                        "search-x",
                        f"No {app.noun}s match",
                        "Nothing has this status or matches the search.",
                        rx.button("Show all", variant="soft", on_click=RecordListState.show_all),
                    ),
                    empty_state(
                        APP_ICONS[slug],
                        f"No {app.noun}s here yet",
                        "Create one to start collecting documents, approvals and details.",
                        rx.link(rx.button(f"New {app.noun}"), href=f"/{slug}/new"),
                    ),
                ),
            ),
            title=app.name,
            actions=actions,
        )

    page.__name__ = f"{slug.replace('-', '_')}_list_page"
    return page


# ---------------------------------------------------------------- new forms


@dataclasses.dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text | email | tel | date | select | checkbox
    options: tuple[tuple[str, str], ...] = ()  # (value submitted, label shown)
    required: bool = False
    placeholder: str = ""
    hint: str = ""


def _types(slug: str) -> tuple[tuple[str, str], ...]:
    return tuple((t.key, t.label) for t in get_app(slug).types)


NEW_FORMS: dict[str, tuple[FormField, ...]] = {
    "business-intake": (
        FormField("title", "Title", required=True, placeholder="Acme Catering"),
        FormField("intakeType", "Intake type", "select", _types("business-intake")),
        FormField("contactName", "Contact name", placeholder="Sam Lee"),
        FormField("contactEmail", "Contact email", "email", placeholder="sam@example.com"),
        FormField("contactPhone", "Contact phone", "tel", placeholder="+15551234567"),
        FormField("companyName", "Company name"),
        FormField("serviceCategory", "Service category", placeholder="Catering"),
        FormField("taxClassification", "Tax classification", placeholder="LLC"),
        FormField("paymentTerms", "Payment terms", placeholder="Net 30"),
        FormField(
            "riskLevel",
            "Risk level",
            "select",
            labelled(("standard", "low", "elevated", "high")),
        ),
        FormField("targetStartDate", "Target start date", "date"),
    ),
    "hiring-packets": (
        FormField("candidateName", "Candidate name", required=True, placeholder="Avery Johnson"),
        FormField("candidateEmail", "Candidate email", "email"),
        FormField(
            "candidatePhone",
            "Candidate phone",
            "tel",
            placeholder="+15551234567",
            hint="With the country code; needed for SMS alerts.",
        ),
        FormField("workerType", "Worker type", "select", _types("hiring-packets")),
        FormField("roleTitle", "Role title", placeholder="Operations Manager"),
        FormField("department", "Department", placeholder="Operations"),
        FormField("startDate", "Start date", "date"),
        FormField("managerName", "Manager name"),
        FormField("managerEmail", "Manager email", "email"),
        FormField("compensation", "Compensation", placeholder="$72,000 / year"),
        FormField("smsAlerts", "Send SMS alerts to the candidate", "checkbox"),
    ),
    "renewals-compliance": (
        FormField("title", "Title", required=True, placeholder="General Liability COI"),
        FormField("trackingType", "Tracking type", "select", _types("renewals-compliance")),
        FormField("relatedPartyName", "Related party", placeholder="Northstar Logistics"),
        FormField("relatedPartyEmail", "Related party email", "email"),
        FormField("issuingAuthority", "Issuing authority", placeholder="Carrier Mutual"),
        FormField("policyNumber", "Policy / licence number"),
        FormField("expirationDate", "Expiration date", "date"),
        FormField("renewalDueDate", "Renewal due date", "date"),
    ),
}
NEW_TITLES = {
    "business-intake": "New business intake",
    "hiring-packets": "New hiring packet",
    "renewals-compliance": "New compliance item",
}
CREATE_MODELS = {
    "business-intake": (IntakeCreate, records.create_intake),
    "hiring-packets": (HiringCreate, records.create_hiring_packet),
    "renewals-compliance": (ComplianceCreate, records.create_compliance_item),
}


class NewRecordState(AuthState):
    error: str = ""
    # The page of the record this form created; a repeat submit (a double-click) goes nowhere.
    created_href: str = ""

    @rx.event
    def clear(self):
        """Page load: a fresh form, with no error or notice left over from an earlier visit."""
        self.error = self.created_href = ""
        return rx.toast.dismiss()

    @rx.event
    def create(self, form: dict):
        if self.created_href:  # created by an earlier click of this form
            return None
        slug = slug_from_path(self.router.page.path)
        model, service = CREATE_MODELS[slug]
        data = {k: v for k, v in form.items() if v not in ("", None)}
        if "smsAlerts" in form:
            data["smsAlerts"] = form.get("smsAlerts") in ("on", True, "true")
        try:
            actor = self._require_actor()
            body = model.model_validate(data)
            with session_scope() as session:
                record = service(session, actor=actor, data=body)
                record_id = record.id
        except DomainError as exc:
            self.error = exc.message
            return toast_error(exc)
        except ValueError as exc:
            self.error = str(exc).splitlines()[0]
            return None
        self.error = ""
        self.created_href = f"/{slug}/{record_id}"
        # An error toast from an earlier attempt must not follow onto the new record's page.
        return [rx.toast.dismiss(), rx.redirect(self.created_href)]


def _form_field(spec: FormField) -> rx.Component:
    if spec.kind == "checkbox":
        return rx.checkbox(spec.label, name=spec.name, id=spec.name)
    if spec.kind == "select":
        control = choice_select(
            spec.options, name=spec.name, default_value=spec.options[0][0], trigger_id=spec.name
        )
    else:
        control = rx.input(
            name=spec.name,
            id=spec.name,
            type=spec.kind,
            required=spec.required,
            placeholder=spec.placeholder,
            width="100%",
        )
    return form_field(spec.label + (" *" if spec.required else ""), control, hint=spec.hint)


def new_page_for(slug: str):
    app = get_app(slug)

    def page() -> rx.Component:
        return app_shell(
            card(
                rx.form(
                    rx.vstack(
                        rx.text(
                            f"The {app.type_field.replace('Type', ' type')} decides the "
                            "default document checklist.",
                            size="2",
                            color=rx.color("gray", 11),
                        ),
                        rx.cond(
                            NewRecordState.error != "",
                            rx.callout(
                                NewRecordState.error, icon="triangle-alert", color_scheme="red"
                            ),
                        ),
                        rx.grid(
                            *[_form_field(f) for f in NEW_FORMS[slug]],
                            columns=rx.breakpoints(initial="1", md="2"),
                            spacing="4",
                            width="100%",
                        ),
                        rx.hstack(
                            rx.link(
                                rx.button("Cancel", variant="soft", type="button"), href=f"/{slug}"
                            ),
                            rx.button(f"Create {app.noun}", type="submit", id="create-record"),
                            justify="end",
                            width="100%",
                        ),
                        spacing="4",
                    ),
                    on_submit=NewRecordState.create,
                ),
                max_width="820px",
            ),
            title=NEW_TITLES[slug],
        )

    page.__name__ = f"{slug.replace('-', '_')}_new_page"
    return page


# ---------------------------------------------------------------- compliance calendar


@dataclasses.dataclass
class CalendarEntry:
    month_header: str  # set on the first entry of each month
    href: str
    title: str
    day: str
    weekday: str
    kind: str
    status_label: str
    color: str
    days_left: str


class ComplianceCalendarState(AuthState):
    entries: list[CalendarEntry] = []
    horizon_days: int = 180
    overdue: int = 0

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        now = now_ms()
        with read_scope() as session:
            items = records.upcoming_due(
                session,
                actor=actor,
                app_slug="renewals-compliance",
                until_ms=now + self.horizon_days * records.DAY_MS,
            )
        months: dict[str, list[CalendarEntry]] = {}
        self.overdue = 0
        for item in items:
            for kind, at in (("Renewal due", item.renewal_due_at), ("Expires", item.expiration_at)):
                if at is None or at > now + self.horizon_days * records.DAY_MS:
                    continue
                when = datetime.fromtimestamp(at / 1000, tz=UTC)
                if records.days_between(now, at) < 0:
                    self.overdue += 1
                months.setdefault(when.strftime("%B %Y"), []).append(
                    CalendarEntry(
                        month_header="",
                        href=f"/renewals-compliance/{item.id}",
                        title=item.title,
                        day=when.strftime("%d"),
                        weekday=when.strftime("%a"),
                        kind=kind,
                        status_label=humanize(item.status),
                        color=status_color(item.status),
                        days_left=records.days_left_label(at, now),
                    )
                )
        ordered = sorted(months.items(), key=lambda kv: datetime.strptime(kv[0], "%B %Y"))
        flat: list[CalendarEntry] = []
        for label, entries in ordered:
            entries.sort(key=lambda e: e.day)
            entries[0].month_header = label
            flat.extend(entries)
        self.entries = flat

    @rx.event
    def set_horizon(self, value: str):
        self.horizon_days = int(value)
        self.load()


def _calendar_entry(entry: CalendarEntry) -> rx.Component:
    return rx.fragment(
        rx.cond(
            entry.month_header != "",
            rx.heading(entry.month_header, size="4", padding_top="14px", padding_bottom="4px"),
        ),
        _calendar_link(entry),
    )


def _calendar_link(entry: CalendarEntry) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.vstack(
                rx.text(entry.weekday, size="1", color=rx.color("gray", 11)),
                rx.text(entry.day, size="5", weight="bold"),
                spacing="0",
                align="center",
                min_width="44px",
            ),
            rx.vstack(
                rx.text(entry.title, weight="medium"),
                rx.text(entry.kind, " · ", entry.days_left, size="1", color=rx.color("gray", 11)),
                spacing="0",
            ),
            rx.spacer(),
            status_badge("", entry.status_label, entry.color),
            align="center",
            width="100%",
            padding="10px 12px",
            border_radius="10px",
            _hover={"background": rx.color("gray", 3)},
        ),
        href=entry.href,
        underline="none",
        color="inherit",
        width="100%",
    )


def compliance_calendar_page() -> rx.Component:
    return app_shell(
        rx.hstack(
            rx.text("Upcoming renewal due dates and expirations.", color=rx.color("gray", 11)),
            rx.spacer(),
            rx.cond(
                ComplianceCalendarState.overdue > 0,
                rx.badge(ComplianceCalendarState.overdue, " overdue", color_scheme="red"),
            ),
            rx.select(
                ["30", "90", "180", "365"],
                value=ComplianceCalendarState.horizon_days.to_string(),
                on_change=ComplianceCalendarState.set_horizon,
                width="110px",
                id="calendar-horizon",
            ),
            field_label("days ahead", "calendar-horizon", weight="regular"),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            ComplianceCalendarState.entries.length() > 0,
            card(
                rx.vstack(
                    rx.foreach(ComplianceCalendarState.entries, _calendar_entry),
                    width="100%",
                    spacing="1",
                )
            ),
            empty_state(
                "calendar-check",
                "Nothing due in this period",
                "Compliance items with an expiration or renewal date show up here.",
            ),
        ),
        title="Compliance calendar",
        actions=rx.link(rx.button("All items", variant="soft"), href="/renewals-compliance"),
    )
