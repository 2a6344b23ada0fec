"""The hot paths' wire forms are django-ninja's own: same JSON for any value, not only today's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID

from hypothesis import given
from hypothesis import strategies as st
from ninja.responses import NinjaJSONEncoder

from yiwang.core.wire import json_response, wire_date, wire_datetime, wire_uuid

zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))])


def ninja(value: object) -> str:
    return json.dumps(value, cls=NinjaJSONEncoder)


@given(st.datetimes(timezones=zones))
def test_datetimes_match_the_encoder(value: datetime) -> None:
    assert json.dumps(wire_datetime(value)) == ninja(value)


@given(st.datetimes())
def test_naive_datetimes_match_the_encoder(value: datetime) -> None:
    assert json.dumps(wire_datetime(value)) == ninja(value)


@given(st.dates())
def test_dates_match_the_encoder(value: date) -> None:
    assert json.dumps(wire_date(value)) == ninja(value)


@given(st.uuids())
def test_uuids_match_the_encoder(value: UUID) -> None:
    assert json.dumps(wire_uuid(value)) == ninja(value)


def test_none_stays_null() -> None:
    assert wire_datetime(None) is None and wire_date(None) is None and wire_uuid(None) is None


@given(st.text(), st.integers(), st.datetimes(timezones=zones))
def test_a_response_body_equals_ninjas(text: str, number: int, moment: datetime) -> None:
    data = {"name": text, "n": number, "at": moment, "items": [{"at": moment}]}
    wired = {"name": text, "n": number, "at": wire_datetime(moment), "items": [{"at": wire_datetime(moment)}]}
    response = json_response(wired, status=201)
    assert response.status_code == 201 and response["Content-Type"] == "application/json"
    assert response.content == ninja(data).encode()
