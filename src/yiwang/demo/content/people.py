"""Demo people: details of the accounts named in ``yiwang.core.demo_accounts.DEMO_ACCOUNTS`` and the
additional clerk/approver pairs of 合肥市公安局 and 合肥市民政局 (not in DEMO_ACCOUNTS)."""

from __future__ import annotations

from datetime import date
from typing import Any

# 张伟, born 1990-05-12, registered in 蜀山区 (340104); an odd sequence number (male).
CITIZEN_REGION_CODE = "340104"
CITIZEN_BIRTH = date(1990, 5, 12)
CITIZEN_SEQUENCE = 131

# 合肥徽创科技有限公司: registering department 9 (市场监管), entity type 1 (企业), area 340100.
COMPANY_CREDIT: dict[str, str] = {
    "registration_department": "9",
    "entity_type": "1",
    "area_code": "340100",
    "org_body": "MA2UH7C0",
}

# Extra details per DEMO_ACCOUNTS username.
DETAILS: dict[str, dict[str, Any]] = {
    "citizen": {"phone": "13800000001", "assurance_level": 2},
    "company": {"phone": "13800000002", "assurance_level": 2, "legal_representative": "citizen"},
    "clerk": {"organisation": "market", "phone": "13855100001"},
    "approver": {"organisation": "market", "phone": "13855100002"},
    "manager": {"organisation": "data", "phone": "13855100003"},
    "admin": {"organisation": "data", "phone": "13855100004", "is_superuser": True},
    "secadmin": {"organisation": "data", "phone": "13855100005"},
    "auditor": {"organisation": "data", "phone": "13855100006"},
    "finance": {"organisation": "market", "phone": "13855100007"},
    "supervisor": {"organisation": "data", "phone": "13855100008"},
    "agent": {"organisation": "gov_service", "phone": "13855100009"},
}

# Additional staff so that items of the police and civil-affairs bureaus can be handled in the demo.
EXTRA_STAFF: list[dict[str, Any]] = [
    {"username": "clerk_ps", "real_name": "赵敏", "organisation": "police", "roles": ["window_clerk"]},
    {
        "username": "approver_ps",
        "real_name": "孙磊",
        "organisation": "police",
        "roles": ["handler", "approver"],
    },
    {"username": "clerk_ca", "real_name": "周婷", "organisation": "civil", "roles": ["window_clerk"]},
    {
        "username": "approver_ca",
        "real_name": "吴刚",
        "organisation": "civil",
        "roles": ["handler", "approver"],
    },
    # 综合窗口 The general window of the service hall (前台综合受理): takes any item of the hall.
    {"username": "clerk_zh", "real_name": "吴倩", "organisation": "gov_service", "roles": ["window_clerk"]},
    # A second service manager: catalogue drafts are reviewed by a manager other than the submitter.
    {"username": "manager2", "real_name": "何静", "organisation": "data", "roles": ["service_manager"]},
]
