"""法定节假日推算 Provisional holidays of a year whose State Council schedule is not published yet.

The State Council announces each year's holiday schedule (放假安排, with its 调休 make-up workdays)
near the end of the year before.  Until then, a deadline that runs into that year is computed from
the statutory rule alone, 《全国年节及纪念日放假办法》 (2024 revision, 国务院令第 795 号), Art. 2:

* 元旦 1 day (1 January);
* 春节 4 days (除夕 to 正月初三);
* 清明节 1 day (the 清明 solar term);
* 劳动节 2 days (1–2 May);
* 端午节 1 day (五月初五);
* 中秋节 1 day (八月十五);
* 国庆节 3 days (1–3 October);

and Art. 6: a holiday for all citizens that falls on a Saturday or Sunday is made up on a working
day (补假).  Here a made-up day is the first Monday–Friday after the festival that is not itself a
holiday; the same applies when two festivals fall on one day (中秋 on 1–3 October).  No 调休
make-up workdays are guessed: they are the State Council's choice each year.

Lunar dates and the solar term come from ``lunar-python`` (6tail's lunar calendar), never from
hand-written astronomy.  The result is provisional by construction: deadlines computed from it are
marked as such and recomputed when the official schedule is entered (:mod:`yiwang.core.calendar`).
"""

from __future__ import annotations

from datetime import date, timedelta

from lunar_python import Lunar

__all__ = ["FIRST_SUPPORTED_YEAR", "LAST_SUPPORTED_YEAR", "RULE_SOURCE", "statutory_holidays"]

# lunar-python's tables run from 1900 to 2100; 除夕 of year N lies in lunar year N-1.
FIRST_SUPPORTED_YEAR = 1901
LAST_SUPPORTED_YEAR = 2099
RULE_SOURCE = "《全国年节及纪念日放假办法》（2024 年修订）第二条、第六条"

NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
QINGMING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"
MAKE_UP_SUFFIX = "（补假）"


def _solar(lunar: Lunar) -> date:
    solar = lunar.getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _festivals(year: int) -> list[tuple[str, list[date]]]:
    """The festivals of ``year`` as (name, days), in calendar order."""
    new_year_lunar = _solar(Lunar.fromYmd(year, 1, 1))
    spring = [new_year_lunar + timedelta(days=offset) for offset in range(-1, 3)]  # 除夕 .. 初三
    qingming_solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    qingming = date(qingming_solar.getYear(), qingming_solar.getMonth(), qingming_solar.getDay())
    festivals = [
        (NEW_YEAR, [date(year, 1, 1)]),
        (SPRING_FESTIVAL, spring),
        (QINGMING, [qingming]),
        (LABOUR_DAY, [date(year, 5, 1), date(year, 5, 2)]),
        (DRAGON_BOAT, [_solar(Lunar.fromYmd(year, 5, 5))]),
        (MID_AUTUMN, [_solar(Lunar.fromYmd(year, 8, 15))]),
        (NATIONAL_DAY, [date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)]),
    ]
    return sorted(festivals, key=lambda festival: festival[1][0])


def statutory_holidays(year: int) -> dict[date, str]:
    """法定节假日 The statutory holidays of ``year`` with 补假 for weekends and coinciding festivals.

    Only days inside ``year`` are returned (除夕 of an early Spring Festival may fall in late January,
    never in the year before, as the Spring Festival is never before 21 January).
    """
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise ValueError(f"no lunar data for {year}")
    holidays: dict[date, str] = {}
    owed: list[tuple[str, date]] = []  # (festival, the day after which the make-up day is due)
    for name, days in _festivals(year):
        for day in days:
            if day.weekday() >= 5 or day in holidays:
                owed.append((name, days[-1]))
            else:
                holidays[day] = name
    for name, after in owed:
        candidate = after + timedelta(days=1)
        while candidate.weekday() >= 5 or candidate in holidays:
            candidate += timedelta(days=1)
        holidays[candidate] = name + MAKE_UP_SUFFIX
    for name, days in _festivals(year):  # weekend festival days keep their name for the pages
        for day in days:
            holidays.setdefault(day, name)
    return {day: name for day, name in sorted(holidays.items()) if day.year == year}
