"""Reads of the queue: the queue screen's board (two queries: the hall's layout is cached), the
announcements for the speech system, and the waiting/service time statistics."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Case, CharField, Count, DateTimeField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_noop

from yiwang.hall.models import (
    BusinessCategory,
    Hall,
    QueueEvent,
    QueueEventKind,
    QueueStatus,
    QueueTicket,
    TicketPriority,
    Window,
)

LAYOUT_SECONDS = 30
BOARD_STATUSES = (QueueStatus.WAITING, QueueStatus.CALLED, QueueStatus.SERVING)
NOW_CALLING = 8
ANNOUNCEMENTS_MAX = 50


def _layout(code: str) -> dict[str, Any] | None:
    """The hall's name, template, categories and windows (changes rarely: cached briefly)."""
    key = f"hall:layout:{code}"
    layout: dict[str, Any] | None = cache.get(key)
    if layout is None:
        hall = (
            Hall.objects.filter(code=code, is_active=True)
            .values("pk", "name", "announcement_template")
            .first()
        )
        if hall is None:
            return None
        layout = {
            "hall": hall,
            "categories": list(
                BusinessCategory.objects.filter(hall_id=hall["pk"])
                .order_by("sort_order", "prefix")
                .values("pk", "prefix", "name")
            ),
            "windows": list(
                Window.objects.filter(hall_id=hall["pk"]).order_by("number").values("pk", "number", "name")
            ),
        }
        cache.set(key, layout, LAYOUT_SECONDS)
    return layout


def forget_layout(code: str) -> None:
    cache.delete(f"hall:layout:{code}")


def _say(template: str, number: str, window: str) -> str:
    return (
        (template or "请{number}号到{window}号窗口办理")
        .replace("{number}", number)
        .replace("{window}", window)
    )


def _board_rows(hall_id: int) -> Any:
    """The day's board tickets in one grouped statement: waiting tickets counted per category (and
    the green-channel ones among them), called and serving tickets one row each with their number.
    The rows are bounded by categories + windows, not by the length of the queue."""
    at_a_window = ~Q(status=QueueStatus.WAITING)
    return (
        QueueTicket.objects.filter(hall_id=hall_id, day=timezone.localdate(), status__in=BOARD_STATUSES)
        .annotate(
            shown_number=Case(
                When(at_a_window, then=F("number")), default=Value(None), output_field=CharField()
            ),
            shown_called=Case(
                When(at_a_window, then=F("called_at")), default=Value(None), output_field=DateTimeField()
            ),
        )
        .order_by()
        .values_list("category_id", "status", "shown_number", "window_id", "shown_called")
        .annotate(count=Count("pk"), green=Count("pk", filter=Q(priority=TicketPriority.GREEN)))
    )


def board(code: str) -> dict[str, Any] | None:
    """叫号屏 The now-calling list, each window's current number and status, the waiting count of
    each category."""
    layout = _layout(code)
    if layout is None:
        return None
    hall_id = layout["hall"]["pk"]
    statuses = dict(Window.objects.filter(hall_id=hall_id).values_list("pk", "status"))
    waiting: dict[int, int] = defaultdict(int)
    green: dict[int, int] = defaultdict(int)
    at_window: dict[int, tuple[str, str, datetime]] = {}
    for category_id, status, number, window_id, called_at, count, green_count in _board_rows(hall_id):
        if status == QueueStatus.WAITING:
            waiting[category_id] += count
            green[category_id] += green_count
        elif window_id is not None and called_at is not None:
            previous = at_window.get(window_id)
            if previous is None or previous[2] < called_at:
                at_window[window_id] = (number, status, called_at)
    windows = []
    for w in layout["windows"]:
        current = at_window.get(w["pk"])
        windows.append(
            {
                "number": w["number"],
                "name": w["name"],
                "status": statuses.get(w["pk"], ""),
                "ticket": current[0] if current else "",
                "serving": bool(current and current[1] == QueueStatus.SERVING),
                "called_at": current[2] if current else None,
            }
        )
    template = layout["hall"]["announcement_template"]
    calling = sorted((w for w in windows if w["ticket"]), key=lambda w: w["called_at"], reverse=True)
    return {
        "hall": {"code": code, "name": layout["hall"]["name"]},
        "windows": windows,
        "now_calling": [
            {"number": w["ticket"], "window": w["number"], "text": _say(template, w["ticket"], w["number"])}
            for w in calling[:NOW_CALLING]
        ],
        "categories": [
            {
                "prefix": c["prefix"],
                "name": c["name"],
                "waiting": waiting.get(c["pk"], 0),
                "green_waiting": green.get(c["pk"], 0),
            }
            for c in layout["categories"]
        ],
        "at": timezone.now(),
    }


