"""The workbench navigation: which pages a staff member's roles open, decided once here.

Templates loop over :func:`workbench_menu` (through the ``workbench_menu`` template tag) and test
entry names, never role strings.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yiwang.accounts.models import StaffRole

#: Everyone on the staff sees the entry.
ALL_STAFF: frozenset[str] = frozenset()

CASE_ROLES = frozenset(
    {
        StaffRole.WINDOW_CLERK,
        StaffRole.HANDLER,
        StaffRole.APPROVER,
        StaffRole.SUPERVISOR,
        StaffRole.DATA_OFFICIAL,
    }
)


@dataclass(frozen=True)
class MenuItem:
    """A page of the menu: its URL name, label, the roles that open it (any of them; empty: all
    staff) and the URL names (or, ending in ``*``, prefixes) under which it is the current page."""

    name: str
    label: str
    roles: frozenset[str]
    current: tuple[str, ...]

    def is_current(self, url_name: str) -> bool:
        return any(
            url_name.startswith(pattern[:-1]) if pattern.endswith("*") else url_name == pattern
            for pattern in self.current
        )


MENU: tuple[MenuItem, ...] = (
    MenuItem("todo", gettext_noop("我的待办"), ALL_STAFF, ("todo",)),
    MenuItem("tasks", gettext_noop("流程待办"), ALL_STAFF, ("tasks", "tasks_done")),
    MenuItem("case_list", gettext_noop("部门办件"), ALL_STAFF, ("case_list", "case_detail")),
    MenuItem("library", gettext_noop("办件库"), CASE_ROLES, ("library*", "archive_detail")),
    MenuItem(
        "window_register", gettext_noop("窗口登记"), frozenset({StaffRole.WINDOW_CLERK}), ("window_register",)
    ),
    MenuItem(
        "identity_counter",
        gettext_noop("实名核验"),
        frozenset({StaffRole.WINDOW_CLERK}),
        ("identity_counter",),
    ),
    MenuItem(
        "staff",
        gettext_noop("工作人员管理"),
        frozenset({StaffRole.ADMIN, StaffRole.SECURITY_ADMIN}),
        ("staff",),
    ),
    MenuItem("calendar", gettext_noop("节假日安排"), frozenset({StaffRole.ADMIN}), ("calendar",)),
    MenuItem(
        "security_policy",
        gettext_noop("安全策略"),
        frozenset({StaffRole.SECURITY_ADMIN}),
        ("security_policy",),
    ),
    MenuItem("audit", gettext_noop("审计日志"), frozenset({StaffRole.AUDITOR}), ("audit",)),
    MenuItem(
        "catalog_list", gettext_noop("事项管理"), frozenset({StaffRole.SERVICE_MANAGER}), ("catalog_*",)
    ),
    MenuItem(
        "processes",
        gettext_noop("流程管理"),
        frozenset({StaffRole.SERVICE_MANAGER}),
        ("processes", "process_detail"),
    ),
)


@dataclass(frozen=True)
class MenuEntry:
    """One visible entry: its name (the URL name), URL, translated label and whether it is current."""

    name: str
    url: str
    label: str
    current: bool


@dataclass(frozen=True)
class Menu:
    entries: tuple[MenuEntry, ...]

    def __iter__(self) -> Iterator[MenuEntry]:
        return iter(self.entries)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(entry.name for entry in self.entries)


def workbench_menu(roles: Collection[str], current: str = "") -> Menu:
    """The entries the roles open, in menu order; ``current`` is the URL name of the page shown."""
    held = {str(role) for role in roles}
    return Menu(
        tuple(
            MenuEntry(item.name, reverse(f"workbench:{item.name}"), _(item.label), item.is_current(current))
            for item in MENU
            if not item.roles or held & {str(role) for role in item.roles}
        )
    )
