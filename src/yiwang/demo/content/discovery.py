"""Demo content for discovery: item themes (主题), scenario questions (情形引导) and the national
first-batch "one thing" bundles (一件事).  Items are referred to by name; the loader resolves them."""

from __future__ import annotations

from typing import Any

# 主题分类: item name → theme codes (see catalog.models.Theme).
THEMES: dict[str, list[str]] = {
    "食品经营许可": ["c02"],
    "个体工商户设立登记": ["c01", "p04"],
    "企业设立登记": ["c01"],
    "内资公司变更登记": ["c01"],
    "营业执照补领、换发": ["c01"],
    "居民身份证换领": ["p09"],
    "临时居民身份证办理": ["p09"],
    "户口迁移": ["p02"],
    "出生登记": ["p01", "p02"],
    "无犯罪记录证明开具": ["p09"],
    "结婚登记": ["p05"],
    "社会团体成立登记": ["c07"],
    "最低生活保障申请": ["p13"],
    "高龄津贴申领": ["p15"],
    "失业保险金申领": ["p04", "p06"],
    "职业技能等级证书查询": ["p11"],
    "职工退休审批": ["p12", "p06"],
    "社会保障卡申领": ["p06", "p09"],
    "人力资源服务许可": ["c05"],
    "建筑工程施工许可证核发": ["c03"],
    "商品房预售许可": ["c03", "p08"],
    "国有建设用地使用权及房屋所有权转移登记": ["c04", "p08"],
    "建设用地规划许可证核发": ["c04"],
    "建设工程规划许可证核发": ["c04"],
    "医师执业注册": ["p11"],
    "护士执业注册": ["p11"],
    "公共场所卫生许可": ["c02"],
    "生育登记": ["p01"],
    "道路旅客运输经营许可": ["c08"],
    "出租汽车驾驶员从业资格证核发": ["p10", "p11"],
    "民办学校设立": ["c07"],
    "教师资格认定": ["p03", "p11"],
    "残疾人证办理": ["p14"],
    "住房公积金提取": ["p08"],
    "出生医学证明首次签发": ["p01", "p07"],
    "预防接种证办理": ["p01", "p07"],
    "城乡居民基本医疗保险参保登记": ["p06", "p07"],
    "职工基本医疗保险退休人员待遇核定": ["p12", "p06"],
    "户外招牌设置备案": ["c02"],
    "公众聚集场所投入使用、营业前消防安全检查": ["c02", "c06"],
    "纳税人登记信息变更": ["c01"],
    "社会保险单位信息变更登记": ["c01", "c05"],
    "基本养老保险待遇申领": ["p12", "p06"],
    "社会保障卡补换领": ["p06", "p09"],
    "社会保障卡应用状态变更（挂失、解挂）": ["p06"],
    "住房公积金单位登记信息变更": ["c01"],
}

_AGENT_QUESTION = {
    "key": "agent",
    "text": "本人办理还是委托代理人办理？",
    "help_text": "委托他人代为办理的，需提交授权委托书及受托人身份证明。",
}

# 情形引导: item name → {"conditions": [...], "questions": [...]} (see catalog.scenarios.define_scenarios).
SCENARIOS: dict[str, dict[str, Any]] = {
    "个体工商户设立登记": {
        "conditions": ["委托代理人须持有经营者签署的授权委托书，并具有完全民事行为能力。"],
        "questions": [
            {
                **_AGENT_QUESTION,
                "options": [
                    {"value": "self", "label": "经营者本人办理", "removes_materials": []},
                    {
                        "value": "agent",
                        "label": "委托代理人办理",
                        "adds_materials": ["委托代理人身份证明及授权委托书"],
                        "adds_conditions": [
                            "委托代理人须持有经营者签署的授权委托书，并具有完全民事行为能力。"
                        ],
                    },
                ],
            },
            {
                "key": "premises",
                "text": "经营场所是自有房产还是租赁？",
                "options": [
                    {
                        "value": "own",
                        "label": "自有房产",
                        "adds_materials": ["经营场所产权证明"],
                        "removes_materials": ["经营场所使用相关文件"],
                    },
                    {
                        "value": "rented",
                        "label": "租赁",
                        "adds_materials": ["经营场所租赁合同"],
                        "removes_materials": ["经营场所使用相关文件"],
                    },
                ],
            },
        ],
    },
    "食品经营许可": {
        "conditions": ["延续申请应当在食品经营许可证有效期届满前90个工作日至15个工作日期间提出。"],
        "questions": [
            {
                "key": "apply_type",
                "text": "首次申请还是延续？",
                "options": [
                    {"value": "first", "label": "首次申请"},
                    {
                        "value": "renewal",
                        "label": "延续（经营条件未发生变化）",
                        "removes_materials": ["与食品经营相适应的主要设备设施、经营布局、操作流程等文件"],
                        "adds_conditions": [
                            "延续申请应当在食品经营许可证有效期届满前90个工作日至15个工作日期间提出。"
                        ],
                    },
                ],
            },
            {
                **_AGENT_QUESTION,
                "options": [
                    {"value": "self", "label": "法定代表人（负责人）本人办理"},
                    {
                        "value": "agent",
                        "label": "委托代理人办理",
                        "adds_materials": ["授权委托书及受托人身份证明"],
                    },
                ],
            },
        ],
    },
    "出生登记": {
        "conditions": ["非婚生育的，须提供具有资质的鉴定机构出具的亲子鉴定证明。"],
        "questions": [
            {
                "key": "married",
                "text": "新生儿父母是否已登记结婚？",
                "options": [
                    {"value": "yes", "label": "已登记结婚", "adds_materials": ["父母结婚证"]},
                    {
                        "value": "no",
                        "label": "未登记结婚",
                        "adds_conditions": ["非婚生育的，须提供具有资质的鉴定机构出具的亲子鉴定证明。"],
                    },
                ],
            },
            {
                "key": "settle_with",
                "text": "新生儿随父亲还是随母亲落户？",
                "options": [
                    {"value": "father", "label": "随父亲落户"},
                    {"value": "mother", "label": "随母亲落户"},
                ],
            },
        ],
    },
    "企业设立登记": {
        "conditions": [],
        "questions": [
            {
                **_AGENT_QUESTION,
                "options": [
                    {"value": "self", "label": "法定代表人本人办理"},
                    {
                        "value": "agent",
                        "label": "委托代理人办理",
                        "adds_materials": ["委托书及受托人身份证明"],
                    },
                ],
            }
        ],
    },
}

