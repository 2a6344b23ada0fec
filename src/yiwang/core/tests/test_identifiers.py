"""公民身份号码, 统一社会信用代码 and 手机号码 validation and generation."""

from __future__ import annotations

import contextlib
import unicodedata
from datetime import date

import pytest
import time_machine
from hypothesis import assume, given
from hypothesis import strategies as st

from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.identifiers import (
    CREDIT_CODE_ALPHABET,
    IdentifierError,
    credit_code_check_char,
    id_check_digit,
    make_credit_code,
    make_id_number,
    org_code_check_char,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)

# --- 公民身份号码 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "region", "birth", "gender"),
    [
        ("11010519491231002X", "110105", date(1949, 12, 31), "female"),
        ("440524188001010014", "440524", date(1880, 1, 1), "male"),
    ],
)
def test_standard_id_examples_are_valid(number: str, region: str, birth: date, gender: str) -> None:
    info = validate_id_number(number)
    assert info.normalized == number
    assert info.region_code == region
    assert info.birth_date == birth
    assert info.gender == gender


def test_id_number_is_normalised() -> None:
    assert validate_id_number(" 11010519491231002x ").normalized == "11010519491231002X"
    # Full-width digits and Ｘ from Chinese input methods.
    assert validate_id_number("１１０１０５１９４９１２３１００２Ｘ").normalized == "11010519491231002X"


def test_id_info_helpers() -> None:
    info = validate_id_number("11010519491231002X")
    assert info.sequence == "002"
    assert info.masked == "110105***********X"
    assert info.age_on(date(2025, 12, 30)) == 75
    assert info.age_on(date(2025, 12, 31)) == 76


def _id_error(value: str) -> IdentifierError:
    with pytest.raises(IdentifierError) as caught:
        validate_id_number(value)
    error = caught.value
    assert error.code == CoreErrorCode.INVALID_ID_NUMBER
    assert error.status == 400
    assert error.fields == {"id_number": [error.message]}
    return error


def test_id_wrong_length() -> None:
    assert "应为 18 位，当前为 17 位" in _id_error("11010519491231002").message
    assert "当前为 15 位" in _id_error("110105491231002").message
    assert _id_error("").message == "请填写公民身份号码"


def test_id_bad_characters() -> None:
    assert "第 17 位“X”无效" in _id_error("1101051949123100X2").message
    assert "第 1 位“A”无效" in _id_error("A1010519491231002X").message
    message = _id_error("11010519491231002Y").message
    assert "第 18 位“Y”无效" in message
    assert "数字或 X" in message


def test_id_impossible_birth_date() -> None:
    number = "11010519490230002"
    assert "19490230 不是有效日期" in _id_error(number + id_check_digit(number)).message


def test_id_birth_before_1800() -> None:
    number = "11010517991231002"
    assert "早于 1800 年" in _id_error(number + id_check_digit(number)).message


@time_machine.travel(date(2026, 3, 1), tick=False)
def test_id_birth_in_future() -> None:
    assert "晚于今天" in _id_error(make_id_number("340104", date(2026, 3, 2), 1)).message
    assert validate_id_number(make_id_number("340104", date(2026, 3, 1), 1)).birth_date == date(2026, 3, 1)


def test_id_wrong_check_digit_names_the_expected_one() -> None:
    message = _id_error("110105194912310021").message
    assert "第 18 位应为 X，实为 1" in message


def test_make_id_number_gender_and_check() -> None:
    male = make_id_number("340104", date(1990, 5, 17), 123)
    female = make_id_number("340104", date(1990, 5, 17), 124)
    assert validate_id_number(male).gender == "male"
    assert validate_id_number(female).gender == "female"
    assert male[:17] == "34010419900517123"
    with pytest.raises(ValueError):
        make_id_number("3401", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_id_number("340104", date(1990, 1, 1), 1000)
    with pytest.raises(ValueError):
        id_check_digit("12345")


region_codes = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1800, 1, 1), max_value=date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


@given(region=region_codes, birth=births, sequence=sequences)
def test_every_generated_id_number_validates(region: str, birth: date, sequence: int) -> None:
    number = make_id_number(region, birth, sequence)
    info = validate_id_number(number)
    assert info.normalized == number
    assert info.birth_date == birth
    assert info.gender == ("male" if sequence % 2 else "female")


def _same_after_normalising(original: str, replacement: str) -> bool:
    return unicodedata.normalize("NFKC", replacement).strip().upper() == original


@given(
    region=region_codes,
    birth=births,
    sequence=sequences,
    position=st.integers(min_value=0, max_value=17),
    replacement=st.characters(),
)
def test_every_single_character_mutation_of_an_id_is_rejected(
    region: str, birth: date, sequence: int, position: int, replacement: str
) -> None:
    number = make_id_number(region, birth, sequence)
    assume(not _same_after_normalising(number[position], replacement))
    mutated = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(IdentifierError):
        validate_id_number(mutated)


@given(
    region=region_codes,
    birth=births,
    sequence=sequences,
    position=st.integers(0, 17),
    digit=st.sampled_from("0123456789X"),
)
def test_every_digit_substitution_of_an_id_is_rejected(
    region: str, birth: date, sequence: int, position: int, digit: str
) -> None:
    number = make_id_number(region, birth, sequence)
    assume(number[position] != digit)
    with pytest.raises(IdentifierError):
        validate_id_number(number[:position] + digit + number[position + 1 :])


