"""Pure scoring of an assessment (no database): period parsing, the three scoring methods, the total
of a unit with the breakdown per indicator, and the ranking.

Every method answers a *fraction* of the indicator's weight: 0 … 1, or up to ``cap / 100`` where a
scheme lets an indicator earn more than its weight (linear beyond the target).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from yiwang.metrics.sources import Period

CENT = Decimal("0.01")


# --- periods ----------------------------------------------------------------------------------------
PERIOD_PATTERNS = {
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "year": re.compile(r"^(\d{4})$"),
}


def parse_period(kind: str, text: str) -> Period:
    """``2026-03`` (month), ``2026-Q1`` (quarter) or ``2026`` (year) → the closed range of dates.
    ValueError for anything else."""
    pattern = PERIOD_PATTERNS.get(kind)
    match = pattern.match(text.strip().upper()) if pattern else None
    if match is None:
        raise ValueError(f"not a {kind}: {text!r}")
    year = int(match.group(1))
    if year < 2000 or year > 2099:
        raise ValueError("year out of range")
    if kind == "year":
        return Period(date(year, 1, 1), date(year, 12, 31))
    if kind == "quarter":
        first = (int(match.group(2)) - 1) * 3 + 1
        return Period(date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1]))
    month = int(match.group(2))
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def period_label(kind: str, day: date) -> str:
    """The label of the period of ``kind`` that contains ``day``."""
    if kind == "year":
        return f"{day.year}"
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def previous_period_label(kind: str, today: date) -> str:
    """The last complete period before ``today`` (what one usually assesses)."""
    if kind == "year":
        return f"{today.year - 1}"
    if kind == "quarter":
        start = parse_period("quarter", period_label("quarter", today)).start
    else:
        start = date(today.year, today.month, 1)
    last_day = date.fromordinal(start.toordinal() - 1)
    return period_label(kind, last_day)


# --- scoring methods -------------------------------------------------------------------------------
def _clamp(fraction: float, cap: int) -> float:
    return max(0.0, min(fraction, cap / 100))


def linear(value: float, floor: float, target: float, cap: int = 100) -> float:
    """0 at ``floor``, 1 at ``target``, linear between (and beyond the target up to ``cap`` %).  The
    direction is in the order of the two: a lower-is-better indicator has ``floor > target``."""
    if floor == target:
        return _clamp(1.0 if value == target else 0.0, cap)
    return _clamp((value - floor) / (target - floor), cap)


def threshold(value: float, bar: float, higher_is_better: bool) -> float:
    """1 when ``value`` reaches ``bar`` (at least, or at most for lower-is-better), else 0."""
    return 1.0 if (value >= bar if higher_is_better else value <= bar) else 0.0


def ranks(values: dict[str, float], higher_is_better: bool) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4): equal values share the better rank."""
    ordered = sorted(values.values(), reverse=higher_is_better)
    first_place: dict[float, int] = {}
    for place, value in enumerate(ordered, start=1):
        first_place.setdefault(value, place)
    return {unit: first_place[value] for unit, value in values.items()}


def ranking(values: dict[str, float], higher_is_better: bool) -> dict[str, float]:
    """The best unit scores 1, the last 0, the others by rank between; a single unit scores 1."""
    n = len(values)
    if n == 0:
        return {}
    if n == 1:
        return dict.fromkeys(values, 1.0)
    return {unit: (n - rank) / (n - 1) for unit, rank in ranks(values, higher_is_better).items()}


# --- a whole run ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IndicatorSpec:
    source: str
    label: str
    weight: Decimal
    method: str  # linear | ranking | threshold
    higher_is_better: bool
    floor: float | None = None
    target: float | None = None
    threshold: float | None = None
    cap: int = 100
    missing: str = "zero"  # zero | exclude

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "label": self.label,
            "weight": str(self.weight),
            "method": self.method,
            "higher_is_better": self.higher_is_better,
            "floor": self.floor,
            "target": self.target,
            "threshold": self.threshold,
            "cap": self.cap,
            "missing": self.missing,
        }


@dataclass(frozen=True)
class UnitScore:
    unit: str
    total: Decimal
    rank: int
    breakdown: list[dict[str, object]]


def _points(weight: Decimal, fraction: float) -> Decimal:
    return (weight * Decimal(str(round(fraction, 6)))).quantize(CENT, rounding=ROUND_HALF_UP)


def fractions(spec: IndicatorSpec, values: dict[str, float | None]) -> dict[str, float]:
    """The fraction of the weight each unit with a value earns on one indicator."""
    present = {unit: float(v) for unit, v in values.items() if v is not None}
    if spec.method == "ranking":
        return {unit: _clamp(f, spec.cap) for unit, f in ranking(present, spec.higher_is_better).items()}
    if spec.method == "threshold":
        bar = spec.threshold if spec.threshold is not None else 0.0
        return {unit: threshold(v, bar, spec.higher_is_better) for unit, v in present.items()}
    floor = spec.floor if spec.floor is not None else 0.0
    target = spec.target if spec.target is not None else 100.0
    return {unit: linear(v, floor, target, spec.cap) for unit, v in present.items()}


def score(
    specs: list[IndicatorSpec], inputs: dict[str, dict[str, float | None]], units: list[str]
) -> list[UnitScore]:
    """Score every unit: points per indicator, the total (out of 100; indicators excluded for a
    missing value rescale the others), ranked best first (ties share the rank, then by unit key)."""
    per_indicator = {spec.source: fractions(spec, inputs.get(spec.source, {})) for spec in specs}
    totals: dict[str, Decimal] = {}
    breakdowns: dict[str, list[dict[str, object]]] = {}
    for unit in units:
        earned = Decimal(0)
        counted = Decimal(0)
        rows: list[dict[str, object]] = []
        for spec in specs:
            value = inputs.get(spec.source, {}).get(unit)
            fraction = per_indicator[spec.source].get(unit)
            missing = value is None
            excluded = missing and spec.missing == "exclude"
            points = Decimal(0) if fraction is None else _points(spec.weight, fraction)
            if not excluded:
                counted += spec.weight
                earned += points
            rows.append(
                {
                    "source": spec.source,
                    "value": None if value is None else float(value),
                    "fraction": None if fraction is None else round(fraction, 6),
                    "points": str(points),
                    "missing": missing,
                    "excluded": excluded,
                }
            )
        total = Decimal(0) if counted == 0 else earned
        if counted and counted != sum((s.weight for s in specs), Decimal(0)):
            total = (earned * 100 / counted).quantize(CENT, rounding=ROUND_HALF_UP)
        totals[unit] = total.quantize(CENT)
        breakdowns[unit] = rows
    order = sorted(units, key=lambda u: (-totals[u], u))
    result: list[UnitScore] = []
    for place, unit in enumerate(order, start=1):
        rank = result[-1].rank if result and result[-1].total == totals[unit] else place
        result.append(UnitScore(unit, totals[unit], rank, breakdowns[unit]))
    return result


def weights_total(weights: list[Decimal]) -> Decimal:
    return sum(weights, Decimal(0))