# 一件事 The national first-batch themes (国办发〔2024〕3号 "高效办成一件事" 重点事项清单).
BUNDLES: list[dict[str, Any]] = [
    {
        "code": "newborn",
        "name": "新生儿出生一件事",
        "audience": "person",
        "event": "出生",
        "description": "新生儿出生后，出生医学证明、预防接种证、户口登记、医保参保登记、社会保障卡申领一次申请、一次办好。",
        "lead_department": "合肥市卫生健康委员会",
        "committed_limit_days": 5,
        "visits_required": 0,
        "order": 1,
        "members": [
            "出生医学证明首次签发",
            "预防接种证办理",
            "出生登记",
            "城乡居民基本医疗保险参保登记",
            "社会保障卡申领",
        ],
        "fields": [
            {
                "name": "baby_name",
                "label": "新生儿姓名",
                "required": True,
                "maps_to": [
                    ("出生医学证明首次签发", "baby_name"),
                    ("预防接种证办理", "baby_name"),
                    ("出生登记", "baby_name"),
                    ("城乡居民基本医疗保险参保登记", "insured_name"),
                ],
            },
            {
                "name": "birth_date",
                "label": "出生日期",
                "type": "date",
                "required": True,
                "maps_to": [
                    ("出生医学证明首次签发", "birth_date"),
                    ("预防接种证办理", "birth_date"),
                    ("出生登记", "birth_date"),
                    ("城乡居民基本医疗保险参保登记", "birth_date"),
                ],
            },
            {
                "name": "gender",
                "label": "性别",
                "type": "select",
                "choices": ["男", "女"],
                "required": True,
                "maps_to": [("出生医学证明首次签发", "gender"), ("出生登记", "gender")],
            },
            {
                "name": "mother_name",
                "label": "母亲姓名",
                "required": True,
                "maps_to": [("出生医学证明首次签发", "mother_name"), ("预防接种证办理", "guardian_name")],
            },
            {
                "name": "mailing_address",
                "label": "邮寄地址",
                "maps_to": [("社会保障卡申领", "mailing_address")],
            },
        ],
    },
    {
        "code": "restaurant",
        "name": "开办餐饮店一件事",
        "audience": "business",
        "event": "开办",
        "description": "开办餐饮店涉及的个体工商户登记、食品经营许可、公共场所卫生许可、户外招牌设置、消防安全检查，一表申请、并联审批。",
        "lead_department": "合肥市市场监督管理局",
        "committed_limit_days": 5,
        "visits_required": 1,
        "order": 2,
        "members": [
            "个体工商户设立登记",
            "食品经营许可",
            "公共场所卫生许可",
            "户外招牌设置备案",
            "公众聚集场所投入使用、营业前消防安全检查",
        ],
        "optional": ["公共场所卫生许可", "户外招牌设置备案"],
        "fields": [
            {
                "name": "shop_name",
                "label": "店铺名称",
                "required": True,
                "maps_to": [
                    ("个体工商户设立登记", "trade_name"),
                    ("食品经营许可", "shop_name"),
                    ("公共场所卫生许可", "venue_name"),
                    ("户外招牌设置备案", "shop_name"),
                    ("公众聚集场所投入使用、营业前消防安全检查", "shop_name"),
                ],
            },
            {
                "name": "shop_address",
                "label": "经营场所地址",
                "required": True,
                "maps_to": [
                    ("个体工商户设立登记", "business_address"),
                    ("食品经营许可", "business_address"),
                    ("公共场所卫生许可", "venue_address"),
                    ("户外招牌设置备案", "shop_address"),
                    ("公众聚集场所投入使用、营业前消防安全检查", "shop_address"),
                ],
            },
            {
                "name": "area",
                "label": "经营面积（平方米）",
                "type": "number",
                "required": True,
                "maps_to": [
                    ("食品经营许可", "business_area"),
                    ("公共场所卫生许可", "venue_area"),
                    ("公众聚集场所投入使用、营业前消防安全检查", "area"),
                ],
            },
        ],
    },
    {
        "code": "company-change",
        "name": "企业信息变更一件事",
        "audience": "business",
        "event": "变更",
        "description": "企业名称、住所、法定代表人等登记信息变更后，税务、社保、公积金等信息同步变更，无需分别申请。",
        "lead_department": "合肥市市场监督管理局",
        "committed_limit_days": 3,
        "visits_required": 0,
        "order": 3,
        "members": [
            "内资公司变更登记",
            "纳税人登记信息变更",
            "社会保险单位信息变更登记",
            "住房公积金单位登记信息变更",
        ],
        "fields": [
            {
                "name": "change_items",
                "label": "变更事项",
                "type": "textarea",
                "required": True,
                "maps_to": [
                    ("内资公司变更登记", "change_items"),
                    ("纳税人登记信息变更", "change_items"),
                    ("社会保险单位信息变更登记", "change_items"),
                    ("住房公积金单位登记信息变更", "change_items"),
                ],
            },
            {
                "name": "company_name",
                "label": "企业名称",
                "required": True,
                "maps_to": [
                    ("纳税人登记信息变更", "company_name"),
                    ("社会保险单位信息变更登记", "company_name"),
                    ("住房公积金单位登记信息变更", "company_name"),
                ],
            },
            {
                "name": "credit_code",
                "label": "统一社会信用代码",
                "required": True,
                "maps_to": [
                    ("纳税人登记信息变更", "credit_code"),
                    ("社会保险单位信息变更登记", "credit_code"),
                    ("住房公积金单位登记信息变更", "credit_code"),
                ],
            },
        ],
    },
    {
        "code": "retirement",
        "name": "退休一件事",
        "audience": "person",
        "event": "退休",
        "description": "职工退休审批、基本养老保险待遇申领、退休人员医保待遇核定、住房公积金提取，一次申请、联动办理。",
        "lead_department": "合肥市人力资源和社会保障局",
        "committed_limit_days": 10,
        "visits_required": 0,
        "order": 4,
        "members": [
            "职工退休审批",
            "基本养老保险待遇申领",
            "职工基本医疗保险退休人员待遇核定",
            "住房公积金提取",
        ],
        "optional": ["住房公积金提取"],
        "fields": [
            {
                "name": "employer",
                "label": "所在单位",
                "required": True,
                "maps_to": [("职工退休审批", "employer"), ("职工基本医疗保险退休人员待遇核定", "employer")],
            },
            {
                "name": "retire_date",
                "label": "退休时间",
                "type": "date",
                "required": True,
                "maps_to": [
                    ("基本养老保险待遇申领", "retire_date"),
                    ("职工基本医疗保险退休人员待遇核定", "retire_date"),
                ],
            },
            {
                "name": "bank_account",
                "label": "收款银行账户",
                "required": True,
                "maps_to": [("基本养老保险待遇申领", "bank_account"), ("住房公积金提取", "bank_account")],
            },
        ],
    },
    {
        "code": "social-security-card",
        "name": "社会保障卡居民服务一件事",
        "audience": "person",
        "event": "社保卡",
        "description": "社会保障卡申领、补换、挂失解挂一站办理，一卡通用于就医购药、交通出行、文化旅游等场景。",
        "lead_department": "合肥市人力资源和社会保障局",
        "committed_limit_days": 0,
        "visits_required": 0,
        "order": 5,
        "members": ["社会保障卡申领", "社会保障卡补换领", "社会保障卡应用状态变更（挂失、解挂）"],
        "optional": ["社会保障卡补换领", "社会保障卡应用状态变更（挂失、解挂）"],
        "fields": [
            {
                "name": "mailing_address",
                "label": "邮寄地址",
                "maps_to": [("社会保障卡申领", "mailing_address"), ("社会保障卡补换领", "mailing_address")],
            },
        ],
    },
]