# --- 统一社会信用代码 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "org_code", "area"),
    [("91350100M000100Y43", "M000100Y4", "350100"), ("91110108551385082Q", "551385082", "110108")],
)
def test_standard_credit_code_examples_are_valid(code: str, org_code: str, area: str) -> None:
    info = validate_credit_code(code.lower())
    assert info.normalized == code
    assert info.registration_department == "9"
    assert info.entity_type == "1"
    assert info.area_code == area
    assert info.organisation_code == org_code
    assert info.organisation_code_display == f"{org_code[:8]}-{org_code[8]}"


def test_check_char_helpers_reproduce_the_examples() -> None:
    assert org_code_check_char("M000100Y") == "4"
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert credit_code_check_char("91110108551385082") == "Q"
    assert make_credit_code("9", "1", "350100", "M000100Y") == "91350100M000100Y43"
    assert make_credit_code("9", "1", "110108", "55138508") == "91110108551385082Q"


def test_org_code_check_maps_10_to_x_and_11_to_0() -> None:
    bodies = {org_code_check_char(f"{n:08d}") for n in range(0, 2000)}
    assert "X" in bodies
    assert "0" in bodies


def _credit_error(value: str) -> IdentifierError:
    with pytest.raises(IdentifierError) as caught:
        validate_credit_code(value)
    error = caught.value
    assert error.code == CoreErrorCode.INVALID_CREDIT_CODE
    assert error.fields == {"credit_code": [error.message]}
    return error


def test_credit_code_wrong_length() -> None:
    assert "应为 18 位，当前为 17 位" in _credit_error("91350100M000100Y4").message
    assert _credit_error("  ").message == "请填写统一社会信用代码"


def test_credit_code_bad_character_is_named_with_its_position() -> None:
    message = _credit_error("91350100M0001O0Y43").message
    assert "第 14 位“O”无效" in message
    assert "I、O、S、V、Z" in message
    assert "第 2 位“-”无效" in _credit_error("9-350100M000100Y43").message


def test_credit_code_area_must_be_digits() -> None:
    assert "第 3–8 位" in _credit_error("9135A100M000100Y43").message


def test_credit_code_org_code_check() -> None:
    message = _credit_error("91350100M000100Y53").message
    assert "组织机构代码 M000100Y5" in message
    assert "第 17 位应为 4，实为 5" in message


def test_credit_code_overall_check() -> None:
    assert "第 18 位应为 3，实为 4" in _credit_error("91350100M000100Y44").message


def test_make_credit_code_rejects_bad_parts() -> None:
    with pytest.raises(ValueError):
        make_credit_code("9", "1", "35010", "M000100Y")
    with pytest.raises(ValueError):
        make_credit_code("9", "1", "350100", "M000100O")
    with pytest.raises(ValueError):
        make_credit_code("S", "1", "350100", "M000100Y")


credit_chars = st.sampled_from(CREDIT_CODE_ALPHABET)
credit_parts = st.tuples(
    credit_chars,
    credit_chars,
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=8, max_size=8),
)


@given(parts=credit_parts)
def test_every_generated_credit_code_validates(parts: tuple[str, str, str, str]) -> None:
    code = make_credit_code(*parts)
    info = validate_credit_code(code)
    assert info.normalized == code
    assert info.area_code == parts[2]
    assert info.organisation_code[:8] == parts[3]


@given(parts=credit_parts, position=st.integers(0, 17), replacement=st.characters())
def test_every_single_character_mutation_of_a_credit_code_is_rejected(
    parts: tuple[str, str, str, str], position: int, replacement: str
) -> None:
    code = make_credit_code(*parts)
    assume(not _same_after_normalising(code[position], replacement))
    with pytest.raises(IdentifierError):
        validate_credit_code(code[:position] + replacement + code[position + 1 :])


@given(parts=credit_parts, position=st.integers(0, 17), replacement=credit_chars)
def test_every_alphabet_substitution_of_a_credit_code_is_rejected(
    parts: tuple[str, str, str, str], position: int, replacement: str
) -> None:
    code = make_credit_code(*parts)
    assume(code[position] != replacement)
    with pytest.raises(IdentifierError):
        validate_credit_code(code[:position] + replacement + code[position + 1 :])


# --- 手机号码 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["13800138000", " 138 0013 8000 ", "138-0013-8000", "+8613800138000", "008613800138000", "8613800138000"],
)
def test_phone_forms_are_normalised(raw: str) -> None:
    assert validate_phone(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw", ["", "12800138000", "1380013800", "138001380001", "1380013800a", "٣3800138000"]
)
def test_bad_phones_are_rejected(raw: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_phone(raw)
    assert caught.value.code == CoreErrorCode.INVALID_PHONE
    assert list(caught.value.fields) == ["phone"]


@given(mobile=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mobile_number_validates(mobile: str) -> None:
    assert validate_phone(mobile) == mobile


# --- robustness ------------------------------------------------------------------------------------


@given(text=st.text(max_size=40))
def test_random_text_raises_only_identifier_errors(text: str) -> None:
    for validate in (validate_id_number, validate_credit_code, validate_phone):
        try:
            validate(text)
        except IdentifierError as error:
            assert isinstance(error, DomainError)
            assert error.message


@given(text=st.text(alphabet="0123456789Xx ", min_size=16, max_size=20))
def test_id_like_text_raises_only_identifier_errors(text: str) -> None:
    with contextlib.suppress(IdentifierError):
        validate_id_number(text)
