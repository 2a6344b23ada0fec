"""Working-day calendar (工作日历): statutory holidays and make-up workdays (调休).

Time limits under the 行政许可法 (Art. 82) count working days.  A day is a working day when it is a
make-up workday, or a Monday–Friday that is not a statutory holiday.  The State Council publishes each
year's schedule near the end of the year before, so a year that has not been loaded (no
:class:`~yiwang.core.models.CalendarYear` row) gets a **provisional** schedule, never a silent
guess and never a refusal to count: :mod:`yiwang.core.statutory_holidays` (the statutory festivals
and weekends, no 调休).  A schedule knows whether it is provisional; deadlines computed through one are stored as provisional (预计)
and recomputed when the official schedule arrives (:mod:`yiwang.core.calendar_import`).  Only a
year outside the lunar tables (before 1901, after 2099) still raises :class:`CalendarYearMissing`.

Schedules are read one year per query and cached in-process:

* outside a transaction, in a process-wide cache that ``post_save``/``post_delete`` signals on
  :class:`CalendarDay`/:class:`CalendarYear` clear, and that expires after
  ``settings.YIWANG_CALENDAR_CACHE_SECONDS`` (default 300) so that other web nodes see an
  administrator's edit soon after;
* inside a transaction, in a cache tied to that transaction, because what it reads may be rolled
  back (and tests run in rolled-back transactions).  A schedule read in a transaction that commits is
  promoted to the process-wide cache.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.utils import timezone

from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.models import CalendarDay, CalendarDayKind, CalendarYear
from yiwang.core.statutory_holidays import (
    FIRST_SUPPORTED_YEAR,
    LAST_SUPPORTED_YEAR,
    statutory_holidays,
)

logger = logging.getLogger(__name__)

__all__ = [
    "CalendarYearMissing",
    "YearSchedule",
    "add_working_days",
    "calendar_fingerprint",
    "clear_calendar_cache",
    "horizon_warning",
    "is_provisional_year",
    "is_working_day",
    "loaded_years",
    "next_working_day",
    "package_years",
    "provisional_schedule",
    "provisional_years_between",
    "replace_year_days",
    "seed_calendar",
    "working_days_between",
]

PACKAGE_SOURCE_PREFIX = "chinese-calendar"
DEFAULT_CACHE_SECONDS = 300

# chinese_calendar names holidays in English; the platform shows the official Chinese names.
HOLIDAY_NAMES_ZH: Mapping[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


class CalendarYearMissing(DomainError):
    """节假日安排未载入 The holiday schedule of a year is needed but has not been loaded."""

    status = 409

    def __init__(self, year: int) -> None:
        message = (
            f"{year} 年的节假日安排尚未载入：请在管理后台“节假日/调休日”中录入 {year} 年的法定节假日和调休上班日，"
            f"再在“节假日年度”中新增年度 {year}；或运行 `yiwang load_calendar --year {year}`"
            "（需所装 chinese-calendar 已收录该年）。"
        )
        super().__init__(CoreErrorCode.CALENDAR_YEAR_MISSING, message)
        self.year = year


@dataclass(frozen=True)
class YearSchedule:
    """一年的节假日安排 A loaded year: its statutory holidays and make-up workdays."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    names: Mapping[date, str] = field(default_factory=dict)
    provisional: bool = False
    """预计: built from the statutory rule because no official schedule is loaded."""

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the year's exceptions: equal in every process that loaded the same rows."""
        text = "|".join(
            (
                f"{self.year}{'p' if self.provisional else ''}",
                ",".join(sorted(d.isoformat() for d in self.holidays)),
                ",".join(sorted(d.isoformat() for d in self.workdays)),
            )
        )
        return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    @cached_property
    def weekday_holidays(self) -> tuple[date, ...]:
        """Holidays falling Monday–Friday, sorted (they remove a working day)."""
        return tuple(sorted(day for day in self.holidays if day.weekday() < 5))

    @cached_property
    def weekend_workdays(self) -> tuple[date, ...]:
        """调休 make-up workdays falling on a weekend, sorted (they add one)."""
        return tuple(sorted(day for day in self.workdays if day.weekday() >= 5))

    def adjustment(self, first: date, last: date) -> int:
        """Working days ``first..last`` (inclusive, within this year) minus their Mon–Fri count."""
        removed = bisect_right(self.weekday_holidays, last) - bisect_left(self.weekday_holidays, first)
        added = bisect_right(self.weekend_workdays, last) - bisect_left(self.weekend_workdays, first)
        return added - removed


