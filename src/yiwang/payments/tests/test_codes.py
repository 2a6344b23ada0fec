"""缴款码: the 20-digit format (region, year, serial, MOD 97-10 check), its parser, and the codes
the service hands out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.payments.codes import is_valid, make_code, parse_code
from yiwang.testing.payments import make_order

regions = st.text("0123456789", min_size=6, max_size=6)
years = st.integers(min_value=2000, max_value=2099)
serials = st.integers(min_value=1, max_value=10**10 - 1)


@given(regions, years, serials)
def test_round_trip(region, year, serial):
    code = make_code(region, year, serial)
    assert len(code) == 20 and code.isdigit() and is_valid(code)
    parsed = parse_code(code)
    assert (parsed.region_code, parsed.year, parsed.serial) == (region, year % 100, serial)
    assert str(parsed) == code


@given(regions, years, serials, st.integers(0, 19), st.integers(1, 9))
def test_one_wrong_digit_is_caught(region, year, serial, position, delta):
    code = make_code(region, year, serial)
    digit = (int(code[position]) + delta) % 10
    assert not is_valid(code[:position] + str(digit) + code[position + 1 :])


@given(regions, years, serials, st.integers(0, 18))
def test_swapped_neighbours_are_caught(region, year, serial, position):
    code = make_code(region, year, serial)
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert swapped == code or not is_valid(swapped)


@pytest.mark.parametrize(
    "bad", ["", "1234", "3401002600000000011X", "３４０１００２６００００００００００１"]
)
def test_parser_refuses(bad):
    with pytest.raises(ValueError):
        parse_code(bad)


def test_service_codes_are_sequential_per_region_and_year(world):
    first, second = make_order(world), make_order(world)
    a, b = parse_code(first.code), parse_code(second.code)
    assert a.region_code == "340100" and a.year == 26
    assert b.serial == a.serial + 1
