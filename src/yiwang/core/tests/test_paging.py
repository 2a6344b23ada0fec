"""Bounded paging (yiwang.core.paging): the API schema refuses, the page helper clamps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from yiwang.core.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    SHORT_LIMIT,
    PageIn,
    ShortPageIn,
    bounded_limit,
    max_page,
    page_number,
    paginate,
)

# Anything a query string can carry: numbers of every size and sign, floats, words, blanks.
raw_values = st.one_of(
    st.integers().map(str),
    st.integers(min_value=10**18, max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=30),
    st.sampled_from(["", " ", "+1", "-0", "1e400", "0x10", "١٢", "NaN", "9223372036854775808"]),
)


def test_defaults():
    assert PageIn().offset == 0 and PageIn().limit == DEFAULT_LIMIT
    assert ShortPageIn().limit == SHORT_LIMIT
    assert PageIn(offset=10, limit=5).window(list(range(100))) == list(range(10, 15))


@given(offset=st.integers(), limit=st.integers())
def test_schema_accepts_exactly_the_bounds(offset: int, limit: int):
    valid = 0 <= offset <= MAX_OFFSET and 1 <= limit <= MAX_LIMIT
    for schema in (PageIn, ShortPageIn):
        try:
            page = schema(offset=offset, limit=limit)
        except ValidationError as exc:
            assert not valid
            assert {error["loc"][0] for error in exc.errors()} <= {"offset", "limit"}
        else:
            assert valid
            assert page.end == offset + limit


@given(raw=raw_values, per_page=st.integers(min_value=1, max_value=500))
def test_page_number_is_always_a_valid_page(raw: str, per_page: int):
    number = page_number(raw, per_page=per_page)
    assert 1 <= number <= max_page(per_page)
    assert (number - 1) * per_page <= MAX_OFFSET


@given(number=st.integers(min_value=1, max_value=10_000), per_page=st.integers(min_value=1, max_value=50))
def test_page_number_keeps_a_page_in_range(number: int, per_page: int):
    assert page_number(str(number), per_page=per_page) == min(number, max_page(per_page))


@given(raw=raw_values, rows=st.integers(min_value=0, max_value=120), per_page=st.integers(1, 30))
@settings(max_examples=200)
def test_paginate_never_fails_and_clamps(raw: str, rows: int, per_page: int):
    page = paginate({"page": raw}, list(range(rows)), per_page)
    assert 1 <= page.number <= page.paginator.num_pages
    assert len(page.object_list) <= per_page


def test_paginate_too_far_is_the_last_page_and_bad_is_the_first():
    rows = list(range(45))
    assert paginate({"page": "99999999999999999999"}, rows, 20).number == 3
    assert paginate({"page": "-5"}, rows, 20).number == 1
    assert paginate({"page": "abc"}, rows, 20).number == 1
    assert paginate({}, rows, 20).number == 1


@given(value=st.one_of(st.integers(), st.text(max_size=25), st.none()))
def test_bounded_limit(value: object):
    assert 1 <= bounded_limit(value) <= MAX_LIMIT  # type: ignore[arg-type]


# --- the API: every list endpoint takes the one schema -------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [
        ("offset=9223372036854775808", "offset"),
        ("offset=-1", "offset"),
        (f"offset={MAX_OFFSET + 1}", "offset"),
        ("offset=abc", "offset"),
        ("limit=0", "limit"),
        (f"limit={MAX_LIMIT + 1}", "limit"),
        ("limit=99999999999999999999", "limit"),
    ],
)
def test_public_item_list_refuses_out_of_range_paging(client, query: str, field: str):
    response = client.get(f"/api/v1/catalog/items?{query}")
    assert response.status_code == 422, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "validation_error"
    assert field in body["fields"]


@pytest.mark.django_db
def test_public_item_list_accepts_the_bounds(client):
    for query in (f"offset={MAX_OFFSET}&limit={MAX_LIMIT}", "offset=0&limit=1", ""):
        response = client.get(f"/api/v1/catalog/items?{query}")
        assert response.status_code == 200, response.content


def test_openapi_documents_the_bounds():
    from yiwang.api import api

    schema = api.get_openapi_schema()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert params["offset"]["schema"]["maximum"] == MAX_OFFSET
    assert params["limit"]["schema"]["maximum"] == MAX_LIMIT
    assert params["limit"]["schema"]["default"] == SHORT_LIMIT
