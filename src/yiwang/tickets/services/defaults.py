"""缺省数据 The keyword table, the deadlines per category and the routing rules of the Hefei demo,
installed by ``yiwang tickets_defaults`` (idempotent: rows are matched by their natural key and left
alone when they exist, so local edits survive)."""

from __future__ import annotations

from django.db import transaction

from yiwang.core import audit
from yiwang.core.models import Organisation
from yiwang.tickets.classification import forget_keyword_table
from yiwang.tickets.models import DeadlineRule, RoutingRule, TicketKeyword

HOTLINE_CENTRE = "合肥市政务服务管理局"

DEADLINES = {  # category: (accept, reply) working days
    "consultation": (1, 1),
    "help": (1, 3),
    "complaint": (1, 5),
    "suggestion": (1, 5),
    "praise": (1, 5),
}

# keyword: (category suggested, subject tag, weight)
KEYWORDS: dict[str, tuple[str, str, int]] = {
    "投诉": ("complaint", "", 3),
    "举报": ("complaint", "", 3),
    "不满": ("complaint", "", 2),
    "态度": ("complaint", "服务态度", 1),
    "推诿": ("complaint", "服务态度", 2),
    "刁难": ("complaint", "服务态度", 2),
    "乱收费": ("complaint", "收费", 3),
    "收费": ("", "收费", 1),
    "咨询": ("consultation", "", 2),
    "请问": ("consultation", "", 2),
    "怎么办": ("consultation", "", 1),
    "如何": ("consultation", "", 1),
    "需要": ("consultation", "", 1),
    "材料": ("consultation", "办事材料", 1),
    "建议": ("suggestion", "", 3),
    "希望": ("suggestion", "", 1),
    "求助": ("help", "", 3),
    "帮忙": ("help", "", 2),
    "表扬": ("praise", "", 3),
    "感谢": ("praise", "", 2),
    "营业执照": ("", "市场监管", 2),
    "食品": ("", "食品安全", 2),
    "过期": ("", "食品安全", 1),
    "超市": ("", "市场监管", 1),
    "商家": ("", "市场监管", 1),
    "价格": ("", "市场监管", 1),
    "户口": ("", "公安户政", 2),
    "户籍": ("", "公安户政", 2),
    "身份证": ("", "公安户政", 2),
    "居住证": ("", "公安户政", 2),
    "噪音": ("", "环境", 2),
    "社保": ("", "人社", 2),
    "医保": ("", "医保", 2),
    "公积金": ("", "公积金", 2),
}

# (name, priority, category, keyword/tag, region prefix, department name)
ROUTING = [
    ("市场监管类诉求", 50, "", "市场监管", "", "合肥市市场监督管理局"),
    ("食品安全诉求", 60, "", "食品安全", "", "合肥市市场监督管理局"),
    ("公安户政诉求", 50, "", "公安户政", "", "合肥市公安局"),
]


def install_defaults() -> dict[str, int]:
    """Seed what is missing; answers how many rows of each kind were created."""
    made = {"keywords": 0, "deadlines": 0, "routing": 0}
    with transaction.atomic():
        for category, (accept, reply) in DEADLINES.items():
            _, created = DeadlineRule.objects.get_or_create(
                category=category, defaults={"accept_days": accept, "reply_days": reply}
            )
            made["deadlines"] += created
        for word, (category, tag, weight) in KEYWORDS.items():
            _, created = TicketKeyword.objects.get_or_create(
                keyword=word, defaults={"category": category, "tag": tag, "weight": weight}
            )
            made["keywords"] += created
        for name, priority, category, keyword, prefix, department_name in ROUTING:
            department = (
                Organisation.objects.filter(name=department_name, is_active=True).order_by("pk").first()
            )
            if department is None or RoutingRule.objects.filter(name=name).exists():
                continue
            RoutingRule.objects.create(
                name=name,
                priority=priority,
                category=category,
                keyword=keyword,
                region_prefix=prefix,
                department=department,
            )
            made["routing"] += 1
        centre = Organisation.objects.filter(name=HOTLINE_CENTRE, is_active=True).order_by("pk").first()
        if centre is not None and not RoutingRule.objects.filter(is_fallback=True).exists():
            RoutingRule.objects.create(
                name="兜底：热线中心", priority=-100, department=centre, is_fallback=True
            )
            made["routing"] += 1
        if any(made.values()):
            audit.record("tickets.defaults_installed", object_type="tickets.RoutingRule", detail=made)
    forget_keyword_table()
    return made
