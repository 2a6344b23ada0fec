"""合肥市残疾人联合会 and 合肥住房公积金管理中心."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DISABLED_ITEMS: list[dict[str, Any]] = [
    {
        "name": "残疾人证办理",
        "base_code": "001120001000",
        "item_type": "20",
        "legal_basis": "《中华人民共和国残疾人保障法》第二条\n《中华人民共和国残疾人证管理办法》（中国残疾人联合会）",
        "conditions": "符合残疾标准的合肥市户籍视力、听力、言语、肢体、智力、精神及多重残疾人。",
        "process_description": "网上申请 → 指定医疗机构残疾评定（评定时间不计入）→ 残联审核 → 制证 → 领取或邮寄",
        "statutory_limit_days": 20,
        "committed_limit_days": 15,
        "limit_note": "残疾评定时间不计入办理时限。",
        "visits_required": 1,
        "handling_forms": [WINDOW, PC, MOBILE, EXPRESS],
        "online_depth": ["1", "2", "3", "4", "5", "6"],
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "中华人民共和国残疾人证",
        "express_supported": True,
        "keywords": "残疾证 残疾评定 残疾人",
        "materials": [
            material("残疾人证申请表", originals=1),
            material("居民身份证或居民户口簿", source="公安机关（电子证照共享）"),
            material("近期二寸免冠白底彩色照片", originals=3, form="both"),
            material("残疾评定表", originals=1, form="paper", source="指定医疗机构"),
        ],
        "form_fields": [
            select(
                "disability_type",
                "残疾类别",
                ["视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾"],
            ),
            text("guardian_name", "监护人姓名", required=False),
        ],
    },
]

FUND_ITEMS: list[dict[str, Any]] = [
    {
        "name": "住房公积金提取",
        "base_code": "001220001000",
        "item_type": "20",
        "legal_basis": (
            "《住房公积金管理条例》第二十四条、第二十五条：住房公积金管理中心应当自受理申请之日起3日内作出准予提取"
            "或者不准提取的决定，并通知申请人。"
        ),
        "conditions": (
            "有下列情形之一：购买、建造、翻建、大修自住住房；租赁自住住房；偿还购房贷款本息；离休、退休；"
            "完全丧失劳动能力并与单位终止劳动关系；出境定居；其他符合规定的情形。"
        ),
        "process_description": "网上申请 → 信息共享核验（购房、租房、退休等数据自动比对）→ 秒批 → 资金转入本人银行账户",
        "statutory_limit_days": 3,
        "committed_limit_days": 0,
        "limit_note": "数据核验通过的即时到账。",
        "case_kind": "1",
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "住房公积金提取结果通知",
        "appointment_supported": False,
        "keywords": "公积金 提取公积金 取公积金 租房提取 还贷提取",
        "materials": [
            material("居民身份证", source="公安机关（电子证照共享）"),
            material("提取原因证明材料", description="购房合同、租赁合同、退休证明等；可共享获取的免于提交"),
            material("本人银行借记卡", description="一类账户"),
        ],
        # 电子表单 (docs/forms.md): a section, a table shown only for rent, a computed money column
        # and a select from the GB/T 2260 code table.
        "form_definition": {
            "display": "form",
            "components": [
                {
                    "type": "panel",
                    "key": "withdrawal",
                    "label": "提取信息",
                    "components": [
                        {
                            "type": "select",
                            "key": "reason",
                            "label": "提取原因",
                            "validate": {"required": True},
                            "data": {
                                "values": [
                                    {"label": r, "value": r}
                                    for r in (
                                        "购买自住住房",
                                        "租赁自住住房",
                                        "偿还住房贷款本息",
                                        "离休、退休",
                                        "其他",
                                    )
                                ]
                            },
                        },
                        {
                            "type": "datagrid",
                            "key": "rent",
                            "label": "租房明细",
                            "conditional": {"show": True, "when": "reason", "eq": "租赁自住住房"},
                            "validate": {"maxLength": 12},
                            "components": [
                                {"type": "currency", "key": "monthly", "label": "月租金"},
                                {"type": "number", "key": "months", "label": "月数", "decimalLimit": 0},
                                {
                                    "type": "currency",
                                    "key": "subtotal",
                                    "label": "小计",
                                    "calculateValue": "value = row.monthly * row.months",
                                },
                            ],
                        },
                        {
                            "type": "currency",
                            "key": "amount",
                            "label": "提取金额",
                            "validate": {"required": True},
                        },
                    ],
                },
                {
                    "type": "panel",
                    "key": "payee",
                    "label": "收款信息",
                    "components": [
                        {"type": "textfield", "key": "bank_account", "label": "收款银行账号"},
                        {
                            "type": "select",
                            "key": "bank_region",
                            "label": "开户行所在地",
                            "properties": {"codeTable": "regions"},
                        },
                    ],
                },
            ],
        },
    },
]
