"""The bases' factories live in :mod:`yiwang.testing.bases` (other apps' tests use them too)."""

from yiwang.testing.bases import company, credit_code, geometry, id_number, person

__all__ = ["company", "credit_code", "geometry", "id_number", "person"]
