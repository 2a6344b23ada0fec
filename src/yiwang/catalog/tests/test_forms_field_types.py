"""E-forms: every component type's server validation (validate_submission)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from yiwang.catalog.forms import normalise_definition, validate_submission
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import make_credit_code, make_id_number
from yiwang.testing.accounts import region


def form(*components: dict[str, Any]) -> dict[str, Any]:
    return normalise_definition({"components": list(components)})


def errors_of(definition: dict[str, Any], data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(DomainError) as caught:
        validate_submission(definition, data)
    assert caught.value.code == "form_invalid"
    return caught.value.fields


ID = make_id_number("340104", date(1985, 3, 8), 12)
CREDIT = make_credit_code("9", "1", "340100", "MA000001")


@pytest.mark.parametrize(
    ("component", "value", "expected"),
    [
        ({"type": "textfield", "key": "a"}, "  hi ", "hi"),
        ({"type": "textarea", "key": "a"}, "long\ntext", "long\ntext"),
        ({"type": "textfield", "key": "a", "properties": {"kind": "id_number"}}, ID.lower(), ID),
        ({"type": "textfield", "key": "a", "properties": {"kind": "credit_code"}}, CREDIT, CREDIT),
        ({"type": "textfield", "key": "a", "properties": {"kind": "phone"}}, "138 0000 0000", "13800000000"),
        ({"type": "phoneNumber", "key": "a"}, "0551-62345678", "0551-62345678"),
        ({"type": "email", "key": "a"}, "a@b.cn", "a@b.cn"),
        ({"type": "number", "key": "a", "decimalLimit": 0}, "42", 42),
        ({"type": "number", "key": "a", "decimalLimit": 2}, "3.14", "3.14"),
        ({"type": "currency", "key": "a"}, 1250, 1250),
        ({"type": "datetime", "key": "a"}, "2024-02-29", "2024-02-29"),
        ({"type": "select", "key": "a", "data": {"values": [{"label": "甲", "value": "x"}]}}, "x", "x"),
        ({"type": "radio", "key": "a", "values": [{"label": "甲", "value": "x"}]}, "x", "x"),
        (
            {
                "type": "selectboxes",
                "key": "a",
                "values": [{"label": "甲", "value": "x"}, {"label": "乙", "value": "y"}],
            },
            ["y", "x", "y"],
            ["x", "y"],
        ),
        ({"type": "checkbox", "key": "a"}, "on", True),
        ({"type": "select", "key": "a", "properties": {"codeTable": "ethnicities"}}, "01", "01"),
        ({"type": "select", "key": "a", "properties": {"codeTable": "industries"}}, "65", "65"),
        ({"type": "select", "key": "a", "properties": {"codeTable": "nationalities"}}, "CHN", "CHN"),
    ],
)
def test_valid_values_are_cleaned(component: dict[str, Any], value: Any, expected: Any) -> None:
    assert validate_submission(form(component), {"a": value}) == {"a": expected}


@pytest.mark.parametrize(
    ("component", "value", "message"),
    [
        (
            {"type": "textfield", "key": "a", "properties": {"kind": "id_number"}},
            ID[:-1] + ("0" if ID[-1] != "0" else "1"),
            "校验",
        ),
        (
            {"type": "textfield", "key": "a", "properties": {"kind": "credit_code"}},
            CREDIT[:-1] + "Y" if CREDIT[-1] != "Y" else CREDIT[:-1] + "X",
            "",
        ),
        ({"type": "textfield", "key": "a", "properties": {"kind": "phone"}}, "12345", "手机"),
        ({"type": "email", "key": "a"}, "not-mail", "邮箱"),
        ({"type": "number", "key": "a", "decimalLimit": 0}, "1.5", "整数"),
        ({"type": "number", "key": "a", "decimalLimit": 1}, "1.55", "1 位小数"),
        ({"type": "number", "key": "a", "validate": {"min": 1, "max": 10}}, "11", "不能大于"),
        ({"type": "number", "key": "a", "validate": {"min": 1}}, "0", "不能小于"),
        ({"type": "number", "key": "a"}, "NaN", "数字"),
        ({"type": "number", "key": "a"}, "1e400", "数字"),
        ({"type": "currency", "key": "a"}, "12.5", "分"),
        ({"type": "currency", "key": "a"}, -1, "负数"),
        ({"type": "currency", "key": "a", "validate": {"max": 100}}, 10001, "不能大于"),
        ({"type": "datetime", "key": "a"}, "2023-02-29", "日期"),
        ({"type": "datetime", "key": "a", "datePicker": {"minDate": "2024-01-01"}}, "2023-12-31", "早于"),
        (
            {"type": "select", "key": "a", "data": {"values": [{"label": "甲", "value": "x"}]}},
            "z",
            "可选范围",
        ),
        (
            {"type": "selectboxes", "key": "a", "values": [{"label": "甲", "value": "x"}]},
            ["x", "q"],
            "可选范围",
        ),
        ({"type": "select", "key": "a", "properties": {"codeTable": "ethnicities"}}, "57", "可选范围"),
        ({"type": "textfield", "key": "a", "validate": {"maxLength": 3}}, "abcd", "3"),
        ({"type": "textfield", "key": "a", "validate": {"minLength": 3}}, "ab", "至少"),
        ({"type": "textfield", "key": "a", "validate": {"pattern": "[0-9]{6}"}}, "12345", "格式"),
        ({"type": "textfield", "key": "a"}, "x" * 2001, "2000"),
        ({"type": "textfield", "key": "a"}, {"x": 1}, "文本"),
    ],
)
def test_invalid_values_are_refused_per_field(component: dict[str, Any], value: Any, message: str) -> None:
    fields = errors_of(form(component), {"a": value})
    assert list(fields) == ["a"]
    assert message in fields["a"][0]


def test_required_fields_unknown_keys_and_blank_values() -> None:
    definition = form(
        {"type": "textfield", "key": "name", "label": "姓名", "validate": {"required": True}},
        {
            "type": "select",
            "key": "kind",
            "label": "类型",
            "validate": {"required": True},
            "data": {"values": [{"label": "a", "value": "a"}]},
        },
        {"type": "checkbox", "key": "agree", "label": "同意", "validate": {"required": True}},
        {"type": "textfield", "key": "note"},
    )
    fields = errors_of(definition, {"name": "  ", "evil": "x", "note": ""})
    assert fields == {"name": ["请填写姓名"], "kind": ["请选择类型"], "agree": ["请勾选同意"]}
    assert validate_submission(definition, {"name": "张三", "kind": "a", "agree": True, "evil": 1}) == {
        "name": "张三",
        "kind": "a",
        "agree": True,
    }


@pytest.mark.django_db
def test_address_region_must_exist() -> None:
    region("340104", "蜀山区")
    definition = form(
        {"type": "address", "key": "addr", "label": "住所"},
        {"type": "select", "key": "r", "properties": {"codeTable": "regions"}},
    )
    assert validate_submission(
        definition, {"addr": {"region": "340104", "detail": "长江西路 1 号"}, "r": "340104"}
    ) == {
        "addr": {"region": "340104", "detail": "长江西路 1 号"},
        "r": "340104",
    }
    fields = errors_of(definition, {"addr": {"region": "999999", "detail": "x"}})
    assert "不存在" in fields["addr"][0]
    assert "区划" in errors_of(definition, {"addr": "长江西路"})["addr"][0]


def test_locked_prefill_wins_over_the_submitted_value() -> None:
    definition = form(
        {
            "type": "textfield",
            "key": "name",
            "properties": {"prefill": "applicant:name", "prefillLocked": "true"},
        }
    )
    assert validate_submission(definition, {"name": "李四"}, prefilled_locked={"name": "张三"}) == {
        "name": "张三"
    }


def test_file_fields_take_the_callers_checked_references() -> None:
    definition = form(
        {"type": "file", "key": "photo", "label": "照片", "validate": {"required": True}},
        {"type": "file", "key": "more", "multiple": True},
    )
    assert errors_of(definition, {}) == {"photo": ["请上传照片"]}
    refs = {"photo": [{"name": "a.jpg", "material": "照片"}], "more": []}
    assert validate_submission(definition, {"photo": [{"name": "forged"}]}, files=refs) == {
        "photo": [{"name": "a.jpg", "material": "照片"}]
    }
    two = {"photo": [{"name": "a.jpg"}, {"name": "b.jpg"}]}
    assert "一个" in errors_of(definition, two)["photo"][0]


def test_caller_chooses_the_error_code() -> None:
    definition = form({"type": "textfield", "key": "a", "validate": {"required": True}})
    with pytest.raises(DomainError) as caught:
        validate_submission(definition, {}, error_code="bundle_form_invalid")
    assert caught.value.code == "bundle_form_invalid"
