"""The cases test factories live in :mod:`yiwang.testing.cases` (shared test support); re-exported here."""

from __future__ import annotations

from yiwang.testing.cases import (
    PASSWORD,
    PDF_BYTES,
    PNG_BYTES,
    OrganisationFactory,
    ServiceItemFactory,
    make_citizen,
    make_document_seal,
    make_staff,
    pdf_upload,
    submit,
    submit_case,
)

__all__ = [
    "PASSWORD",
    "PDF_BYTES",
    "PNG_BYTES",
    "OrganisationFactory",
    "ServiceItemFactory",
    "make_citizen",
    "make_document_seal",
    "make_staff",
    "pdf_upload",
    "submit",
    "submit_case",
]
