"""Addresses of courier orders: region codes against the tree, address text, names and phones."""

from __future__ import annotations

import pytest

from yiwang.core.errors import DomainError
from yiwang.logistics.addresses import check_party, check_region, resolve_region
from yiwang.testing.logistics import COUNTY_WITHOUT_TOWNSHIPS, TOWNSHIP, applicant_party

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "6、9 或 12 位数字"),
        ("34010x", "6、9 或 12 位数字"),
        ("3401041", "6、9 或 12 位数字"),
        ("999999", "不存在"),
        ("340199", "不存在"),
        ("340104", "街道"),  # 蜀山区 has its townships in the data: pick one
    ],
)
def test_bad_region_codes_are_refused_with_the_field(regions, code, message):
    with pytest.raises(DomainError) as refused:
        check_region(code, field="recipient.region_code")
    assert refused.value.code == "logistics_invalid_address"
    assert message in refused.value.fields["recipient.region_code"][0]


def test_city_level_is_not_an_address_but_a_department_may_use_it(regions):
    with pytest.raises(DomainError):
        check_region("3401")
    assert check_region("3401", min_level=2).name == "合肥市"


def test_township_or_a_county_without_townships_is_accepted(regions):
    assert check_region(TOWNSHIP).name == "三里庵街道"
    assert check_region(COUNTY_WITHOUT_TOWNSHIPS).name == "包河区"
    assert check_region("340104", require_street=False).name == "蜀山区"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("address", "长江路", "过短"),
        ("address", "长" * 201, "过长"),
        ("address", "长江西路\x00100 号", "控制字符"),
        ("address", "长江西路\u202e100 号", "控制字符"),
        ("address", "   ", "请填写"),
        ("name", "", "请填写"),
        ("name", "张\x07伟", "控制字符"),
        ("phone", "12345", "手机号码或固定电话"),
    ],
)
def test_bad_text_is_refused(regions, field, value, message):
    with pytest.raises(DomainError) as refused:
        check_party("recipient", **applicant_party(**{field: value}))
    assert message in refused.value.fields[f"recipient.{field}"][0]


def test_a_good_party_is_trimmed_and_phones_normalised(regions):
    party = check_party("sender", **applicant_party(name=" 张伟 ", phone="+86 139-1234-5678"))
    assert (party.name, party.phone, party.region.code) == ("张伟", "13912345678", TOWNSHIP)
    assert check_party("sender", **applicant_party(phone="0551-63530000")).phone == "0551-63530000"


def test_free_text_resolves_to_the_deepest_division_named_with_its_ancestors(regions):
    assert resolve_region("安徽省合肥市蜀山区三里庵街道长江西路 1 号").code == TOWNSHIP
    assert resolve_region("合肥市蜀山区长江西路 100 号").code == "340104"
    assert resolve_region("合肥市包河区徽州大道 1 号").code == COUNTY_WITHOUT_TOWNSHIPS
    assert resolve_region("南京市玄武区中山路 1 号") is None
    assert resolve_region("") is None
