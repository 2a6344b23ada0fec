"""Keyset pagination (yiwang.core.keyset): pages cover the ordered set without gaps or repeats,
cursors round-trip, and a forged cursor is the first page (or InvalidCursor), never a 500."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.core.keyset import (
    MAX_CURSOR_LENGTH,
    InvalidCursor,
    bounded_size,
    decode_cursor,
    encode_cursor,
    keyset_page,
    query_with,
)
from yiwang.core.models import Region

UTC = dt.UTC

key_values = st.one_of(
    st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1),
    st.text(max_size=40),
    st.datetimes(
        min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    st.dates(),
    st.uuids(),
    st.booleans(),
)


def plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@given(direction=st.sampled_from(["next", "prev"]), values=st.lists(key_values, min_size=1, max_size=4))
def test_cursor_round_trip(direction, values):
    text = encode_cursor(direction, values)
    assert text.isascii() and "=" not in text
    cursor = decode_cursor(text, size=len(values))
    assert cursor.direction == direction
    assert list(cursor.values) == [plain(v) for v in values]


def test_cursor_holds_decimals_as_text():
    assert decode_cursor(encode_cursor("next", [Decimal("1.50"), 3])).values == ("1.50", 3)


def b64(payload) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED = [
    "",
    "!!!",
    "a" * (MAX_CURSOR_LENGTH + 1),
    "数据",
    b64(b"\xff\xfe"),
    b64(b"not json"),
    b64([1, 2]),
    b64({"d": "n"}),
    b64({"d": "x", "k": [1]}),
    b64({"d": "n", "k": []}),
    b64({"d": "n", "k": 5}),
    b64({"d": "n", "k": [[1]]}),
    b64({"d": "n", "k": [{"a": 1}]}),
    b64({"d": "n", "k": ["x" * 300]}),
    b64({"d": "n", "k": [1], "z": 0}),
]


@pytest.mark.parametrize("text", FORGED)
def test_decode_refuses_forged_cursors(text):
    with pytest.raises(InvalidCursor):
        decode_cursor(text)


def test_decode_checks_the_number_of_values():
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor("next", [1, 2]), size=3)


@given(text=st.text(max_size=200))
def test_decode_never_fails_otherwise(text):
    with contextlib.suppress(InvalidCursor):
        decode_cursor(text)


def test_query_with_keeps_other_parameters():
    params = QueryDict("status=a&status=b&cursor=old&q=数")
    assert query_with(params, cursor="new") == "?status=a&status=b&q=%E6%95%B0&cursor=new"
    assert query_with(params, cursor=None) == "?status=a&status=b&q=%E6%95%B0"
    assert query_with(None) == ""
    assert query_with({"a": 1}, b="2") == "?a=1&b=2"


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 50), ("x", 50), (0, 1), (-5, 1), (10**30, 200), ("7", 7)]
)
def test_bounded_size(raw, expected):
    assert bounded_size(raw) == expected


# --- against the database ---------------------------------------------------------------------------
def make_regions(levels: list[int], names: list[str] | None = None) -> list[Region]:
    rows = []
    for index, level in enumerate(levels):
        code = f"{index + 1:06d}"
        name = names[index] if names else f"区{index % 3}"
        rows.append(Region(code=code, full_code=code.ljust(12, "0"), name=name, level=level))
    return Region.objects.bulk_create(rows)


def walk_forward(qs, ordering, size):
    seen, cursor, pages = [], None, 0
    while True:
        page = keyset_page(qs, ordering, cursor, size=size, invalid="raise")
        seen.extend(row.pk for row in page.rows)
        pages += 1
        assert pages <= len(seen) + 2, "paging does not advance"
        if not page.has_next:
            return seen, page
        cursor = page.next_cursor


def walk_backward(qs, ordering, size, cursor):
    seen, pages = [], 0
    while cursor is not None:
        page = keyset_page(qs, ordering, cursor, size=size, invalid="raise")
        seen[:0] = [row.pk for row in page.rows]
        pages += 1
        assert pages <= len(seen) + 2
        cursor = page.previous_cursor
    return seen


ORDERINGS = [
    ("level", "id"),
    ("-level", "-id"),
    ("-level", "name", "id"),
    ("name", "-level", "-id"),
    ("-created_at", "-id"),
]


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    levels=st.lists(st.integers(min_value=1, max_value=4), min_size=0, max_size=30),
    ordering=st.sampled_from(ORDERINGS),
    size=st.integers(min_value=1, max_value=7),
)
def test_pages_cover_the_ordered_set_without_gaps_or_repeats(levels, ordering, size):
    Region.objects.all().delete()
    make_regions(levels)
    qs = Region.objects.all()
    expected = list(qs.order_by(*ordering).values_list("pk", flat=True))

    forward, last = walk_forward(qs, ordering, size)
    assert forward == expected

    # From the last page back to the first: the same rows, the same order.
    if last.previous_cursor is not None:
        backward = walk_backward(qs, ordering, size, last.previous_cursor)
        assert backward + [row.pk for row in last.rows] == expected


@pytest.mark.django_db
def test_first_page_and_links():
    make_regions([1, 2, 2, 3, 3, 3, 4])
    qs = Region.objects.all()
    page = keyset_page(qs, ("level", "id"), None, size=3)
    assert [r.level for r in page.rows] == [1, 2, 2]
    assert page.has_next and not page.has_previous and len(page) == 3
    params = QueryDict("level=x")
    assert page.next_query(params) == f"?level=x&cursor={page.next_cursor}"
    assert page.previous_query(params) == ""
    second = keyset_page(qs, ("level", "id"), page.next_cursor, size=3)
    assert [r.level for r in second] == [3, 3, 3]
    assert second.has_previous
    back = keyset_page(qs, ("level", "id"), second.previous_cursor, size=3)
    assert [r.pk for r in back] == [r.pk for r in page.rows] and not back.has_previous


@pytest.mark.django_db
def test_one_query_per_page(django_assert_num_queries):
    make_regions([1, 2, 3, 4] * 5)
    qs = Region.objects.all()
    first = keyset_page(qs, ("level", "id"), None, size=4)
    with django_assert_num_queries(1):
        keyset_page(qs, ("level", "id"), first.next_cursor, size=4)


@pytest.mark.django_db
def test_values_rows_and_relations():
    parent = make_regions([1])[0]
    Region.objects.create(code="2", full_code="2".ljust(12, "0"), name="子", level=2, parent=parent)
    qs = Region.objects.filter(parent__isnull=False).values("pk", "parent__level", "parent")
    page = keyset_page(qs, ("parent__level", "parent", "pk"), None, size=1)
    assert len(page.rows) == 1 and not page.has_next


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cursor",
    [
        *FORGED[1:],
        encode_cursor("next", ["not a number", 1]),
        encode_cursor("next", [1]),
        encode_cursor("next", [1, 2, 3]),
        encode_cursor("next", [None, 1]),
        encode_cursor("next", [True, 1]),
        encode_cursor("next", [1, 10**40]),
        encode_cursor("next", [1.5, 1]),
    ],
)
def test_a_forged_cursor_is_the_first_page_or_invalid(cursor):
    make_regions([1, 2, 3])
    qs = Region.objects.all()
    page = keyset_page(qs, ("level", "id"), cursor, size=2)
    assert page.cursor_invalid and [r.level for r in page.rows] == [1, 2]
    with pytest.raises(InvalidCursor):
        keyset_page(qs, ("level", "id"), cursor, size=2, invalid="raise")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [["yesterday", 1], ["2026-13-45T00:00:00+00:00", 1], ["2026-01-01T00:00:00", 1], [12, 1]],
)
def test_forged_datetimes_are_invalid(values):
    make_regions([1])
    with pytest.raises(InvalidCursor):
        keyset_page(
            Region.objects.all(), ("-created_at", "-id"), encode_cursor("next", values), invalid="raise"
        )
