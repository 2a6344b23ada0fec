"""JSON for the hot read paths, written without an encoder callback.

django-ninja renders responses with :class:`~ninja.responses.NinjaJSONEncoder`, whose ``default()``
runs in Python for every UUID, date and datetime in the body; on a 50-row list that is a few hundred
calls and was the largest single CPU cost after the queries.  The hot lists and the case detail
convert those values to their wire form while they build the row, so the standard library's C
encoder does the rest.  The forms are the encoder's own (ECMA-262 date-time strings: milliseconds,
``Z`` for UTC), which ``tests/test_wire.py`` holds to for arbitrary values.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.http import HttpResponse


def wire_datetime(value: datetime | None) -> str | None:
    """A datetime as :class:`~django.core.serializers.json.DjangoJSONEncoder` writes it."""
    if value is None:
        return None
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def wire_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def wire_uuid(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def json_response(data: Any, status: int = 200) -> HttpResponse:
    """``data`` (wire values only: str, int, float, bool, None, lists and dicts) as a JSON response.

    Same bytes as django-ninja's response for the same content: ``ensure_ascii`` and separators are
    :func:`json.dumps` defaults, as in :class:`~django.http.JsonResponse`."""
    return HttpResponse(json.dumps(data), status=status, content_type="application/json")
