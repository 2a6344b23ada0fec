"""HTML forms validated by the same pydantic schemas as the JSON API.

A page reads ``request.POST`` into the API's input schema with :func:`parse_form`; a pydantic
validation failure becomes the platform's :class:`~yiwang.core.errors.DomainError`
(``validation_error`` with per-field messages), which the page shows next to its controls exactly as it
shows a service's refusal.  So a rule about an input is written once, in the schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from yiwang.core.errors import CoreErrorCode, DomainError

Schema = TypeVar("Schema", bound=BaseModel)


def validation_fields(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic errors as the error shape's ``fields``: dotted location → messages."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        loc = ".".join(str(part) for part in error.get("loc", ())) or "__all__"
        fields.setdefault(loc, []).append(str(error.get("msg", "invalid")))
    return fields


def form_values(
    data: Mapping[str, Any], *, lists: Iterable[str] = (), blank_is_missing: bool = True
) -> dict[str, Any]:
    """The values of a submitted form as plain data for a schema.

    ``lists`` names the fields that may repeat (``getlist``); other fields take their last value.
    With ``blank_is_missing`` an empty text control counts as not given, so the schema's default
    (or its "required" message) applies, as it would for a JSON body without the key.
    """
    list_names = set(lists)
    values: dict[str, Any] = {}
    getlist = getattr(data, "getlist", None)
    for key in data:
        if key == "csrfmiddlewaretoken":
            continue
        if key in list_names and getlist is not None:
            values[key] = [value for value in getlist(key) if not (blank_is_missing and value == "")]
            continue
        value = data[key]
        if blank_is_missing and value == "":
            continue
        values[key] = value
    for key in list_names:
        values.setdefault(key, [])
    return values


def parse_form(
    schema: type[Schema],
    data: Mapping[str, Any],
    *,
    lists: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
    blank_is_missing: bool = True,
) -> Schema:
    """Validate a submitted form with ``schema``; raise a ``validation_error`` DomainError on failure."""
    values = form_values(data, lists=lists, blank_is_missing=blank_is_missing)
    values.update(extra or {})
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, _("请检查填写的内容"), validation_fields(exc)
        ) from exc
