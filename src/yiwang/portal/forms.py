"""申请表渲染 The one renderer of application form fields and material uploads, shared by the
single-item form (portal/views/apply.py) and the 一件事 form (portal/views/results.py).

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
from yiwang.web.ui import field

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
