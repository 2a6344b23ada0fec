"""HTML forms validated by the same pydantic schemas as the JSON API.

A page reads ``request.POST`` into the API's input schema with :func:`parse_form`; a pydantic
validation failure becomes the platform's :class:`~yiwang.core.errors.DomainError`
(``validation_error`` with per-field messages), which the page shows next to its controls exactly as it
shows a service's refusal.  So a rule about an input is written once, in the schema.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import BaseModel, ValidationError

from yiwang.core.errors import CoreErrorCode, DomainError

Schema = TypeVar("Schema", bound=BaseModel)


def validation_fields(
    exc: ValidationError,
    *,
    field_messages: Mapping[str, str] | None = None,
    type_messages: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """Pydantic errors as the error shape's ``fields``: dotted location → messages.

    A page may word the messages itself: ``field_messages`` by location (``"materials.0"`` also
    covers ``"materials.0.copies"``), else ``type_messages`` by pydantic error type (``int_parsing``,
    ``missing``, ...); anything else gets the page wording of :func:`page_message`.
    """
    by_field = field_messages or {}
    by_type = type_messages or {}
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        parts = [str(part) for part in error.get("loc", ())]
        loc = ".".join(parts) or "__all__"
        prefixes = [".".join(parts[:length]) for length in range(len(parts), 0, -1)]
        known = next((prefix for prefix in prefixes if prefix in by_field), None)
        if known is not None:
            loc, message = known, by_field[known]
        else:
            message = by_type.get(str(error.get("type", ""))) or page_message(error)
        if message not in fields.setdefault(loc, []):
            fields[loc].append(message)
    return fields


# Pydantic error type -> the message a page shows (pydantic's own are English-only); %(x)s from its ctx.
_TYPE_MESSAGES: dict[str, str] = {
    "missing": gettext_noop("必填"),
    "string_type": gettext_noop("请填写文字"),
    "string_too_short": gettext_noop("至少 %(min_length)s 个字"),
    "string_too_long": gettext_noop("不能超过 %(max_length)s 个字"),
    "string_pattern_mismatch": gettext_noop("格式不正确"),
    "int_parsing": gettext_noop("请填写整数"),
    "int_type": gettext_noop("请填写整数"),
    "int_from_float": gettext_noop("请填写整数"),
    "float_parsing": gettext_noop("请填写数字"),
    "float_type": gettext_noop("请填写数字"),
    "greater_than": gettext_noop("须大于 %(gt)s"),
    "greater_than_equal": gettext_noop("不能小于 %(ge)s"),
    "less_than": gettext_noop("须小于 %(lt)s"),
    "less_than_equal": gettext_noop("不能大于 %(le)s"),
    "literal_error": gettext_noop("请从列表中选择"),
    "enum": gettext_noop("请从列表中选择"),
    "bool_parsing": gettext_noop("取值不正确"),
    "date_parsing": gettext_noop("日期格式不正确（年-月-日）"),
    "date_from_datetime_parsing": gettext_noop("日期格式不正确（年-月-日）"),
    "datetime_parsing": gettext_noop("时间格式不正确"),
    "uuid_parsing": gettext_noop("编号不正确"),
    "uuid_type": gettext_noop("编号不正确"),
    "too_short": gettext_noop("至少选择 %(min_length)s 项"),
    "too_long": gettext_noop("最多 %(max_length)s 项"),
    "list_type": gettext_noop("取值不正确"),
}
_VALUE_ERROR_PREFIX = "Value error, "


def page_message(error: Mapping[str, Any]) -> str:
    """A pydantic error as a page shows it, in the page's language.

    A schema's own validator message (``ValueError("…")``) is kept, without pydantic's prefix.
    """
    kind = str(error.get("type", ""))
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix(_VALUE_ERROR_PREFIX) or _("取值不正确")
    template = _TYPE_MESSAGES.get(kind)
    if template is None:
        return _("取值不正确")
    context = {
        key: value for key, value in (error.get("ctx") or {}).items() if isinstance(value, int | float | str)
    }
    try:
        return _(template) % context if "%(" in template else _(template)
    except (KeyError, ValueError):
        return _(template)


def form_values(
    data: Mapping[str, Any], *, lists: Iterable[str] = (), blank_is_missing: bool | Collection[str] = True
) -> dict[str, Any]:
    """The values of a submitted form as plain data for a schema.

    ``lists`` names the fields that may repeat (``getlist``); other fields take their last value.
    With ``blank_is_missing`` an empty text control counts as not given, so the schema's default
    (or its "required" message) applies, as it would for a JSON body without the key.  Given a
    collection of names, only those fields count as missing when blank (e.g. the numbers of a form
    whose text fields may legitimately be empty).
    """
    list_names = set(lists)
    if isinstance(blank_is_missing, bool):
        blank_names: Collection[str] | None = None
    else:
        blank_names, blank_is_missing = set(blank_is_missing), True
    values: dict[str, Any] = {}
    getlist = getattr(data, "getlist", None)
    for key in data:
        if key == "csrfmiddlewaretoken":
            continue
        if key in list_names and getlist is not None:
            values[key] = [value for value in getlist(key) if not (blank_is_missing and value == "")]
            continue
        value = data[key]
        if blank_is_missing and value == "" and (blank_names is None or key in blank_names):
            continue
        values[key] = value
    for key in list_names:
        values.setdefault(key, [])
    return values


def validate_form(
    schema: type[Schema],
    values: Mapping[str, Any],
    *,
    code: StrEnum = CoreErrorCode.VALIDATION_ERROR,
    message: str | None = None,
    field_messages: Mapping[str, str] | None = None,
    type_messages: Mapping[str, str] | None = None,
) -> Schema:
    """Validate already collected form ``values`` (e.g. rows of a table form) with ``schema``.

    On failure raise a DomainError (``code``, ``message``) whose ``fields`` are
    :func:`validation_fields`, so the page shows them next to its controls.
    """
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        fields = validation_fields(exc, field_messages=field_messages, type_messages=type_messages)
        raise DomainError(code, message or _("请检查填写的内容"), fields) from exc


def parse_form(
    schema: type[Schema],
    data: Mapping[str, Any],
    *,
    lists: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
    blank_is_missing: bool | Collection[str] = True,
    code: StrEnum = CoreErrorCode.VALIDATION_ERROR,
    message: str | None = None,
    field_messages: Mapping[str, str] | None = None,
    type_messages: Mapping[str, str] | None = None,
) -> Schema:
    """Validate a submitted form with ``schema``; raise a ``validation_error`` DomainError on failure
    (or ``code``/``message`` when the page gives them; see :func:`validate_form`)."""
    values = form_values(data, lists=lists, blank_is_missing=blank_is_missing)
    values.update(extra or {})
    return validate_form(
        schema,
        values,
        code=code,
        message=message,
        field_messages=field_messages,
        type_messages=type_messages,
    )
