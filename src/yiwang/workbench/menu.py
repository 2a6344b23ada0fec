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


DATA_ROLES = frozenset({StaffRole.DATA_OFFICIAL})

#: Who watches the whole service: the big screen and the dashboards.
OVERSIGHT_ROLES = frozenset({StaffRole.SUPERVISOR, StaffRole.SERVICE_MANAGER, StaffRole.ADMIN})


@dataclass(frozen=True)
class MenuItem:
    """A page of the menu: its URL name, label, the roles that open it (any of them; empty: all
    staff) and the URL names (or, ending in ``*``, prefixes) under which it is the current page."""

    name: str
    label: str
    roles: frozenset[str]
    current: tuple[str, ...]

    @property
    def view_name(self) -> str:
        """The namespaced URL name (pages of the workbench app need no namespace in ``name``)."""
        return self.name if ":" in self.name else f"workbench:{self.name}"

    def is_current(self, view_name: str) -> bool:
        """``view_name`` is the page's namespaced URL name (``workbench:todo``, ``sharing:grants``)."""
        name = view_name.removeprefix("workbench:") if ":" not in "".join(self.current) else view_name
        return any(
            name.startswith(pattern[:-1]) if pattern.endswith("*") else name == pattern
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
        "sharing:feed_sources",
        gettext_noop("基础库供数授权"),
        frozenset({StaffRole.ADMIN}),
        ("sharing:feed_source*",),
    ),
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
    # 政务信息资源共享 (docs/sharing.md): the catalogue for every staff member, the rest for data officials.
    MenuItem("sharing:resources", gettext_noop("资源目录"), ALL_STAFF, ("sharing:resource*",)),
    MenuItem("sharing:requests", gettext_noop("共享申请"), DATA_ROLES, ("sharing:request*",)),
    MenuItem("sharing:grants", gettext_noop("共享授权"), DATA_ROLES, ("sharing:grant*",)),
    MenuItem("sharing:gateway_calls", gettext_noop("共享调用"), DATA_ROLES, ("sharing:gateway_*",)),
    MenuItem("sharing_quality:list", gettext_noop("数据纠错"), DATA_ROLES, ("sharing_quality:*",)),
    # 统一支付 (docs/payments.md): finance officers; window clerks record payments at the window.
    MenuItem(
        "finance:orders",
        gettext_noop("缴费与退款"),
        frozenset({StaffRole.FINANCE, StaffRole.WINDOW_CLERK}),
        ("finance:*",),
    ),
    # 电子监察、考核评估与视窗 (docs/supervision.md, docs/assessment.md, docs/dashboards.md)
    MenuItem("supervision:warnings", gettext_noop("电子监察"), CASE_ROLES, ("supervision:*",)),
    MenuItem("assessment:runs", gettext_noop("考核评估"), CASE_ROLES, ("assessment:*",)),
    MenuItem(
        "metrics:dashboard", gettext_noop("运行分析"), OVERSIGHT_ROLES | {StaffRole.APPROVER}, ("metrics:*",)
    ),
    MenuItem("screen:index", gettext_noop("大屏"), OVERSIGHT_ROLES, ("screen:*",)),
    # 好差评、12345 工单与热线、知识库 (docs/ratings.md, docs/tickets.md, docs/knowledge.md)
    MenuItem(
        "ratings:rectifications",
        gettext_noop("好差评整改"),
        CASE_ROLES | {StaffRole.SERVICE_MANAGER},
        ("ratings:*",),
    ),
    MenuItem(
        "tickets:queue",
        gettext_noop("12345 工单"),
        CASE_ROLES | {StaffRole.SERVICE_MANAGER, StaffRole.HOTLINE_AGENT},
        ("tickets:*",),
    ),
    MenuItem(
        "tickets_hotline:console",
        gettext_noop("热线坐席台"),
        frozenset({StaffRole.HOTLINE_AGENT, StaffRole.SUPERVISOR}),
        ("tickets_hotline:*",),
    ),
    MenuItem(
        "knowledge:entries",
        gettext_noop("知识库"),
        frozenset({StaffRole.SERVICE_MANAGER, StaffRole.HOTLINE_AGENT, StaffRole.ADMIN}),
        ("knowledge:*",),
    ),
    # 智能化大厅 (docs/hall.md): the window console, appointments, the hall's statistics.
    MenuItem(
        "hall:console",
        gettext_noop("窗口叫号"),
        frozenset({StaffRole.WINDOW_CLERK}),
        (
            "hall:console",
            "hall:window*",
            "hall:ticket*",
            "hall:register*",
            "hall:visit*",
            "hall:handover*",
            "hall:person*",
        ),
    ),
    MenuItem(
        "hall_appointments:index",
        gettext_noop("大厅预约"),
        frozenset(
            {StaffRole.WINDOW_CLERK, StaffRole.HOTLINE_AGENT, StaffRole.SERVICE_MANAGER, StaffRole.ADMIN}
        ),
        ("hall_appointments:*",),
    ),
    MenuItem(
        "hall_agency:index", gettext_noop("帮办代办"), frozenset({StaffRole.WINDOW_CLERK}), ("hall_agency:*",)
    ),
    MenuItem(
        "hall:setup",
        gettext_noop("大厅配置"),
        frozenset({StaffRole.SERVICE_MANAGER, StaffRole.ADMIN}),
        ("hall:setup*",),
    ),
    MenuItem(
        "hall:stats",
        gettext_noop("大厅统计"),
        frozenset({StaffRole.SERVICE_MANAGER, StaffRole.ADMIN, StaffRole.SUPERVISOR}),
        ("hall:stats",),
    ),
    # 一人一档、一企一档 and 主动服务 (docs/space.md, docs/proactive.md)
    MenuItem(
        "space:search",
        gettext_noop("一人一档/一企一档"),
        CASE_ROLES | {StaffRole.SERVICE_MANAGER, StaffRole.HOTLINE_AGENT},
        ("space:*",),
    ),
    MenuItem(
        "proactive:rules",
        gettext_noop("主动服务"),
        frozenset({StaffRole.SERVICE_MANAGER, StaffRole.ADMIN}),
        ("proactive:*",),
    ),
    # 省市协同 (docs/federation.md): what the cities pushed up, what flowed back, 四级四同 findings.
    MenuItem(
        "federation:overview",
        gettext_noop("省市协同"),
        frozenset({StaffRole.ADMIN, StaffRole.DATA_OFFICIAL, StaffRole.SUPERVISOR}),
        ("federation:*",),
    ),
    MenuItem(
        "exchange:overview",
        gettext_noop("交换与推送"),
        frozenset({StaffRole.ADMIN, StaffRole.DATA_OFFICIAL}),
        ("exchange:*",),
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
    """The entries the roles open, in menu order; ``current`` is the namespaced URL name of the page
    shown (a bare name is taken as the workbench's)."""
    if current and ":" not in current:
        current = f"workbench:{current}"
    held = {str(role) for role in roles}
    return Menu(
        tuple(
            MenuEntry(item.name, reverse(item.view_name), _(item.label), item.is_current(current))
            for item in MENU
            if not item.roles or held & {str(role) for role in item.roles}
        )
    )