# --- cache -----------------------------------------------------------------------------------------

_lock = threading.Lock()
_generation = 0
_committed: dict[int, tuple[YearSchedule, float]] = {}
# Years found not loaded (monotonic time), for calendar_fingerprint only.
_missing: dict[int, float] = {}


class _Promote:
    """on_commit hook: a schedule read inside a transaction that committed may serve everyone."""

    def __init__(self, schedule: YearSchedule, generation: int) -> None:
        self.schedule = schedule
        self.generation = generation

    def __call__(self) -> None:
        with _lock:
            if _generation == self.generation:
                _committed[self.schedule.year] = (self.schedule, time.monotonic())


class _Dirty:
    """on_commit hook registered when calendar rows change inside a transaction."""

    def __call__(self) -> None:
        # Other threads may have cached the pre-commit rows meanwhile; now the change is visible.
        clear_calendar_cache()


@dataclass
class _TransactionState:
    schedules: dict[int, tuple[YearSchedule, _Promote]] = field(default_factory=dict)
    dirty: list[_Dirty] = field(default_factory=list)


# Keyed by the connection object, which Django keeps per thread (and per async context).
_transaction_state: weakref.WeakKeyDictionary[BaseDatabaseWrapper, _TransactionState] = (
    weakref.WeakKeyDictionary()
)


def _state(connection: BaseDatabaseWrapper) -> _TransactionState:
    state = _transaction_state.get(connection)
    if state is None:
        state = _transaction_state[connection] = _TransactionState()
    return state


def _pending(connection: BaseDatabaseWrapper, hook: object) -> bool:
    """Whether ``hook`` still waits for commit, i.e. the transaction (savepoint) it was made in lives.

    Django drops pending hooks when the transaction or the savepoint they were registered in is rolled
    back, which is exactly when a schedule read there may no longer be true.
    """
    # Entries are (savepoint ids, func, robust); index rather than unpack as their length has changed
    # across Django versions.
    return any(entry[1] is hook for entry in connection.run_on_commit)


