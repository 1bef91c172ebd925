"""Packages: bundle templates in order and map package roles to each template's roles."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import reflex as rx

from workspace.core.db import session_scope
from workspace.core.errors import DomainError
from workspace.core.schemas.templates import RoleMapping
from workspace.core.services import templates as service
from workspace.ui.components.forms import label_row
from workspace.ui.layout import app_shell, empty_state
from workspace.ui.state import AuthState, toast_error


@dataclasses.dataclass
class PackageTemplateView:
    order: int
    name: str
    detail: str


@dataclasses.dataclass
class RoleMappingView:
    name: str
    color: str
    detail: str


@dataclasses.dataclass
class PackageRow:
    id: str
    name: str
    description: str
    templates: list[PackageTemplateView]
    roles: list[RoleMappingView]
    stats: str


@dataclasses.dataclass
class TemplateChoice:
    id: str
    name: str
    detail: str
    chosen: bool


@dataclasses.dataclass
class ChosenTemplate:
    index: int
    id: str
    name: str


@dataclasses.dataclass
class TemplateRoleRow:
    template_id: str
    template_name: str
    role: str
    package_role_id: str


@dataclasses.dataclass
class PackageRoleRow:
    index: int
    id: str
    name: str
    color: str
    members: list[TemplateRoleRow]


@dataclasses.dataclass
class RoleOption:
    id: str
    name: str


def _count(n: int, word: str) -> str:
    """'1 page', '2 pages'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class PackagesState(AuthState):
    packages: list[PackageRow] = []
    loaded: bool = False
    dialog_open: bool = False
    editing_id: str = ""
    form_name: str = ""
    form_description: str = ""
    chosen_ids: list[str] = []
    mappings: list[dict[str, Any]] = []
    _template_names: dict[str, str] = {}
    available: list[TemplateChoice] = []

    @rx.event
    def load(self):
        actor = self._actor()
        if actor is None:
            return
        self.dialog_open = False  # a reload does not bring back a dialog left open
        with session_scope() as session:
            rows = []
            for package in service.list_packages(session, actor=actor, limit=100):
                data = service.package_public(session, package)
                names = {t["templateId"]: t["name"] for t in data["templates"]}
                stats = data["stats"]
                rows.append(
                    PackageRow(
                        id=data["id"],
                        name=data["name"],
                        description=data["description"],
                        templates=[
                            PackageTemplateView(
                                t["order"] + 1,
                                t["name"],
                                _count(t["pageCount"], "page")
                                + " · "
                                + _count(t["fieldCount"], "field"),
                            )
                            for t in data["templates"]
                        ],
                        roles=[
                            RoleMappingView(
                                m["packageRoleName"],
                                m["color"],
                                ", ".join(
                                    f"{names.get(r['templateId'], '?')}: {r['roleId']}"
                                    for r in m["templateRoles"]
                                ),
                            )
                            for m in data["roleMappings"]
                        ],
                        stats=" · ".join(
                            _count(stats[key], word)
                            for key, word in (
                                ("documentCount", "document"),
                                ("totalPages", "page"),
                                ("totalFields", "field"),
                                ("roleCount", "role"),
                            )
                        ),
                    )
                )
            self.packages = rows
        self.loaded = True

    def _refresh_choices(self):
        actor = self._require_actor()
        with session_scope() as session:
            templates = service.list_templates(session, actor=actor, limit=100)
            self._template_names = {t.id: t.name for t in templates}
            self.available = [
                TemplateChoice(
                    t.id,
                    t.name,
                    f"{_count(len(t.fields), 'field')} · roles: {', '.join(t.roles) or 'none yet'}",
                    t.id in self.chosen_ids,
                )
                for t in templates
            ]
            chosen = [
                service.get_template(session, actor=actor, template_id=t) for t in self.chosen_ids
            ]
            keep = [
                RoleMapping.model_validate(
                    {
                        **m,
                        "templateRoles": [
                            r for r in m["templateRoles"] if r["templateId"] in self.chosen_ids
                        ],
                    }
                )
                for m in self.mappings
            ]
            self.mappings = service.build_role_mappings(
                chosen, [m for m in keep if m.template_roles]
            )

    @rx.event
    def open_new(self):
        self.editing_id = ""
        self.form_name = ""
        self.form_description = ""
        self.chosen_ids = []
        self.mappings = []
        self._refresh_choices()
        self.dialog_open = True

    @rx.event
    def open_edit(self, package_id: str):
        with session_scope() as session:
            package = service.get_package(
                session, actor=self._require_actor(), package_id=package_id
            )
            self.editing_id = package.id
            self.form_name = package.name
            self.form_description = package.description
            self.chosen_ids = list(package.template_ids)
            self.mappings = copy.deepcopy(package.role_mappings)
        self._refresh_choices()
        self.dialog_open = True

    @rx.event
    def set_dialog_open(self, value: bool):
        self.dialog_open = value

    @rx.event
    def set_form_name(self, value: str):
        self.form_name = value

    @rx.event
    def set_form_description(self, value: str):
        self.form_description = value

    @rx.event
    def toggle_template(self, template_id: str, chosen: bool):
        ids = [t for t in self.chosen_ids if t != template_id]
        if chosen:
            ids.append(template_id)
        self.chosen_ids = ids
        self._refresh_choices()

    @rx.event
    def move_template(self, index: int, step: int):
        target = index + step
        if 0 <= index < len(self.chosen_ids) and 0 <= target < len(self.chosen_ids):
            ids = list(self.chosen_ids)
            ids[index], ids[target] = ids[target], ids[index]
            self.chosen_ids = ids

    @rx.event
    def rename_role(self, index: int, name: str):
        if 0 <= index < len(self.mappings) and name.strip():
            mappings = copy.deepcopy(self.mappings)
            mappings[index]["packageRoleName"] = name.strip()[:100]
            self.mappings = mappings

    @rx.event
    def assign_role(self, template_id: str, role: str, package_role_id: str):
        """Move one template role to another package role (or a new one: "new")."""
        mappings = copy.deepcopy(self.mappings)
        ref = {"templateId": template_id, "roleId": role}
        for mapping in mappings:
            mapping["templateRoles"] = [r for r in mapping["templateRoles"] if r != ref]
        if package_role_id == "new":
            number = len(mappings) + 1
            ids = {m["packageRoleId"] for m in mappings}
            while f"role_{number}" in ids:
                number += 1
            mappings.append(
                {
                    "packageRoleId": f"role_{number}",
                    "packageRoleName": role.replace("_", " ").title(),
                    "color": service.ROLE_COLORS[len(mappings) % len(service.ROLE_COLORS)],
                    "templateRoles": [ref],
                }
            )
        else:
            for mapping in mappings:
                if mapping["packageRoleId"] == package_role_id:
                    mapping["templateRoles"].append(ref)
        self.mappings = [m for m in mappings if m["templateRoles"]]

    @rx.var
    def chosen(self) -> list[ChosenTemplate]:
        return [
            ChosenTemplate(i, t, self._template_names.get(t, t))
            for i, t in enumerate(self.chosen_ids)
        ]

    @rx.var
    def role_rows(self) -> list[PackageRoleRow]:
        return [
            PackageRoleRow(
                i,
                m["packageRoleId"],
                m["packageRoleName"],
                m["color"],
                [
                    TemplateRoleRow(
                        r["templateId"],
                        self._template_names.get(r["templateId"], r["templateId"]),
                        r["roleId"],
                        m["packageRoleId"],
                    )
                    for r in m["templateRoles"]
                ],
            )
            for i, m in enumerate(self.mappings)
        ]

    @rx.var
    def role_options(self) -> list[RoleOption]:
        return [RoleOption(m["packageRoleId"], m["packageRoleName"]) for m in self.mappings]

    @rx.event
    def save(self):
        mappings = [RoleMapping.model_validate(m) for m in self.mappings]
        try:
            with session_scope() as session:
                actor = self._require_actor()
                if self.editing_id:
                    service.update_package(
                        session,
                        actor=actor,
                        package_id=self.editing_id,
                        name=self.form_name,
                        description=self.form_description,
                        template_ids=self.chosen_ids,
                        role_mappings=mappings,
                    )
                else:
                    service.create_package(
                        session,
                        actor=actor,
                        name=self.form_name,
                        description=self.form_description,
                        template_ids=self.chosen_ids,
                        role_mappings=mappings,
                    )
        except DomainError as exc:
            return toast_error(exc)
        self.dialog_open = False
        return [PackagesState.load, rx.toast.success("Package saved.")]

    @rx.event
    def archive(self, package_id: str):
        try:
            with session_scope() as session:
                service.archive_package(session, actor=self._require_actor(), package_id=package_id)
        except DomainError as exc:
            return toast_error(exc)
        return [PackagesState.load, rx.toast.success("Package archived.")]


