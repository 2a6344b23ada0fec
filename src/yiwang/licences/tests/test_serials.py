"""Licence serial numbers (流水号): never reused, continuing after numbers already given out."""

from __future__ import annotations

from yiwang.licences.models import LicenceSerial
from yiwang.licences.services import next_serial


def test_serials_increase_per_type_issuer_and_year(licence_type, issuer):
    first = next_serial(licence_type, issuer, 2026)
    second = next_serial(licence_type, issuer, 2026)
    assert first == "20260000001"
    assert second == "20260000002"
    assert next_serial(licence_type, issuer, 2027) == "20270000001"


def test_serials_continue_after_the_counter_row(licence_type, issuer):
    # Numbers given out before (by the counter row, e.g. before a move to PostgreSQL) are not reused.
    LicenceSerial.objects.create(licence_type=licence_type, issuer=issuer, year=2026, last=41)
    assert next_serial(licence_type, issuer, 2026) == "20260000042"
    assert next_serial(licence_type, issuer, 2026) == "20260000043"
