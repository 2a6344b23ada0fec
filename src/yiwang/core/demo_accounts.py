"""The named demo users, shared by the demo loader, the start-up banner, the README and the tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role_label: str
    kind: str  # natural | legal | staff
    real_name: str
    roles: tuple[str, ...] = ()


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("citizen", "Yiwang@2026", "市民 Citizen", "natural", "张伟"),
    DemoAccount("company", "Yiwang@2026", "企业 Company", "legal", "合肥徽创科技有限公司"),
    DemoAccount("clerk", "Yiwang@2026", "窗口人员 Clerk", "staff", "李娜", ("window_clerk",)),
    DemoAccount("approver", "Yiwang@2026", "审批人 Approver", "staff", "王强", ("handler", "approver")),
    DemoAccount("manager", "Yiwang@2026", "事项管理员 Manager", "staff", "刘洋", ("service_manager",)),
    DemoAccount("admin", "Yiwang@2026", "系统管理员 Admin", "staff", "陈静", ("admin",)),
)