def announcements(hall: Hall, after: int = 0, limit: int = ANNOUNCEMENTS_MAX) -> list[dict[str, Any]]:
    """The call announcements after event ``after`` (oldest first), for the speech system."""
    events = (
        QueueEvent.objects.filter(
            hall=hall, pk__gt=after, kind__in=(QueueEventKind.CALLED, QueueEventKind.RECALLED)
        )
        .order_by("pk")
        .values("pk", "kind", "announcement", "occurred_at", "ticket__number", "window__number")[:limit]
    )
    return [
        {
            "id": e["pk"],
            "kind": e["kind"],
            "number": e["ticket__number"],
            "window": e["window__number"] or "",
            "text": e["announcement"],
            "occurred_at": e["occurred_at"],
        }
        for e in events
    ]


# --- statistics ----------------------------------------------------------------------------------
@dataclass
class StatRow:
    """One group (a category, a window or a day) of the statistics."""

    key: str
    label: str
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    green: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    @property
    def average_wait_minutes(self) -> float | None:
        return round(sum(self.waits) / len(self.waits), 1) if self.waits else None

    @property
    def average_service_minutes(self) -> float | None:
        return round(sum(self.services) / len(self.services), 1) if self.services else None

    @property
    def green_share(self) -> float | None:
        return round(100.0 * self.green / self.total, 1) if self.total else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "total": self.total,
            "by_status": self.by_status,
            "green": self.green,
            "average_wait_minutes": self.average_wait_minutes,
            "average_service_minutes": self.average_service_minutes,
            "green_share": self.green_share,
        }


def _add(row: StatRow, status: str, priority: int, wait: float | None, service: float | None) -> None:
    row.total += 1
    row.by_status[status] = row.by_status.get(status, 0) + 1
    if priority == TicketPriority.GREEN:
        row.green += 1
    if wait is not None:
        row.waits.append(wait)
    if service is not None:
        row.services.append(service)


def statistics(halls: list[Hall] | Hall, start: date, end: date) -> dict[str, Any]:
    """等候与办理时长 Per category, window and day over ``[start, end]``: counts by status, the
    average wait (issue → first call) and service time (start → finish), the green-channel share.
    A transferred ticket counts once per leg; the wait of a continuation is not counted again."""
    hall_list = halls if isinstance(halls, list) else [halls]
    rows = QueueTicket.objects.filter(hall__in=hall_list, day__gte=start, day__lte=end).values_list(
        "category__prefix",
        "category__name",
        "window__number",
        "window__name",
        "day",
        "status",
        "priority",
        "issued_at",
        "called_at",
        "service_started_at",
        "finished_at",
        "transferred_from_id",
    )
    total = StatRow("all", "全部")
    groups: dict[str, dict[str, StatRow]] = {"category": {}, "window": {}, "day": {}}
    for prefix, cname, wnumber, wname, day, status, priority, issued, called, started, finished, prev in rows:
        wait = (called - issued).total_seconds() / 60 if called and issued and prev is None else None
        service = (
            (finished - started).total_seconds() / 60
            if status == QueueStatus.DONE and finished and started
            else None
        )
        keys = {"category": (prefix, f"{prefix} {cname}"), "day": (day.isoformat(), day.isoformat())}
        if wnumber:
            keys["window"] = (wnumber, f"{wnumber} {wname}".strip())
        _add(total, status, priority, wait, service)
        for group, (key, label) in keys.items():
            row = groups[group].setdefault(key, StatRow(key, label))
            _add(row, status, priority, wait, service)
    return {
        "start": start,
        "end": end,
        "total": total.as_dict(),
        "categories": [groups["category"][k].as_dict() for k in sorted(groups["category"])],
        "windows": [groups["window"][k].as_dict() for k in sorted(groups["window"])],
        "days": [groups["day"][k].as_dict() for k in sorted(groups["day"])],
    }


def region_figures(start: date, end: date) -> dict[str, dict[str, Any]]:
    """The overall statistics of every hall by its region code (for the metrics sources)."""
    figures: dict[str, dict[str, Any]] = {}
    by_region: dict[str, list[Hall]] = defaultdict(list)
    for hall in Hall.objects.filter(is_active=True):
        by_region[hall.region_code].append(hall)
    for region, halls in by_region.items():
        figures[region] = statistics(halls, start, end)["total"]
    return figures


def screen_figures() -> list[dict[str, Any]]:
    """大厅排队 for the big screen (``metrics.screen_panels``): today, every active hall together."""
    today = timezone.localdate()
    halls = list(Hall.objects.filter(is_active=True))
    total = statistics(halls, today, today)["total"] if halls else {}
    by_status = total.get("by_status", {})
    wait = total.get("average_wait_minutes")
    return [
        {"label": gettext_noop("大厅等候中"), "value": by_status.get(QueueStatus.WAITING, 0)},
        {"label": gettext_noop("今日已办结（大厅）"), "value": by_status.get(QueueStatus.DONE, 0)},
        {"label": gettext_noop("今日平均等候（分钟）"), "value": "—" if wait is None else wait},
        {"label": gettext_noop("今日取号"), "value": total.get("total", 0)},
    ]
