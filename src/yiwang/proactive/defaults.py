"""Demo rules (the demo loader calls ``ensure_demo_rules()``; running it twice changes nothing)."""

from __future__ import annotations

from typing import Any

from yiwang.accounts.models import StaffRole, User
from yiwang.proactive.models import Rule
from yiwang.proactive.schemas import ProactiveRuleIn
from yiwang.proactive.services import activate_rule, create_rule

DEMO_RULES: tuple[dict[str, Any], ...] = (
    {
        "name": "新生儿出生“一件事”提醒",
        "event": "birth",
        "conditions": {"region_prefix": "3401"},
        "title": "新生儿出生“一件事”联办提醒",
        "message": "恭喜您家喜添新成员！出生医学证明、户口登记、医保参保、社保卡申领可一次申请、一次办结。",
        "link": "/items/",
    },
    {
        "name": "育儿补贴免申即享",
        "event": "birth",
        "action": "grant",
        "conditions": {"region_prefix": "3401"},
        "title": "育儿补贴已为您发放（免申即享）",
        "message": "根据出生登记信息，您家新生儿符合育儿补贴条件，无需申请。",
        "benefit_name": "育儿补贴",
        "amount_fen": 360_000,
        "legal_basis": "《育儿补贴制度实施方案》（每孩每年 3600 元，按年发放至 3 周岁）",
    },
    {
        "name": "企业开办“一件事”大礼包",
        "event": "company_established",
        "conditions": {"region_prefix": "3401"},
        "title": "欢迎在合肥开办企业：开办大礼包已为您准备",
        "message": "免费刻制公章、申领发票与税控设备、社保和公积金开户、银行预约开户可一次办理。",
        "link": "/items/",
    },
    {
        "name": "证照到期换证提醒",
        "event": "licence_expiring",
        "conditions": {"days_before": 30},
        "title": "您的证照将在 30 天内到期",
        "message": "请及时办理延续或换证，逾期将影响使用。",
        "link": "/my/licences/",
    },
    {
        "name": "退休“一件事”提醒",
        "event": "retirement",
        "conditions": {"region_prefix": "34", "male_age": 60, "female_age": 55},
        "title": "您已达到法定退休年龄：退休“一件事”可网上办理",
        "message": "养老保险待遇申领、医保退休人员转换、公积金提取可一次申请。（年龄参数按渐进式延迟退休规定调整）",
        "link": "/items/",
    },
    {
        "name": "软件和信息技术服务业小微企业惠企政策",
        "event": "policy_match",
        "conditions": {
            "region_prefix": "3401",
            "industry_prefixes": ["I65"],
            "capital_max_fen": 1_000_000_000,
            "company_types": ["enterprise"],
        },
        "title": "惠企政策精准推送：软件和信息技术服务业小微企业扶持",
        "message": "贵企业符合合肥市软件产业扶持政策的行业和规模条件，可在线查看并申报。",
        "link": "/items/",
    },
)


def ensure_demo_rules(author: User | None = None) -> list[Rule]:
    """Create and activate the demo rules that are missing (by name), authored by ``author`` or the
    first 事项管理员 (nothing when there is none)."""
    if author is None:
        author = (
            User.objects.filter(staff_profile__roles__role=StaffRole.SERVICE_MANAGER).order_by("pk").first()
        )
    if author is None:
        return []
    made = []
    existing = set(Rule.objects.values_list("name", flat=True))
    for values in DEMO_RULES:
        if values["name"] in existing:
            continue
        rule = create_rule(author, ProactiveRuleIn.model_validate(values))
        made.append(activate_rule(author, rule))
    return made