def _package_card(row: PackageRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.text(row.name, weight="bold", size="3"),
                    rx.cond(
                        row.description != "",
                        rx.text(row.description, size="2", color=rx.color("gray", 11)),
                    ),
                    rx.text(row.stats, size="1", color=rx.color("gray", 11)),
                    spacing="1",
                ),
                rx.hstack(
                    rx.link(
                        rx.button(rx.icon("send", size=14), "Send"),
                        href="/envelopes/new?package=" + row.id,
                        class_name="send-package",
                    ),
                    rx.button(
                        rx.icon("pencil", size=14),
                        "Edit",
                        variant="soft",
                        on_click=PackagesState.open_edit(row.id),
                    ),
                    rx.button(
                        rx.icon("archive", size=14),
                        "Archive",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=PackagesState.archive(row.id),
                    ),
                    spacing="2",
                ),
                justify="between",
                width="100%",
                align="start",
            ),
            rx.hstack(
                rx.foreach(
                    row.templates,
                    lambda t: rx.hstack(
                        rx.badge(t.order, variant="solid", radius="full"),
                        rx.vstack(
                            rx.text(t.name, size="2", weight="medium"),
                            rx.text(t.detail, size="1", color=rx.color("gray", 11)),
                            spacing="0",
                        ),
                        align="center",
                        spacing="2",
                        padding="6px 10px",
                        border=f"1px solid {rx.color('gray', 5)}",
                        border_radius="8px",
                    ),
                ),
                wrap="wrap",
                spacing="2",
            ),
            rx.vstack(
                rx.foreach(
                    row.roles,
                    lambda r: rx.hstack(
                        rx.box(
                            width="8px", height="8px", border_radius="999px", background=r.color
                        ),
                        rx.text(r.name, size="2", weight="medium"),
                        rx.text("→ ", r.detail, size="1", color=rx.color("gray", 11)),
                        align="center",
                        spacing="2",
                    ),
                ),
                spacing="1",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(PackagesState.editing_id != "", "Edit package", "New package")),
            rx.vstack(
                rx.input(
                    placeholder="Package name, e.g. New Hire Package",
                    value=PackagesState.form_name,
                    on_change=PackagesState.set_form_name,
                    id="package-name",
                    width="100%",
                ),
                rx.input(
                    placeholder="Description (optional)",
                    value=PackagesState.form_description,
                    on_change=PackagesState.set_form_description,
                    width="100%",
                ),
                rx.text("Templates", size="2", weight="bold"),
                rx.cond(
                    PackagesState.available.length() > 0,
                    rx.vstack(
                        rx.foreach(
                            PackagesState.available,
                            # The whole row is the checkbox's label: it names it and toggles it.
                            lambda t: label_row(
                                rx.checkbox(
                                    checked=t.chosen,
                                    on_change=lambda v: PackagesState.toggle_template(t.id, v),
                                ),
                                rx.vstack(
                                    rx.text(t.name, size="2"),
                                    rx.text(t.detail, size="1", color=rx.color("gray", 11)),
                                    spacing="0",
                                ),
                            ),
                        ),
                        spacing="2",
                        max_height="180px",
                        overflow_y="auto",
                        width="100%",
                    ),
                    rx.text("Create a template first.", size="2", color=rx.color("gray", 11)),
                ),
                rx.cond(
                    PackagesState.chosen.length() > 0,
                    rx.vstack(
                        rx.text("Order signers see them in", size="2", weight="bold"),
                        rx.foreach(
                            PackagesState.chosen,
                            lambda c: rx.hstack(
                                rx.badge(c.index + 1, radius="full"),
                                rx.text(c.name, size="2", flex="1"),
                                rx.icon_button(
                                    rx.icon("arrow-up", size=12),
                                    size="1",
                                    variant="ghost",
                                    on_click=PackagesState.move_template(c.index, -1),
                                    aria_label="Move up",
                                ),
                                rx.icon_button(
                                    rx.icon("arrow-down", size=12),
                                    size="1",
                                    variant="ghost",
                                    on_click=PackagesState.move_template(c.index, 1),
                                    aria_label="Move down",
                                ),
                                width="100%",
                                align="center",
                            ),
                        ),
                        rx.text("Roles", size="2", weight="bold"),
                        rx.text(
                            "Same-named roles are matched automatically. Rename a package role "
                            "or move a template role to another one.",
                            size="1",
                            color=rx.color("gray", 11),
                        ),
                        rx.foreach(
                            PackagesState.role_rows,
                            lambda r: rx.vstack(
                                rx.hstack(
                                    rx.box(
                                        width="10px",
                                        height="10px",
                                        border_radius="999px",
                                        background=r.color,
                                    ),
                                    rx.input(
                                        default_value=r.name,
                                        key=r.id + r.name,
                                        on_blur=lambda v: PackagesState.rename_role(r.index, v),
                                        size="1",
                                        flex="1",
                                    ),
                                    align="center",
                                    width="100%",
                                ),
                                rx.foreach(
                                    r.members,
                                    lambda m: rx.hstack(
                                        rx.text(
                                            m.template_name,
                                            ": ",
                                            m.role,
                                            size="1",
                                            flex="1",
                                            color=rx.color("gray", 11),
                                        ),
                                        rx.select.root(
                                            rx.select.trigger(width="150px"),
                                            rx.select.content(
                                                rx.foreach(
                                                    PackagesState.role_options,
                                                    lambda o: rx.select.item(o.name, value=o.id),
                                                ),
                                                rx.select.item("New package role", value="new"),
                                            ),
                                            value=m.package_role_id,
                                            on_change=lambda v: PackagesState.assign_role(
                                                m.template_id, m.role, v
                                            ),
                                            size="1",
                                        ),
                                        width="100%",
                                        align="center",
                                        padding_left="18px",
                                    ),
                                ),
                                padding="8px",
                                border=f"1px solid {rx.color('gray', 5)}",
                                border_radius="8px",
                                width="100%",
                                spacing="1",
                            ),
                        ),
                        spacing="2",
                        width="100%",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Save package", on_click=PackagesState.save, id="save-package"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="560px",
        ),
        open=PackagesState.dialog_open,
        on_open_change=PackagesState.set_dialog_open,
    )


def packages_page() -> rx.Component:
    return app_shell(
        rx.text(
            "A package sends several templates as one envelope: signers complete every "
            "document in a single session.",
            color=rx.color("gray", 11),
        ),
        rx.cond(
            PackagesState.packages.length() > 0,
            rx.vstack(rx.foreach(PackagesState.packages, _package_card), spacing="3", width="100%"),
            rx.cond(
                PackagesState.loaded,
                empty_state(
                    "layers",
                    "No packages yet",
                    "Bundle templates, for example an employment contract, a W-4 and the "
                    "handbook, and map their roles once.",
                    rx.button("New package", on_click=PackagesState.open_new),
                ),
            ),
        ),
        _dialog(),
        title="Packages",
        actions=rx.hstack(
            rx.link(rx.button("Templates", variant="soft"), href="/templates"),
            rx.button(rx.icon("plus", size=16), "New package", on_click=PackagesState.open_new),
            spacing="2",
        ),
    )
