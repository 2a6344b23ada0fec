"""The standard reason lists (GB/T 39734, 国办发〔2019〕51号) and the default deadline rules,
installed by ``yiwang ratings_defaults`` (idempotent: existing rows are left as edited)."""

from __future__ import annotations

from django.db import transaction

from yiwang.ratings.models import RatingReason, ReasonKind, RectificationRule

GOOD_REASONS = [
    ("good_simple_process", "办事流程简便"),
    ("good_attitude", "服务态度好"),
    ("good_fast", "办理时间短"),
    ("good_one_visit", "一次办好，无需多次跑动"),
    ("good_clear_guide", "办事指南清晰准确"),
    ("good_few_materials", "材料精简"),
    ("good_online", "网上可办，方便快捷"),
    ("good_professional", "业务熟练，解答专业"),
]
BAD_REASONS = [
    ("bad_not_told_once", "未一次性告知"),
    ("bad_slow", "办理时间长"),
    ("bad_attitude", "服务态度差"),
    ("bad_many_visits", "多次跑动"),
    ("bad_unreasonable_materials", "材料要求不合理"),
    ("bad_unclear_guide", "办事指南不清晰"),
    ("bad_system", "系统不好用"),
    ("bad_fees", "违规收费"),
    ("bad_no_answer", "咨询无人答复"),
]
# (region prefix, name, call back days, rectify days, default after days)
RULES = [
    ("", "全国默认", 1, 15, 15),
    ("33", "浙江省", 1, 15, 15),
    ("51", "四川省", 3, 15, 15),
    ("34", "安徽省", 1, 15, 15),
]


def install_defaults() -> tuple[int, int]:
    """Create the missing reasons and rules; returns (reasons created, rules created)."""
    reasons = rules = 0
    with transaction.atomic():
        for kind, rows in ((ReasonKind.GOOD, GOOD_REASONS), (ReasonKind.BAD, BAD_REASONS)):
            for sort, (code, label) in enumerate(rows):
                _, created = RatingReason.objects.get_or_create(
                    code=code, defaults={"kind": kind, "label": label, "sort": sort}
                )
                reasons += created
        for prefix, name, callback, rectify, default_after in RULES:
            _, created = RectificationRule.objects.get_or_create(
                region_code=prefix,
                defaults={
                    "name": name,
                    "callback_days": callback,
                    "rectify_days": rectify,
                    "default_after_days": default_after,
                },
            )
            rules += created
    return reasons, rules


def rule_for(region_code: str) -> RectificationRule:
    """The rule with the longest prefix of ``region_code`` (the national default if none)."""
    best: RectificationRule | None = None
    for rule in RectificationRule.objects.all():
        if region_code.startswith(rule.region_code) and (
            best is None or len(rule.region_code) > len(best.region_code)
        ):
            best = rule
    if best is None:
        best = RectificationRule(region_code="", name="全国默认", callback_days=1, rectify_days=15)
    return best
