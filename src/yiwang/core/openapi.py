"""OpenAPI helpers for endpoints that parse their request themselves (multipart forms with one file
field per material), so the document still tells a generated client what to send."""

from __future__ import annotations

from typing import Any

MATERIAL_FILES = {
    "^material_": {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": "the files of one material: field `material_<material id>` (PDF, images, …)",
    }
}
FORM_DATA = {
    "type": "string",
    "contentMediaType": "application/json",
    "maxLength": 100_000,
    "description": "the item's form as a JSON object `{field name: value}`",
}
DELIVERY_METHOD = {"type": "string", "enum": ["window", "courier", "electronic"], "default": "electronic"}


def multipart_body(
    properties: dict[str, Any], *, required: tuple[str, ...] = (), files: bool = True
) -> dict[str, Any]:
    """``openapi_extra`` documenting a ``multipart/form-data`` body with these text fields (and the
    material files ``material_<id>`` when ``files``)."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if files:
        schema["patternProperties"] = MATERIAL_FILES
    return {
        "requestBody": {
            "required": bool(required),
            "content": {"multipart/form-data": {"schema": schema}},
        }
    }


def text(max_length: int, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, **extra}
