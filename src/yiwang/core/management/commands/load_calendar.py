"""``load_calendar``: load the State Council holiday schedules from the chinese_calendar package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.calendar import package_source, package_years, seed_calendar
from yiwang.core.models import CalendarDay, CalendarDayKind, CalendarYear

DEFAULT_FIRST_YEAR = 2020


class Command(BaseCommand):
    help = (
        "载入节假日安排（法定节假日与调休上班日）。默认载入 chinese-calendar 收录的 2020 年以后各年。"
        "Load statutory holidays and make-up workdays from chinese_calendar."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, action="append", dest="years", metavar="YEAR", help="可重复")
        parser.add_argument(
            "--replace-manual", action="store_true", help="覆盖管理员在后台手工录入的年度（默认保留）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        covered = package_years()
        requested: list[int] = options["years"] or [year for year in covered if year >= DEFAULT_FIRST_YEAR]
        seed_calendar(requested, replace_manual=options["replace_manual"])
        for year in sorted(set(requested)):
            calendar_year = CalendarYear.objects.filter(year=year).first()
            if calendar_year is None:
                continue
            days = CalendarDay.objects.filter(date__year=year)
            holidays = days.filter(kind=CalendarDayKind.HOLIDAY).count()
            workdays = days.filter(kind=CalendarDayKind.MAKEUP_WORKDAY).count()
            self.stdout.write(
                f"{year} 年：法定节假日 {holidays} 天，调休上班 {workdays} 天（来源：{calendar_year.source}）"
            )
        missing = sorted(set(requested) - set(covered))
        if missing:
            years = "、".join(str(year) for year in missing)
            raise CommandError(
                f"{package_source()} 未收录 {years} 年的节假日安排：请升级 chinese-calendar，"
                "或在管理后台“节假日/调休日”中手工录入后再新增“节假日年度”。"
            )
