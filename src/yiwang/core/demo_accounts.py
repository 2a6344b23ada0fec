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
    scope: str = "department"  # accounts.DataScope of the roles: "department" or "region"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("citizen", "Yiwang@2026", "市民 Citizen", "natural", "张伟"),
    DemoAccount("company", "Yiwang@2026", "企业 Company", "legal", "合肥徽创科技有限公司"),
    DemoAccount("clerk", "Yiwang@2026", "窗口人员 Clerk", "staff", "李娜", ("window_clerk",)),
    DemoAccount("approver", "Yiwang@2026", "审批人 Approver", "staff", "王强", ("handler", "approver")),
    DemoAccount("manager", "Yiwang@2026", "事项管理员 Manager", "staff", "刘洋", ("service_manager",)),
    DemoAccount("admin", "Yiwang@2026", "系统管理员 Admin", "staff", "陈静", ("admin",)),
    DemoAccount("secadmin", "Yiwang@2026", "安全管理员 SecAdmin", "staff", "黄磊", ("security_admin",)),
    DemoAccount("auditor", "Yiwang@2026", "安全审计员 Auditor", "staff", "林芳", ("auditor",)),
    DemoAccount("finance", "Yiwang@2026", "财务人员 Finance", "staff", "孙丽", ("finance",)),
    DemoAccount(
        "supervisor", "Yiwang@2026", "监察人员 Supervisor", "staff", "马超", ("supervisor",), scope="region"
    ),
    DemoAccount(
        "agent",
        "Yiwang@2026",
        "12345 热线坐席 Hotline agent",
        "staff",
        "郭婷",
        ("hotline_agent",),
        scope="region",
    ),
)

# 数据专员 of the sharing platform (共享平台), created by ``yiwang.demo.sharing.load_sharing_demo``:
# (account, organisation key of ``demo/content/organisations.py``, data scope).  ``datareviewer``
# (数据资源局, region scope) reviews and publishes the other departments' resources.
SHARING_DEMO_ACCOUNTS: tuple[tuple[DemoAccount, str, str], ...] = (
    (
        DemoAccount(
            "dataofficial", "Yiwang@2026", "数据专员（市场监管局）", "staff", "周敏", ("data_official",)
        ),
        "market",
        "department",
    ),
    (
        DemoAccount(
            "dataofficial_ps", "Yiwang@2026", "数据专员（公安局）", "staff", "吴刚", ("data_official",)
        ),
        "police",
        "department",
    ),
    (
        DemoAccount(
            "dataofficial_nrp",
            "Yiwang@2026",
            "数据专员（自然资源规划局）",
            "staff",
            "郑丽",
            ("data_official",),
        ),
        "nrp",
        "department",
    ),
    (
        DemoAccount(
            "dataofficial_zw",
            "Yiwang@2026",
            "数据专员（政务服务管理局）",
            "staff",
            "冯涛",
            ("data_official",),
        ),
        "gov_service",
        "department",
    ),
    (
        DemoAccount(
            "datareviewer", "Yiwang@2026", "目录审核（数据资源局）", "staff", "何静", ("data_official",)
        ),
        "data",
        "region",
    ),
)

# Demo only: every demo staff account gets a TOTP device with this fixed, documented secret so that
# the demo stays usable (`yiwang totp <username>` prints the current code).  Base32 for authenticator
# apps: GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ.  Never used outside demo mode.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"

# The demo department system (演示部门系统) registered as an OIDC client by `yiwang loaddemo`.
DEMO_DEPT_CLIENT_ID = "yiwang-demo-dept"
DEMO_DEPT_CLIENT_SECRET = "yiwang-demo-dept-secret"  # noqa: S105 - demo only, documented
DEMO_DEPT_REDIRECT_URI = "http://127.0.0.1:8001/callback"


def demo_dept_redirect_uri() -> str:
    """The demo department system listens on PORT+1 (`yiwang demo`), so its callback follows PORT."""
    import os

    return f"http://127.0.0.1:{int(os.environ.get('PORT', '8000')) + 1}/callback"
