"""Portal forms: the page wording of schema refusals, the registration checks, and (申请表渲染) the
one renderer of application form fields and material uploads, shared by the single-item form
(portal/views/apply.py) and the 一件事 form (portal/views/results.py).

A field spec is the item's ``form_fields`` entry (``name``, ``label``, ``type`` text / textarea /
select / date / number, ``required``, ``choices``, ``help_text``); a bundle's merged field is turned
into the same spec.  Both forms render each control with ``includes/field.html``: a select offers
its choices, a date is a date picker with its format stated, an address is a full-width input, and
an upload shows the files already held for it (暂存材料, cases/held.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from yiwang.cases.held import REMOVE_FIELD
from yiwang.cases.models import HeldUpload
from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.web.ui import field


def form_wording() -> dict[str, str]:
    """The portal's wording of a form input the API schema refuses, by pydantic error type (for
    :func:`yiwang.web.forms.parse_form`'s ``type_messages``)."""
    return {
        "missing": _("必填"),
        "string_too_short": _("内容过短"),
        "string_too_long": _("内容过长"),
        "string_pattern_mismatch": _("格式不正确"),
        "uuid_parsing": _("格式不正确"),
        "datetime_from_date_parsing": _("日期格式不正确"),
        "datetime_parsing": _("日期格式不正确"),
        "bool_parsing": _("格式不正确"),
    }


def sms_sent_text(phone: str) -> str:
    """What the page says when the registration code went out (the number masked)."""
    return _("验证码已发送至 %(phone)s，5 分钟内有效。") % {"phone": phone[:3] + "****" + phone[-4:]}


def passwords_match(data: Any) -> None:
    """The 确认密码 of a registration form must repeat the password."""
    if data.get("password", "") != data.get("password2", ""):
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR,
            _("两次输入的密码不一致"),
            {"password2": [_("两次输入的密码不一致")]},
        )


UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd"
HTML_TYPES = {"textarea": "textarea", "select": "select", "date": "date", "number": "number"}
ADDRESS_NAMES = ("address", "location")
ADDRESS_LABELS = ("地址", "住所", "住址", "所在地", "坐落")


def is_address(spec: Mapping[str, Any]) -> bool:
    """An address field (住所、经营场所、邮寄地址…): by its name, or by its label (not a 场所名称)."""
    name = str(spec.get("name") or "").lower()
    label = str(spec.get("label") or "")
    return (
        any(word in name for word in ADDRESS_NAMES)
        or any(word in label for word in ADDRESS_LABELS)
        or label.endswith("场所")
    )


def spec_control(spec: Mapping[str, Any], *, name: str, value: Any, errors: Iterable[str]) -> dict[str, Any]:
    """One control for one field spec."""
    kind = str(spec.get("type") or "text")
    html_type = HTML_TYPES.get(kind, "text")
    help_text = str(spec.get("help_text") or "")
    extra: dict[str, Any] = {}
    if html_type == "date":
        hint = _("日期格式：年-月-日，如 2025-01-31")
        help_text = f"{help_text} {hint}".strip() if help_text else hint
        extra["placeholder"] = "YYYY-MM-DD"
    if html_type in {"text", "textarea"} and is_address(spec):
        extra["css_class"] = "input-wide"
        extra["autocomplete"] = "street-address"
    return field(
        name,
        str(spec.get("label") or spec.get("name") or name),
        type=html_type,
        value=value,
        errors=errors,
        required=bool(spec.get("required")),
        help=help_text,
        choices=[(str(choice), str(choice)) for choice in spec.get("choices") or []]
        if html_type == "select"
        else None,
        inputmode="decimal" if kind == "number" else "",
        maxlength=2000 if html_type in {"text", "textarea"} else None,
        **extra,
    )


def spec_controls(
    specs: Iterable[Mapping[str, Any]],
    values: Mapping[str, Any],
    *,
    prefix: str,
    errors_for: Callable[[str], list[str]],
) -> list[dict[str, Any]]:
    """The controls of a list of field specs; control ``name`` is ``prefix + spec name``."""
    controls = []
    for spec in specs or []:
        name = str(spec.get("name") or "")
        if name:
            controls.append(
                spec_control(spec, name=prefix + name, value=values.get(name, ""), errors=errors_for(name))
            )
    return controls


def upload_control(
    name: str,
    label: str,
    *,
    slot: str,
    required: bool,
    help: str,
    errors: Iterable[str],
    held: Sequence[HeldUpload] = (),
) -> dict[str, Any]:
    """One material upload; files already held for it are shown and need no new upload."""
    return field(
        name,
        label,
        type="file",
        errors=errors,
        required=required and not held,
        help=help,
        accept=UPLOAD_ACCEPT,
        multiple=True,
        held=[{"name": row.original_name, "size": row.size} for row in held],
        held_slot=slot,
        held_remove=REMOVE_FIELD,
    )
