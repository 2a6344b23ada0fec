"""收费计算 The fee breakdown of an application: a pure function of the fee rules, the form data and
the applicant's type (docs/payments.md "Fee rules").

* fixed (定额): ``amount_fen``;
* per unit (按量): ``unit_price_fen`` × the number in the form field ``quantity_field`` (rounded half
  up to a fen), then raised to ``min_fen`` and capped at ``max_fen``;
* band (分档): ``bands`` = ``[[upper_bound, amount_fen], ...]`` ascending; the first band whose upper
  bound is ≥ the quantity gives the amount (``None`` as the last bound: no upper limit; a quantity
  above every bound takes the last band).

Exemptions and reductions (减免): each has a percentage (100 = 免收) and a condition — a form field
equal to a value and/or an applicant type; of the ones that apply to a line, the largest percentage
is taken (reductions never add up), and the reduction is rounded half up.  Every amount is an integer
number of fen, never negative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MAX_FEN = 10**11  # 10亿元: nothing a government fee reaches; bounds every computed amount
MAX_QUANTITY = Decimal(10**9)


class FeeKind:
    FIXED = "fixed"
    PER_UNIT = "per_unit"
    BAND = "band"


@dataclass(frozen=True)
class ExemptionSpec:
    code: str
    name: str
    percent: int  # 0..100
    basis: str = ""
    condition_field: str = ""
    condition_value: str = ""
    applicant_type: str = ""  # "" | natural | legal


@dataclass(frozen=True)
class RuleSpec:
    """One fee item's rule, as plain data (the model :class:`FeeRule` gives it with ``spec()``)."""

    fee_item_id: int
    name: str
    kind: str
    amount_fen: int = 0
    unit_price_fen: int = 0
    quantity_field: str = ""
    min_fen: int | None = None
    max_fen: int | None = None
    bands: Sequence[Sequence[Any]] = ()
    legal_basis: str = ""
    exemptions: Sequence[ExemptionSpec] = field(default_factory=tuple)


@dataclass(frozen=True)
class Line:
    fee_item_id: int
    name: str
    gross_fen: int
    reduction_fen: int
    net_fen: int
    quantity: str = ""
    legal_basis: str = ""
    exemption_code: str = ""
    exemption_name: str = ""
    exemption_basis: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "fee_item_id": self.fee_item_id,
            "name": self.name,
            "gross_fen": self.gross_fen,
            "reduction_fen": self.reduction_fen,
            "net_fen": self.net_fen,
            "quantity": self.quantity,
            "legal_basis": self.legal_basis,
            "exemption_code": self.exemption_code,
            "exemption_name": self.exemption_name,
            "exemption_basis": self.exemption_basis,
        }


@dataclass(frozen=True)
class Breakdown:
    lines: tuple[Line, ...]

    @property
    def total_fen(self) -> int:
        return sum(line.net_fen for line in self.lines)

    @property
    def gross_fen(self) -> int:
        return sum(line.gross_fen for line in self.lines)


def _clamp(value: int) -> int:
    return max(0, min(int(value), MAX_FEN))


def quantity_of(form_data: Mapping[str, Any], name: str) -> Decimal:
    """The number in a form field; missing, blank, non-numeric or negative counts as 0."""
    raw = form_data.get(name) if name else None
    if raw is None or isinstance(raw, bool):
        return Decimal(0)
    try:
        value = Decimal(str(raw).strip() or "0")
    except (InvalidOperation, ValueError):
        return Decimal(0)
    if not value.is_finite() or value < 0:
        return Decimal(0)
    return min(value, MAX_QUANTITY)


