"""E-forms: legacy conversion, code tables, parse_post and rendering."""

from __future__ import annotations

import contextlib
from typing import Any

from django.http import QueryDict
from django.template.loader import render_to_string
from hypothesis import given
from hypothesis import strategies as st

from yiwang.catalog.forms import (
    Source,
    code_table,
    flatten,
    from_legacy,
    normalise_definition,
    parse_post,
    render_nodes,
    validate_submission,
)
from yiwang.core.errors import DomainError

LEGACY = [
    {"name": "shop", "label": "店铺", "type": "text", "required": True, "choices": [], "help_text": "招牌名"},
    {
        "name": "kind",
        "label": "类型",
        "type": "select",
        "required": False,
        "choices": ["甲", "乙"],
        "help_text": "",
    },
    {
        "name": "day",
        "label": "日期",
        "type": "date",
        "required": False,
        "choices": [],
        "help_text": "",
        "prefill": "applicant:name",
    },
]


def test_legacy_round_trip_keeps_the_legacy_shape() -> None:
    definition = normalise_definition(from_legacy(LEGACY))
    flat = flatten(definition)
    assert [{k: row[k] for k in LEGACY[0]} for row in flat] == [
        {k: spec[k] for k in LEGACY[0]} for spec in LEGACY
    ]
    assert flat[2]["prefill"] == "applicant:name" and flat[1]["component"] == "select"


def test_code_tables() -> None:
    assert len(code_table("ethnicities")) == 58 and code_table("ethnicities")[0] == ("01", "汉族")
    industries = dict(code_table("industries"))
    assert (
        len([c for c in industries if c.isdigit()]) == 97
        and len([c for c in industries if c.isalpha()]) == 20
    )
    nationalities = dict(code_table("nationalities"))
    assert nationalities["CHN"] == "中国" and len(nationalities) >= 249


DEFINITION = normalise_definition(
    {
        "components": [
            {"type": "currency", "key": "fee", "label": "金额"},
            {
                "type": "selectboxes",
                "key": "tags",
                "values": [{"label": "甲", "value": "a"}, {"label": "乙", "value": "b"}],
            },
            {"type": "checkbox", "key": "agree"},
            {"type": "address", "key": "addr"},
            {
                "type": "datagrid",
                "key": "rows",
                "components": [{"type": "textfield", "key": "n"}, {"type": "currency", "key": "m"}],
            },
            {
                "type": "textfield",
                "key": "name",
                "properties": {"prefill": "applicant:name", "prefillLocked": "true"},
            },
        ]
    }
)


def test_parse_post_reads_money_lists_tables_and_addresses() -> None:
    post = QueryDict(mutable=True)
    post.update(
        {
            "field_fee": "12.50",
            "field_agree": "true",
            "field_addr-region": "340104",
            "field_addr-detail": "路",
        }
    )
    post.setlist("field_tags", ["a", "b"])
    post.update({"field_rows-3-n": "x", "field_rows-3-m": "1", "field_rows-0-n": "y", "field_unknown": "z"})
    data = parse_post(DEFINITION, post)
    assert data == {
        "fee": 1250,
        "tags": ["a", "b"],
        "agree": True,
        "addr": {"region": "340104", "detail": "路"},
        "rows": [{"n": "y", "m": None}, {"n": "x", "m": 100}],
    }


@given(st.dictionaries(st.text(max_size=30), st.text(max_size=30), max_size=20))
def test_parse_post_and_validation_never_crash(raw: dict[str, str]) -> None:
    post = QueryDict(mutable=True)
    for key, value in raw.items():
        post[key] = value
    definition: dict[str, Any] = {
        "components": [c for c in DEFINITION["components"] if c["type"] != "address"]
    }
    data = parse_post(definition, post)
    with contextlib.suppress(DomainError):
        validate_submission(definition, data)


def test_render_nodes_and_partial_show_values_errors_and_sources() -> None:
    nodes = render_nodes(
        DEFINITION,
        {"fee": 1250, "rows": [{"n": "a"}]},
        {"rows.0.n": ["不对"]},
        sources={"name": Source("实名账户", locked=True)},
    )
    assert nodes[0]["value"] == "12.50"
    html = render_to_string("forms/_form.html", {"form_nodes": nodes})
    assert "来自 实名账户" in html and "不对" in html and 'name="field_rows-0-n"' in html
    assert "__row__" in html and "eval(" not in html
