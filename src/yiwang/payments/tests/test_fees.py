"""收费规则: the breakdown of fixed, per-unit and band fees with exemptions, as a pure function
(properties: never negative, integer fen, an exemption never adds), and rule validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.core.errors import DomainError
from yiwang.payments import services
from yiwang.payments.fees import MAX_FEN, ExemptionSpec, RuleSpec, compute_breakdown
from yiwang.payments.models import FeeRuleKind

SMALL = ExemptionSpec(
    "XW", "小微企业减半", 50, "财税〔2019〕13号", condition_field="small_business", condition_value="是"
)
FREE = ExemptionSpec(
    "RD",
    "残疾人免收",
    100,
    "残疾人保障法",
    applicant_type="natural",
    condition_field="disabled",
    condition_value="true",
)


def test_fixed_fee_with_half_reduction_and_exemption():
    rule = RuleSpec(1, "登记费", "fixed", amount_fen=5001, exemptions=(SMALL, FREE))
    plain = compute_breakdown([rule], {}, "natural")
    assert plain.total_fen == 5001 and plain.lines[0].reduction_fen == 0
    half = compute_breakdown([rule], {"small_business": "是"}, "legal")
    assert half.lines[0].reduction_fen == 2501  # half of 5001 rounded half up
    assert half.total_fen == 2500 and half.lines[0].exemption_code == "XW"
    free = compute_breakdown([rule], {"small_business": "是", "disabled": True}, "natural")
    assert free.total_fen == 0 and free.lines[0].exemption_code == "RD"  # the largest applies, not the sum
    assert compute_breakdown([rule], {"disabled": True}, "legal").total_fen == 5001  # applicant type differs


def test_per_unit_fee_rounds_and_clamps():
    rule = RuleSpec(
        1, "测绘费", "per_unit", unit_price_fen=150, quantity_field="area", min_fen=1000, max_fen=100000
    )
    assert compute_breakdown([rule], {"area": "12.5"}).total_fen == 1875
    assert compute_breakdown([rule], {"area": "1"}).total_fen == 1000  # minimum
    assert compute_breakdown([rule], {"area": 10**6}).total_fen == 100000  # maximum
    assert compute_breakdown([rule], {"area": "-5"}).total_fen == 1000  # negative counts as 0
    assert compute_breakdown([rule], {"area": "abc"}).total_fen == 1000
    assert compute_breakdown([rule], {"area": "NaN"}).total_fen == 1000


def test_band_fee():
    rule = RuleSpec(
        1, "分档", "band", quantity_field="area", bands=[[100, 1000], ["500", 3000], [None, 8000]]
    )
    assert compute_breakdown([rule], {"area": 100}).total_fen == 1000
    assert compute_breakdown([rule], {"area": 100.5}).total_fen == 3000
    assert compute_breakdown([rule], {"area": 9999}).total_fen == 8000
    closed = RuleSpec(1, "分档", "band", quantity_field="area", bands=[[100, 1000], [200, 2000]])
    assert compute_breakdown([closed], {"area": 999}).total_fen == 2000  # above every bound: the last band


amounts = st.integers(min_value=0, max_value=MAX_FEN)
exemptions = st.lists(
    st.builds(
        ExemptionSpec,
        code=st.text("ABC", min_size=1, max_size=3),
        name=st.just("减免"),
        percent=st.integers(min_value=-20, max_value=150),
        condition_field=st.sampled_from(["flag", ""]),
        condition_value=st.sampled_from(["1", "0"]),
        applicant_type=st.sampled_from(["", "natural", "legal"]),
    ),
    max_size=4,
)
rules = st.one_of(
    st.builds(
        RuleSpec,
        fee_item_id=st.just(1),
        name=st.just("定额"),
        kind=st.just("fixed"),
        amount_fen=amounts,
        exemptions=exemptions,
    ),
    st.builds(
        RuleSpec,
        fee_item_id=st.just(2),
        name=st.just("按量"),
        kind=st.just("per_unit"),
        unit_price_fen=amounts,
        quantity_field=st.just("qty"),
        min_fen=st.one_of(st.none(), amounts),
        max_fen=st.one_of(st.none(), amounts),
        exemptions=exemptions,
    ),
    st.builds(
        RuleSpec,
        fee_item_id=st.just(3),
        name=st.just("分档"),
        kind=st.just("band"),
        quantity_field=st.just("qty"),
        bands=st.lists(st.tuples(st.integers(0, 1000), amounts), min_size=1, max_size=4).map(
            lambda bands: sorted(bands, key=lambda b: b[0])
        ),
        exemptions=exemptions,
    ),
)
form_values = st.fixed_dictionaries(
    {
        "qty": st.one_of(
            st.integers(-(10**12), 10**12), st.floats(allow_nan=True), st.text(max_size=8), st.none()
        ),
        "flag": st.sampled_from(["1", "0", None, True, 1]),
    }
)


@given(st.lists(rules, max_size=4), form_values, st.sampled_from(["natural", "legal", ""]))
def test_breakdown_properties(rule_list, form, applicant_type):
    breakdown = compute_breakdown(rule_list, form, applicant_type)
    assert len(breakdown.lines) == len(rule_list)
    for line in breakdown.lines:
        for value in (line.gross_fen, line.reduction_fen, line.net_fen):
            assert isinstance(value, int) and not isinstance(value, bool)
            assert 0 <= value <= MAX_FEN
        assert line.net_fen == line.gross_fen - line.reduction_fen
    without = compute_breakdown(
        [RuleSpec(**{**r.__dict__, "exemptions": ()}) for r in rule_list], form, applicant_type
    )
    assert breakdown.total_fen <= without.total_fen  # exemptions only reduce
    assert breakdown.gross_fen == without.gross_fen


def test_rule_validation(world):
    with pytest.raises(DomainError) as bad_kind:
        services.set_fee_rule(world.fee_item, actor=None, kind="weird")
    assert bad_kind.value.code == "payment_invalid_rule"
    with pytest.raises(DomainError):
        services.set_fee_rule(world.fee_item, actor=None, kind=FeeRuleKind.PER_UNIT, unit_price_fen=10)
    with pytest.raises(DomainError):
        services.set_fee_rule(
            world.fee_item, actor=None, kind=FeeRuleKind.BAND, quantity_field="area", bands=[[5, 1], [3, 2]]
        )
    with pytest.raises(DomainError):
        services.set_fee_rule(world.fee_item, actor=None, kind=FeeRuleKind.FIXED, amount_fen=-1)
    with pytest.raises(DomainError) as denied:
        services.set_fee_rule(world.fee_item, actor=world.finance, kind=FeeRuleKind.FIXED, amount_fen=1)
    assert denied.value.status == 403
    rule = services.set_fee_rule(
        world.fee_item,
        actor=None,
        kind=FeeRuleKind.BAND,
        quantity_field="area",
        bands=[[5, 100], [None, 200]],
    )
    services.add_exemption(
        rule,
        actor=None,
        code="XW",
        name="小微企业减半",
        percent=50,
        condition_field="small_business",
        condition_value="是",
    )
    with pytest.raises(DomainError):
        services.add_exemption(rule, actor=None, code="X", name="无条件", percent=50)
    with pytest.raises(DomainError):
        services.add_exemption(rule, actor=None, code="Y", name="超限", percent=101, applicant_type="legal")
    breakdown = services.breakdown_for(world.item, {"area": "8", "small_business": "是"}, "legal")
    assert breakdown.total_fen == 100 and breakdown.lines[0].legal_basis == "《收费标准》"