def _round_fen(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def gross_amount(rule: RuleSpec, form_data: Mapping[str, Any]) -> tuple[int, str]:
    """The amount before reductions and the quantity it was computed from ("" for a fixed fee)."""
    if rule.kind == FeeKind.FIXED:
        return _clamp(rule.amount_fen), ""
    quantity = quantity_of(form_data, rule.quantity_field)
    if rule.kind == FeeKind.PER_UNIT:
        amount = _round_fen(Decimal(max(0, rule.unit_price_fen)) * quantity)
        if rule.min_fen is not None:
            amount = max(amount, rule.min_fen)
        if rule.max_fen is not None:
            amount = min(amount, rule.max_fen)
        return _clamp(amount), format(quantity.normalize(), "f")
    if rule.kind == FeeKind.BAND:
        chosen = 0
        for bound, band_amount in rule.bands:
            chosen = int(band_amount)
            if bound is None or quantity <= Decimal(str(bound)):
                break
        return _clamp(chosen), format(quantity.normalize(), "f")
    raise ValueError(f"unknown fee kind {rule.kind!r}")


def exemption_applies(exemption: ExemptionSpec, form_data: Mapping[str, Any], applicant_type: str) -> bool:
    if exemption.applicant_type and exemption.applicant_type != applicant_type:
        return False
    if exemption.condition_field:
        value = form_data.get(exemption.condition_field)
        if isinstance(value, bool):
            value = "true" if value else "false"
        if str(value if value is not None else "").strip() != exemption.condition_value.strip():
            return False
    return bool(exemption.applicant_type or exemption.condition_field)


def line_for(rule: RuleSpec, form_data: Mapping[str, Any], applicant_type: str) -> Line:
    gross, quantity = gross_amount(rule, form_data)
    applicable = [e for e in rule.exemptions if exemption_applies(e, form_data, applicant_type)]
    best = max(applicable, key=lambda e: (max(0, min(e.percent, 100)), e.code), default=None)
    reduction = 0
    if best is not None:
        percent = max(0, min(best.percent, 100))
        reduction = min(gross, _round_fen(Decimal(gross) * percent / 100))
    return Line(
        fee_item_id=rule.fee_item_id,
        name=rule.name,
        gross_fen=gross,
        reduction_fen=reduction,
        net_fen=gross - reduction,
        quantity=quantity,
        legal_basis=rule.legal_basis,
        exemption_code=best.code if best and reduction else "",
        exemption_name=best.name if best and reduction else "",
        exemption_basis=best.basis if best and reduction else "",
    )


def compute_breakdown(
    rules: Sequence[RuleSpec], form_data: Mapping[str, Any] | None, applicant_type: str = ""
) -> Breakdown:
    """The fee lines of an application (one per rule, in the given order)."""
    data = form_data if isinstance(form_data, Mapping) else {}
    return Breakdown(tuple(line_for(rule, data, applicant_type) for rule in rules))


def validate_bands(bands: Any) -> list[list[Any]]:
    """Bands as stored: a non-empty list of ``[upper_bound or None, amount_fen]``, bounds ascending,
    only the last one may be ``None``; ``ValueError`` otherwise."""
    if not isinstance(bands, list) or not bands or len(bands) > 50:
        raise ValueError("bands must be a list of 1 to 50 [upper_bound, amount_fen] pairs")
    cleaned: list[list[Any]] = []
    previous: Decimal | None = None
    for index, band in enumerate(bands):
        if not isinstance(band, (list, tuple)) or len(band) != 2:
            raise ValueError("each band is [upper_bound, amount_fen]")
        bound, amount = band
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= MAX_FEN:
            raise ValueError("amount_fen must be a non-negative integer")
        if bound is None:
            if index != len(bands) - 1:
                raise ValueError("only the last band may be open-ended")
        else:
            if isinstance(bound, bool) or not isinstance(bound, (int, float, str)):
                raise ValueError("upper_bound must be a number")
            try:
                value = Decimal(str(bound))
            except InvalidOperation as exc:
                raise ValueError("upper_bound must be a number") from exc
            if not value.is_finite() or (previous is not None and value <= previous):
                raise ValueError("upper bounds must ascend")
            previous = value
            bound = format(value.normalize(), "f")
        cleaned.append([bound, amount])
    return cleaned
