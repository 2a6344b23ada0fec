"""E-forms: conditional visibility (both Form.io formats, chains, tables, panels)."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.catalog.forms import normalise_definition, validate_submission
from yiwang.core.errors import DomainError

CHOICE = {"data": {"values": [{"label": "个人", "value": "person"}, {"label": "企业", "value": "company"}]}}


def definition(*components: dict[str, Any]) -> dict[str, Any]:
    return normalise_definition({"components": list(components)})


def test_simple_format_hides_field_drops_value_and_requirement() -> None:
    form = definition(
        {"type": "select", "key": "who", **CHOICE},
        {
            "type": "textfield",
            "key": "company",
            "label": "企业名称",
            "validate": {"required": True},
            "conditional": {"show": "true", "when": "who", "eq": "company"},
        },
    )
    assert validate_submission(form, {"who": "person", "company": "ignored"}) == {"who": "person"}
    with pytest.raises(DomainError) as caught:
        validate_submission(form, {"who": "company"})
    assert caught.value.fields == {"company": ["请填写企业名称"]}


def test_form_io_5_conditions_with_any_and_all() -> None:
    form = definition(
        {"type": "number", "key": "age"},
        {"type": "select", "key": "who", **CHOICE},
        {
            "type": "textfield",
            "key": "guardian",
            "conditional": {
                "show": True,
                "conjunction": "any",
                "conditions": [
                    {"component": "age", "operator": "lessThan", "value": 18},
                    {"component": "who", "operator": "isEqual", "value": "company"},
                ],
            },
        },
        {
            "type": "textfield",
            "key": "note",
            "conditional": {
                "show": False,
                "conjunction": "all",
                "conditions": [{"component": "age", "operator": "isEmpty"}],
            },
        },
    )
    assert validate_submission(form, {"age": "12", "guardian": "父", "note": "n"}) == {
        "age": 12,
        "guardian": "父",
        "note": "n",
    }
    assert validate_submission(form, {"age": "30", "who": "person", "guardian": "x", "note": "n"}) == {
        "age": 30,
        "who": "person",
        "note": "n",
    }
    assert validate_submission(form, {"guardian": "x", "note": "n", "who": "company"}) == {
        "who": "company",
        "guardian": "x",
    }


def test_chains_hide_the_whole_chain() -> None:
    form = definition(
        {"type": "checkbox", "key": "a"},
        {"type": "checkbox", "key": "b", "conditional": {"show": True, "when": "a", "eq": "true"}},
        {
            "type": "textfield",
            "key": "c",
            "validate": {"required": True},
            "conditional": {"show": True, "when": "b", "eq": "true"},
        },
    )
    # b is hidden (a unchecked), so c is hidden even though b was submitted as checked
    assert validate_submission(form, {"a": False, "b": True}) == {"a": False}
    with pytest.raises(DomainError):
        validate_submission(form, {"a": True, "b": True})


def test_a_hidden_panel_hides_its_children() -> None:
    form = definition(
        {"type": "select", "key": "who", **CHOICE},
        {
            "type": "panel",
            "key": "company_panel",
            "label": "企业信息",
            "conditional": {"show": True, "when": "who", "eq": "company"},
            "components": [{"type": "textfield", "key": "cname", "validate": {"required": True}}],
        },
    )
    assert validate_submission(form, {"who": "person", "cname": "x"}) == {"who": "person"}
    assert validate_submission(form, {"who": "company", "cname": "x"}) == {"who": "company", "cname": "x"}


def test_row_conditions_refer_to_the_same_row() -> None:
    form = definition(
        {
            "type": "datagrid",
            "key": "rooms",
            "components": [
                {"type": "select", "key": "use", **CHOICE},
                {
                    "type": "textfield",
                    "key": "licence",
                    "validate": {"required": True},
                    "conditional": {"show": True, "when": "use", "eq": "company"},
                },
            ],
        }
    )
    clean = validate_submission(
        form, {"rooms": [{"use": "person", "licence": "drop"}, {"use": "company", "licence": "L1"}]}
    )
    assert clean == {"rooms": [{"use": "person"}, {"use": "company", "licence": "L1"}]}
    with pytest.raises(DomainError) as caught:
        validate_submission(form, {"rooms": [{"use": "company"}]})
    assert list(caught.value.fields) == ["rooms.0.licence"]


@pytest.mark.parametrize(
    "conditional",
    [
        {"show": True, "when": "missing", "eq": "x"},
        {"show": True, "conditions": [{"component": "a", "operator": "matches", "value": "x"}]},
    ],
)
def test_bad_conditions_are_refused(conditional: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as caught:
        definition(
            {"type": "textfield", "key": "a"}, {"type": "textfield", "key": "b", "conditional": conditional}
        )
    assert "form_definition.b" in caught.value.fields


def test_cycles_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        definition(
            {"type": "textfield", "key": "a", "conditional": {"show": True, "when": "b", "eq": "1"}},
            {"type": "textfield", "key": "b", "conditional": {"show": True, "when": "a", "eq": "1"}},
        )
    assert "循环" in str(caught.value.fields)
