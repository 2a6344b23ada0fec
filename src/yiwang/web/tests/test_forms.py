"""HTML forms through the API's pydantic schemas (yiwang.web.forms): field errors in the page's words."""

from __future__ import annotations

from typing import Literal

import pytest
from django.http import QueryDict
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field, field_validator

from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.web.forms import form_values, page_message, parse_form


class DemoIn(BaseModel):
    name: str = Field(max_length=5)
    days: int = Field(ge=1, le=60)
    kind: Literal["a", "b"] = "a"
    tags: list[str] = Field(default_factory=list, max_length=3)
    note: str = ""

    @field_validator("note")
    @classmethod
    def no_shouting(cls, value: str) -> str:
        if value.isupper():
            raise ValueError("请不要全用大写")
        return value


def _post(**values: str | list[str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            data.appendlist(key, item)
    return data


def _fields(data: QueryDict) -> dict[str, list[str]]:
    with pytest.raises(DomainError) as caught:
        parse_form(DemoIn, data, lists=["tags"])
    assert caught.value.code == CoreErrorCode.VALIDATION_ERROR
    assert caught.value.status == 400
    return caught.value.fields


def test_a_valid_form_becomes_the_schema():
    parsed = parse_form(
        DemoIn, _post(name="张三", days="5", tags=["x", "y"], csrfmiddlewaretoken="t"), lists=["tags"]
    )
    assert parsed == DemoIn(name="张三", days=5, tags=["x", "y"])


def test_blank_controls_count_as_not_given_so_defaults_and_required_apply():
    with translation.override("zh-hans"):
        fields = _fields(_post(name="", days="3", kind=""))
    assert fields == {"name": ["必填"]}
    assert parse_form(DemoIn, _post(name="a", days="3", kind=""), lists=["tags"]).kind == "a"


def test_pydantic_errors_are_worded_for_the_page_with_their_limits():
    with translation.override("zh-hans"):
        fields = _fields(_post(name="一二三四五六", days="99", kind="z", note="LOUD"))
    assert fields == {
        "name": ["不能超过 5 个字"],
        "days": ["不能大于 60"],
        "kind": ["请从列表中选择"],
        "note": ["请不要全用大写"],  # the schema's own message, without pydantic's "Value error, "
    }


def test_numbers_that_are_not_numbers_are_refused_not_crashed():
    with translation.override("zh-hans"):
        assert _fields(_post(name="a", days="三"))["days"] == ["请填写整数"]


def test_page_message_of_an_unknown_error_type_is_generic():
    with translation.override("zh-hans"):
        assert page_message({"type": "something_new", "msg": "Whatever"}) == "取值不正确"


def test_form_values_reads_lists_and_skips_the_csrf_token():
    data = _post(tags=["a", "", "b"], name="x", csrfmiddlewaretoken="t")
    assert form_values(data, lists=["tags", "other"]) == {"tags": ["a", "b"], "name": "x", "other": []}


@given(
    st.dictionaries(
        st.sampled_from(["name", "days", "kind", "tags", "note", "extra"]),
        st.lists(st.text(max_size=20), min_size=1, max_size=4),
        max_size=6,
    )
)
def test_any_submitted_form_is_either_parsed_or_refused_with_field_errors(values):
    data = _post(**values)
    try:
        parsed = parse_form(DemoIn, data, lists=["tags"])
    except DomainError as exc:
        assert exc.code == CoreErrorCode.VALIDATION_ERROR
        assert exc.fields and all(isinstance(m, str) and m for msgs in exc.fields.values() for m in msgs)
    else:
        assert isinstance(parsed, DemoIn)
