"""The portal test factories live in :mod:`yiwang.testing.portal` (shared test support); re-exported here."""

from __future__ import annotations

from yiwang.testing.portal import (
    LICENCE_FORM_FIELDS,
    LICENCE_MATERIALS,
    PASSWORD,
    PDF_BYTES,
    PNG_BYTES,
    apply_for,
    make_citizen,
    make_department,
    make_item,
    make_region,
    make_staff,
    materials_by_name,
    pdf_upload,
    seed_test_calendar,
)

__all__ = [
    "LICENCE_FORM_FIELDS",
    "LICENCE_MATERIALS",
    "PASSWORD",
    "PDF_BYTES",
    "PNG_BYTES",
    "apply_for",
    "make_citizen",
    "make_department",
    "make_item",
    "make_region",
    "make_staff",
    "materials_by_name",
    "pdf_upload",
    "seed_test_calendar",
]
