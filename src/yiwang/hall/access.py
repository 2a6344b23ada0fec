"""Who may do what in a hall (decided once, used by pages and API alike).

- **Hall staff** (窗口人员 of the hall): a staff member with the ``window_clerk`` role whose
  organisation lies in the hall's region (every department's window clerks work in the city's hall;
  the general window's clerks belong to the service centre).
- **Hall manager** (大厅管理): ``service_manager`` or ``admin`` whose organisation lies in the hall's
  region: windows, categories, schedules, no-show appeals, statistics.
- **Supervisors** (``supervisor``) of the region read statistics.
"""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import AccountKind
from yiwang.accounts.roles import roles_of
from yiwang.hall.models import Hall

STAFF_ROLES = frozenset({"window_clerk"})
MANAGER_ROLES = frozenset({"service_manager", "admin"})
READER_ROLES = MANAGER_ROLES | {"supervisor"}


def region_prefix_of(code: str) -> str:
    """The prefix every region code inside ``code`` starts with: ``340100`` → ``3401``."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def _staff_region(user: Any) -> str:
    if not getattr(user, "is_authenticated", False) or user.kind != AccountKind.STAFF:
        return ""
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return ""
    return str(profile.organisation.region.code)


def _in_region(user: Any, hall: Hall) -> bool:
    region = _staff_region(user)
    return bool(region) and region.startswith(region_prefix_of(hall.region_code))


def is_hall_staff(user: Any, hall: Hall) -> bool:
    return bool(roles_of(user) & STAFF_ROLES) and _in_region(user, hall)


def is_hall_manager(user: Any, hall: Hall) -> bool:
    return bool(roles_of(user) & MANAGER_ROLES) and _in_region(user, hall)


def may_read_hall_statistics(user: Any, hall: Hall) -> bool:
    return (bool(roles_of(user) & READER_ROLES) and _in_region(user, hall)) or is_hall_staff(user, hall)


def halls_for_staff(user: Any) -> list[Hall]:
    """The active halls the user may staff (usually one)."""
    if not roles_of(user) & STAFF_ROLES:
        return []
    return [h for h in Hall.objects.filter(is_active=True).order_by("name") if _in_region(user, h)]
