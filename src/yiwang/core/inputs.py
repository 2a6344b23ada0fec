"""Hostile input at the edge (no server error on any input): small shared validators for query
strings and forms, and the NUL-byte guard.

- :class:`NulByteGuardMiddleware` refuses a request with a NUL character (``\\x00``, ``%00``,
  JSON ``\\u0000``) in its path, query string, form fields or JSON body: PostgreSQL cannot store
  or even compare text containing NUL and answered 500.  The API gets ``422 validation_error`` in
  the one error shape, naming the fields; pages get a 400 error page.  Nothing is stored.
- :func:`parse_day` reads ``?date=``-like parameters: only real ``YYYY-MM-DD`` days between
  :data:`MIN_DAY` and :data:`MAX_DAY`, so adding a day or making it aware cannot overflow.
- :data:`MAX_DB_INT` bounds integer parameters that are compared with an integer column.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from yiwang.core.errors import CoreErrorCode

NUL = "\x00"
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2999, 12, 31)
MAX_DB_INT = 2_147_483_647  # the largest value of an IntegerField on every supported database
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def parse_day(raw: Any) -> date | None:
    """``YYYY-MM-DD`` between :data:`MIN_DAY` and :data:`MAX_DAY`, else ``None`` (blank or bad)."""
    text = str(raw or "").strip()
    if len(text) != 10 or not text.isascii():
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if MIN_DAY <= day <= MAX_DAY else None


def _json_paths(value: Any, prefix: str = "") -> Iterator[str]:
    if isinstance(value, str):
        if NUL in value:
            yield prefix or "__all__"
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if NUL in str(key):
                yield name
            else:
                yield from _json_paths(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_paths(item, f"{prefix}.{index}" if prefix else str(index))


def nul_fields(request: HttpRequest) -> list[str]:
    """The names of the inputs of ``request`` that contain a NUL character (empty if none)."""
    found: list[str] = []
    if NUL in request.path:
        found.append("path")
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            found.append(key.replace(NUL, "\\x00"))
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return found
    content_type = request.content_type or ""
    try:
        if content_type in FORM_TYPES and request.method == "POST":
            if request.path.startswith("/api/"):
                # Keep the raw body readable after the form is parsed: a JSON endpoint sent a form
                # (by mistake or by a prober) must get its 4xx from the API, not a RawPostDataException.
                request.body  # noqa: B018 - reads and keeps the body
            for key, values in request.POST.lists():
                if NUL in key or any(NUL in value for value in values):
                    found.append(key.replace(NUL, "\\x00"))
        elif content_type == "application/json" or content_type.endswith("+json"):
            body = request.body
            if b"\\u0000" in body or b"\x00" in body:
                found.extend(_json_paths(json.loads(body)))
    except Exception:  # noqa: S110 - a broken body is the parser's and the view's to refuse
        pass
    return found


class NulByteGuardMiddleware:
    """Refuse any request carrying a NUL character before it reaches a view or the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = nul_fields(request)
        if not fields:
            return self.get_response(request)
        message = _("请求中含有空字符（NUL），已拒绝")
        if request.path.startswith("/api/"):
            body = {
                "code": str(CoreErrorCode.VALIDATION_ERROR),
                "message": message,
                "fields": {name: [_("不能包含空字符")] for name in fields},
            }
            return JsonResponse(body, status=422, json_dumps_params={"ensure_ascii": False})
        context = {"error_title": _("请求有误"), "error_message": message, "status": 400}
        return render(request, "error.html", context, status=400)
