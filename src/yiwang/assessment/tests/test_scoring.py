"""The pure scoring functions: periods, linear, threshold, ranking and a whole score (property tests)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.assessment import scoring

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(value=finite, floor=finite, target=finite, cap=st.integers(min_value=1, max_value=200))
def test_linear_stays_between_zero_and_cap(value, floor, target, cap):
    fraction = scoring.linear(value, floor, target, cap)
    assert 0.0 <= fraction <= cap / 100


@given(floor=finite, span=st.floats(min_value=0.01, max_value=1e5), a=finite, b=finite)
def test_linear_is_monotonic_in_the_direction_of_the_target(floor, span, a, b):
    low, high = sorted((a, b))
    assert scoring.linear(low, floor, floor + span) <= scoring.linear(high, floor, floor + span)
    assert scoring.linear(low, floor + span, floor) >= scoring.linear(high, floor + span, floor)


def test_linear_known_points():
    assert scoring.linear(50, 50, 100) == 0.0
    assert scoring.linear(100, 50, 100) == 1.0
    assert scoring.linear(75, 50, 100) == 0.5
    assert scoring.linear(150, 50, 100, cap=120) == 1.2  # beyond the target up to the cap
    assert scoring.linear(5, 20, 0) == 0.75  # lower is better: floor above the target


@given(value=finite, bar=finite, higher=st.booleans())
def test_threshold_is_all_or_nothing(value, bar, higher):
    result = scoring.threshold(value, bar, higher)
    assert result in (0.0, 1.0)
    assert (result == 1.0) == (value >= bar if higher else value <= bar)


@given(
    values=st.dictionaries(st.text(min_size=1, max_size=4), finite, min_size=1, max_size=12),
    higher=st.booleans(),
)
def test_ranking_best_scores_one_and_order_is_kept(values, higher):
    fractions = scoring.ranking(values, higher)
    assert set(fractions) == set(values)
    assert all(0.0 <= f <= 1.0 for f in fractions.values())
    best = max(values.values()) if higher else min(values.values())
    assert all(fractions[u] == 1.0 for u, v in values.items() if v == best)
    for u, v in values.items():
        for w, x in values.items():
            if (v > x) if higher else (v < x):
                assert fractions[u] > fractions[w]


def test_ranks_share_the_better_place():
    assert scoring.ranks({"a": 3, "b": 5, "c": 5, "d": 1}, True) == {"b": 1, "c": 1, "a": 3, "d": 4}


@given(
    weights=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=5),
    values=st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=100)), min_size=5, max_size=5),
    missing=st.sampled_from(["zero", "exclude"]),
)
def test_totals_stay_within_100_and_ranks_follow_totals(weights, values, missing):
    total_weight = sum(weights)
    specs = [
        scoring.IndicatorSpec(
            f"s{i}", f"s{i}", Decimal(w) * 100 / total_weight, "linear", True, 0, 100, missing=missing
        )
        for i, w in enumerate(weights)
    ]
    inputs = {spec.source: {f"u{j}": values[(i + j) % 5] for j in range(4)} for i, spec in enumerate(specs)}
    scores = scoring.score(specs, inputs, [f"u{j}" for j in range(4)])
    assert len(scores) == 4
    for score in scores:
        assert Decimal(0) <= score.total <= Decimal("100.05")
    totals = [s.total for s in scores]
    assert totals == sorted(totals, reverse=True)
    assert scores[0].rank == 1


@pytest.mark.parametrize(
    ("kind", "text", "start", "end"),
    [
        ("month", "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("month", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("quarter", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("quarter", "2026-q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("year", "2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_periods(kind, text, start, end):
    period = scoring.parse_period(kind, text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    ("kind", "text"), [("month", "2026-13"), ("quarter", "2026-Q5"), ("year", "26"), ("week", "2026")]
)
def test_bad_periods(kind, text):
    with pytest.raises(ValueError):
        scoring.parse_period(kind, text)


@given(
    day=st.dates(min_value=date(2001, 1, 1), max_value=date(2098, 12, 31)),
    kind=st.sampled_from(["month", "quarter", "year"]),
)
def test_period_label_round_trips(day, kind):
    period = scoring.parse_period(kind, scoring.period_label(kind, day))
    assert period.start <= day <= period.end
    previous = scoring.parse_period(kind, scoring.previous_period_label(kind, day))
    assert previous.end < period.start