def _cache_seconds() -> float:
    return float(getattr(settings, "YIWANG_CALENDAR_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def clear_calendar_cache() -> None:
    """Forget every cached schedule (this process, and this thread's transaction)."""
    global _generation
    with _lock:
        _generation += 1
        _committed.clear()
        _missing.clear()
    state = _transaction_state.get(connections[DEFAULT_DB_ALIAS])
    if state is not None:
        state.schedules.clear()


def _calendar_changed(using: str | None = None) -> None:
    clear_calendar_cache()
    connection = connections[using or DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        state = _state(connection)
        state.schedules.clear()
        hook = _Dirty()
        state.dirty = [d for d in state.dirty if _pending(connection, d)]
        state.dirty.append(hook)
        transaction.on_commit(hook, using=using or DEFAULT_DB_ALIAS)


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
def _on_calendar_row_change(sender: type, **kwargs: Any) -> None:
    _calendar_changed(kwargs.get("using"))


@receiver(post_migrate)
def _on_post_migrate(sender: object, **kwargs: Any) -> None:
    # flush (also used between transactional tests) empties tables without row signals.
    clear_calendar_cache()


def provisional_schedule(year: int) -> YearSchedule:
    """预计日历 The provisional schedule of ``year`` from the statutory rule (no database read)."""
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise CalendarYearMissing(year)
    names = statutory_holidays(year)
    return YearSchedule(year, frozenset(names), frozenset(), names, provisional=True)


def _load(year: int) -> YearSchedule:
    if not CalendarYear.objects.filter(year=year).exists():
        return provisional_schedule(year)
    holidays: set[date] = set()
    workdays: set[date] = set()
    names: dict[date, str] = {}
    rows = CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).values_list(
        "date", "kind", "name"
    )
    for day, kind, name in rows:
        (workdays if kind == CalendarDayKind.MAKEUP_WORKDAY else holidays).add(day)
        if name:
            names[day] = name
    return YearSchedule(year, frozenset(holidays), frozenset(workdays), names)


def _schedule(year: int) -> YearSchedule:
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.in_atomic_block:
        state = _state(connection)
        hit = state.schedules.get(year)
        if hit is not None and _pending(connection, hit[1]):
            return hit[0]
        # The shared cache holds committed rows only; it is not good enough once this transaction
        # has changed calendar rows of its own.
        if not any(_pending(connection, d) for d in state.dirty):
            with _lock:
                shared = _committed.get(year)
            if shared is not None and time.monotonic() - shared[1] < _cache_seconds():
                return shared[0]
        with _lock:
            generation = _generation
        schedule = _load(year)
        hook = _Promote(schedule, generation)
        transaction.on_commit(hook)
        state.schedules[year] = (schedule, hook)
        return schedule

    now = time.monotonic()
    with _lock:
        shared = _committed.get(year)
        generation = _generation
    if shared is not None and now - shared[1] < _cache_seconds():
        return shared[0]
    schedule = _load(year)
    with _lock:
        # A change that landed while we were reading makes what we read possibly stale.
        if _generation == generation:
            _committed[year] = (schedule, now)
    return schedule


# --- queries ---------------------------------------------------------------------------------------


def calendar_fingerprint(years: Iterable[int]) -> str:
    """What working-day counts within ``years`` depend on, as this process sees it (a year not
    loaded counts too): results computed from the calendar can be stored under it."""
    parts = []
    for year in years:
        with _lock:
            missing_since = _missing.get(year)
        if missing_since is not None and time.monotonic() - missing_since < _cache_seconds():
            parts.append(f"{year}:-")
            continue
        try:
            parts.append(_schedule(year).fingerprint)
        except CalendarYearMissing:
            # Remembered like a loaded year (a year not published yet is asked about on every read).
            with _lock:
                _missing[year] = time.monotonic()
            parts.append(f"{year}:-")
    return ".".join(parts)


def is_working_day(day: date) -> bool:
    """是否工作日 Whether ``day`` is a working day (raises :class:`CalendarYearMissing`)."""
    return _schedule(day.year).is_working_day(day)


def is_provisional_year(year: int) -> bool:
    """预计年度 Whether ``year`` is counted from the statutory rule (no official schedule loaded)."""
    return _schedule(year).provisional


def provisional_years_between(first: date, last: date) -> list[int]:
    """The provisional years among those of ``first..last`` (either order), ascending."""
    low, high = sorted((first.year, last.year))
    return [year for year in range(low, high + 1) if is_provisional_year(year)]


HORIZON_WARNING_FROM_MONTH = 10


def horizon_warning(today: date | None = None) -> int | None:
    """日历预警 The next year, when from 1 October it still has no official schedule; else ``None``."""
    today = today or timezone.localdate()
    if today.month < HORIZON_WARNING_FROM_MONTH:
        return None
    following = today.year + 1
    # The cached schedule answers it: no query per page for the staff who see the banner.
    return following if is_provisional_year(following) else None


def holiday_name(day: date) -> str:
    """节日名称 The holiday (or make-up workday) name recorded for ``day``, or ``""``."""
    return _schedule(day.year).names.get(day, "")


def add_working_days(start: date, days: int) -> date:
    """加工作日 The date ``days`` working days after ``start``; counting begins the day after ``start``.

    ``add_working_days(friday, 1)`` is the next Monday unless that is a holiday; ``days=0`` returns
    ``start`` unchanged (even on a holiday).  A negative ``days`` counts backwards: the result is the
    ``|days|``-th working day before ``start``.
    """
    if days == 0:
        return start
    step = timedelta(days=1 if days > 0 else -1)
    remaining = abs(days)
    current = start
    schedule: YearSchedule | None = None
    while remaining:
        current += step
        if schedule is None or schedule.year != current.year:
            schedule = _schedule(current.year)
        if schedule.is_working_day(current):
            remaining -= 1
    return current


def next_working_day(day: date, *, inclusive: bool = False) -> date:
    """下一个工作日 The first working day after ``day`` (or ``day`` itself if ``inclusive`` and working)."""
    if inclusive and is_working_day(day):
        return day
    return add_working_days(day, 1)


def _weekdays_in(first: date, last: date) -> int:
    """Monday–Friday days in ``first..last`` inclusive (``first <= last``)."""
    weeks, rest = divmod((last - first).days + 1, 7)
    start_weekday = first.weekday()
    return weeks * 5 + sum(1 for offset in range(rest) if (start_weekday + offset) % 7 < 5)


def working_days_between(start: date, end: date) -> int:
    """间隔工作日数 Working days after ``start`` up to and including ``end``.

    ``working_days_between(d, add_working_days(d, n)) == n`` for ``n >= 0``.  Zero when the dates are
    equal; when ``end`` is before ``start`` the count of the reversed span, negated.
    """
    if end == start:
        return 0
    if end < start:
        return -working_days_between(end, start)
    first = start + timedelta(days=1)
    count = _weekdays_in(first, end)
    # Every list row asks this (days left on its clock): bisect the year's sorted exceptions.
    for year in range(first.year, end.year + 1):
        count += _schedule(year).adjustment(first, end)
    return count


def loaded_years() -> list[int]:
    """已载入年度 Years whose schedule is loaded, ascending."""
    return list(CalendarYear.objects.order_by("year").values_list("year", flat=True))


# --- seeding from chinese_calendar -----------------------------------------------------------------


def package_source() -> str:
    """数据来源 The ``source`` recorded on years loaded from the package, with its version."""
    try:
        return f"{PACKAGE_SOURCE_PREFIX} {package_version('chinese-calendar')}"
    except PackageNotFoundError:  # installed without metadata (vendored copy)
        return PACKAGE_SOURCE_PREFIX


def package_years() -> list[int]:
    """收录年度 Years the installed ``chinese_calendar`` package has a State Council schedule for."""
    import chinese_calendar

    return sorted({day.year for day in chinese_calendar.holidays})


def _package_days(year: int) -> dict[date, tuple[str, str]]:
    import chinese_calendar

    days: dict[date, tuple[str, str]] = {}
    # Holidays on weekends are kept too: they cost nothing and let pages show the holiday's name.
    for day, name in chinese_calendar.holidays.items():
        if day.year == year:
            days[day] = (CalendarDayKind.HOLIDAY, HOLIDAY_NAMES_ZH.get(str(name), str(name)))
    for day, name in chinese_calendar.workdays.items():
        if day.year == year:
            days[day] = (CalendarDayKind.MAKEUP_WORKDAY, HOLIDAY_NAMES_ZH.get(str(name), str(name)))
    return days


def seed_calendar(years: Iterable[int], *, replace_manual: bool = False) -> int:
    """载入节假日安排 Load the given years from ``chinese_calendar``; returns how many years were loaded.

    Years the package does not cover are skipped (they must be entered by hand).  Years entered by
    hand (source not ``chinese-calendar``) are left alone unless ``replace_manual``.  Idempotent: a
    second run writes nothing.
    """
    covered = set(package_years())
    source = package_source()
    loaded = 0
    with transaction.atomic():
        for year in sorted(set(years)):
            if year not in covered:
                logger.warning("chinese-calendar does not cover %s; enter that year by hand", year)
                continue
            calendar_year = CalendarYear.objects.filter(year=year).first()
            if (
                calendar_year is not None
                and not calendar_year.source.startswith(PACKAGE_SOURCE_PREFIX)
                and not replace_manual
            ):
                logger.info(
                    "calendar year %s was entered by hand (%s); not replaced", year, calendar_year.source
                )
                continue
            _sync_days(year, _package_days(year))
            if calendar_year is None:
                CalendarYear.objects.create(
                    year=year, source=source, note=f"国务院办公厅关于 {year} 年部分节假日安排的通知"
                )
            elif calendar_year.source != source:
                calendar_year.source = source
                calendar_year.save(update_fields=["source", "updated_at"])
            loaded += 1
        # bulk writes send no row signals
        _calendar_changed()
    return loaded


def replace_year_days(year: int, desired: dict[date, tuple[str, str]]) -> None:
    """Make ``year``'s holiday and make-up workday rows exactly ``desired`` (date → (kind, name))."""
    _sync_days(year, desired)
    _calendar_changed()  # bulk writes send no row signals


def _sync_days(year: int, desired: dict[date, tuple[str, str]]) -> None:
    existing = {
        row.date: row
        for row in CalendarDay.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31))
    }
    now = timezone.now()
    to_create = [
        CalendarDay(date=day, kind=kind, name=name)
        for day, (kind, name) in desired.items()
        if day not in existing
    ]
    to_update = []
    for day, row in existing.items():
        wanted = desired.get(day)
        if wanted is not None and (row.kind, row.name) != wanted:
            row.kind, row.name = wanted
            row.updated_at = now
            to_update.append(row)
    stale = [row.pk for day, row in existing.items() if day not in desired]
    if stale:
        CalendarDay.objects.filter(pk__in=stale).delete()
    if to_update:
        CalendarDay.objects.bulk_update(to_update, ["kind", "name", "updated_at"])
    if to_create:
        CalendarDay.objects.bulk_create(to_create)
