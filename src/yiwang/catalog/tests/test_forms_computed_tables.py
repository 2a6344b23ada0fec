"""E-forms: computed fields (restricted grammar, server recomputes) and tables (rows, limits)."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.catalog.forms import ExpressionError, normalise_definition, parse_expression, validate_submission
from yiwang.catalog.forms.expressions import evaluate
from yiwang.core.errors import DomainError

FORM = normalise_definition(
    {
        "components": [
            {
                "type": "datagrid",
                "key": "rooms",
                "validate": {"maxLength": 3},
                "components": [
                    {"type": "number", "key": "area", "validate": {"required": True}},
                    {"type": "currency", "key": "price"},
                    {"type": "currency", "key": "rent", "calculateValue": "value = row.area * row.price"},
                ],
            },
            {"type": "currency", "key": "total", "calculateValue": "value = sum(data.rooms, 'rent') * 1.1"},
        ]
    }
)


def test_server_recomputes_and_overrides_submitted_values() -> None:
    clean = validate_submission(
        FORM, {"rooms": [{"area": "2.5", "price": 1000, "rent": 1}, {"area": "", "price": None}], "total": 5}
    )
    assert clean == {"rooms": [{"area": "2.5", "price": 1000, "rent": 2500}], "total": 2750}


def test_table_row_limits_and_cell_errors() -> None:
    with pytest.raises(DomainError) as caught:
        validate_submission(FORM, {"rooms": [{"area": "1"}] * 4})
    assert "最多 3 行" in caught.value.fields["rooms"][0]
    with pytest.raises(DomainError) as caught:
        validate_submission(FORM, {"rooms": [{"area": "x", "price": 1}]})
    assert list(caught.value.fields) == ["rooms.0.area"]


@pytest.mark.parametrize(
    "source", ["value = data.a +", "value = eval(1)", "data.a ** 2", "sum(data.t)", "1 2"]
)
def test_bad_expressions_are_refused(source: str) -> None:
    with pytest.raises(ExpressionError):
        parse_expression(source)


def test_expressions_referring_to_missing_fields_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        normalise_definition(
            {"components": [{"type": "number", "key": "b", "calculateValue": "value = data.zz"}]}
        )
    assert "form_definition.b" in caught.value.fields


_numbers = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 0) -> tuple[str, Decimal]:
    if depth > 3 or draw(st.booleans()):
        number = draw(_numbers)
        return (f"({number})" if number < 0 else str(number)), number
    left, lv = draw(expressions(depth + 1))
    right, rv = draw(expressions(depth + 1))
    op = draw(st.sampled_from("+-*"))
    value = lv + rv if op == "+" else lv - rv if op == "-" else lv * rv
    return f"({left} {op} {right})", value


@given(expressions())
def test_parser_evaluates_like_decimal_arithmetic(pair: tuple[str, Decimal]) -> None:
    text, expected = pair
    result = evaluate(parse_expression(f"value = {text}"), lambda k: None, lambda k: None, lambda t, c: [])
    assert result == expected


@given(st.text(max_size=80))
def test_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse_expression(text)
