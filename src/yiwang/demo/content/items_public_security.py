"""合肥市公安局: resident ID cards, household registration, criminal-record certificates."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DEPARTMENT = "police"

_ID_FEE_BASIS = (
    "《财政部 国家发展改革委关于居民身份证收费标准及有关问题的通知》（财综〔2007〕34号）："
    "换领、补领第二代居民身份证每证20元；临时居民身份证每证10元。"
)

ITEMS: list[dict[str, Any]] = [
    {
        "name": "居民身份证换领",
        "base_code": "000207001000",
        "item_type": "07",
        "legal_basis": (
            "《中华人民共和国居民身份证法》第五条、第十条、第十一条：居民身份证有效期满、公民姓名变更或者证件严重损坏"
            "不能辨认的，应当申请换领新证。\n" + _ID_FEE_BASIS
        ),
        "conditions": "1. 居民身份证有效期满（可在期满前三个月内申请）；\n2. 登记项目变更；\n3. 证件严重损坏不能辨认。",
        "process_description": (
            "网上预约（可选）→ 窗口提交证件、现场采集人像和指纹 → 缴费 → 制证 → 窗口领取或邮寄送达"
        ),
        "statutory_limit_days": 42,
        "committed_limit_days": 15,
        "limit_note": "《居民身份证法》第十条规定自申请之日起60日内发放（交通不便地区可延长不超过30日），折合约42个工作日。",
        "fee_required": True,
        "fee_description": "20元/证（居民身份证换领工本费）",
        "fee_basis": _ID_FEE_BASIS,
        "visits_required": 1,
        "handling_forms": [WINDOW, MOBILE],
        "online_depth": PRE_REVIEW,
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "中华人民共和国居民身份证",
        "online_apply": False,
        "online_payment_supported": True,
        "express_supported": True,
        "keywords": "身份证到期 换身份证 二代证",
        "materials": [
            material("原居民身份证", originals=1, form="paper", description="证件严重损坏的一并交回"),
            material("居民户口簿", originals=1, form="paper", source="公安机关"),
            material(
                "居民身份证数码相片",
                mandatory=False,
                source="现场免费采集或公安机关认可的照相机构",
                description="白色背景、免冠正面彩色数码相片；现场采集的无需提交",
            ),
        ],
        "form_fields": [
            select("reason", "换领原因", ["有效期满", "登记项目变更", "证件严重损坏"]),
            select("delivery", "领取方式", ["窗口领取", "邮寄送达"]),
            text("mailing_address", "邮寄地址", required=False),
        ],
    },
    {
        "name": "临时居民身份证办理",
        "base_code": "000207002000",
        "item_type": "07",
        "legal_basis": (
            "《中华人民共和国居民身份证法》第十条\n《中华人民共和国临时居民身份证管理办法》第二条、第五条\n"
            + _ID_FEE_BASIS
        ),
        "conditions": "正在申领、换领、补领居民身份证期间，急需使用居民身份证的，可以申请领取临时居民身份证。",
        "process_description": "窗口申请 → 审核 → 当场制证签发",
        "statutory_limit_days": 3,
        "committed_limit_days": 0,
        "limit_note": "当场签发。",
        "case_kind": "1",
        "fee_required": True,
        "fee_description": "10元/证（临时居民身份证工本费）",
        "fee_basis": _ID_FEE_BASIS,
        "visits_required": 1,
        "handling_forms": [WINDOW],
        "online_depth": ["1"],
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "临时居民身份证",
        "online_apply": False,
        "appointment_supported": True,
        "keywords": "临时身份证 急用身份证",
        "materials": [
            material("居民户口簿", originals=1, form="paper", source="公安机关"),
            material("近期一寸免冠照片", originals=2, form="paper", description="白底彩色"),
            material("居民身份证申领回执", mandatory=False, originals=1, form="paper"),
        ],
        "form_fields": [
            select("reason", "申请原因", ["正在申领居民身份证", "居民身份证丢失或损坏待补领"]),
            textarea("urgent_reason", "急需使用事由"),
        ],
    },
    {
        "name": "户口迁移",
        "base_code": "000201001000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国户口登记条例》第十条、第十三条\n"
            "《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）"
        ),
        "conditions": (
            "符合合肥市落户政策：在合肥市区拥有合法稳定住所（含租赁），或投靠直系亲属，或人才引进、稳定就业等情形；"
            "跨省迁入实行“跨省通办”，由迁入地公安机关直接办理。"
        ),
        "process_description": "网上申请或窗口申请 → 派出所受理 → 审核 → 准予迁入 → 办理落户、打印户口簿",
        "statutory_limit_days": 20,
        "committed_limit_days": 5,
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": ["1", "2", "3", "4", "5", "6"],
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "准予迁入证明、居民户口簿",
        "keywords": "落户 迁户口 户籍 入户",
        "materials": [
            material("居民户口簿", originals=1, source="公安机关"),
            material("居民身份证", source="公安机关（电子证照共享）"),
            material("合法稳定住所证明", copies=1, description="不动产权证书或住房租赁登记备案证明"),
            material("户主同意落户声明", mandatory=False, originals=1, description="投靠亲属落户的提交"),
            material("亲属关系证明", mandatory=False, description="结婚证、出生医学证明等，投靠类提交"),
        ],
        "form_fields": [
            select("move_type", "迁移类型", ["购房落户", "租房落户", "投靠亲属", "人才引进", "就业落户"]),
            text("from_address", "迁出地"),
            text("to_address", "迁入地址"),
            number("member_count", "随迁人数", required=False),
        ],
    },
    {
        "name": "出生登记",
        "base_code": "000207003000",
        "item_type": "07",
        "legal_basis": (
            "《中华人民共和国户口登记条例》第七条：婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地"
            "户口登记机关申报出生登记。"
        ),
        "conditions": "新生儿父亲或母亲一方为合肥市户籍；持有医疗机构签发的《出生医学证明》。",
        "process_description": "新生儿出生“一件事”联办：网上申报 → 共享出生医学证明 → 审核 → 办结，户口簿邮寄送达",
        "statutory_limit_days": 20,
        "committed_limit_days": 0,
        "limit_note": "材料齐全的即时办结。",
        "case_kind": "1",
        "handling_forms": [WINDOW, PC, MOBILE, EXPRESS],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "居民户口簿（新生儿户籍页）",
        "express_supported": True,
        "keywords": "新生儿落户 上户口 报户口 宝宝",
        "materials": [
            material("出生医学证明", source="卫生健康部门（电子证照共享）"),
            material("父母双方居民户口簿", originals=1, source="公安机关"),
            material("父母双方居民身份证", source="公安机关（电子证照共享）"),
            material("父母结婚证", mandatory=False, source="民政部门（电子证照共享）"),
        ],
        "form_fields": [
            text("baby_name", "新生儿姓名"),
            day("birth_date", "出生日期"),
            select("gender", "性别", ["男", "女"]),
            select("settle_with", "随父母落户", ["随父亲落户", "随母亲落户"]),
        ],
    },
    {
        "name": "无犯罪记录证明开具",
        "base_code": "000220001000",
        "item_type": "20",
        "legal_basis": "《公安机关办理犯罪记录查询工作规定》（公通字〔2021〕19号）",
        "conditions": "申请人为本人或经本人书面委托的人员；查询用途合法。",
        "process_description": "网上申请 → 公安机关查询 → 出具电子《无犯罪记录证明》（可扫码核验）",
        "statutory_limit_days": 3,
        "committed_limit_days": 1,
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "无犯罪记录证明",
        "keywords": "无犯罪证明 良民证 犯罪记录查询",
        "materials": [
            material("居民身份证", source="公安机关（电子证照共享）"),
            material(
                "授权委托书及受托人身份证明",
                mandatory=False,
                originals=1,
                description="委托他人代为申请时提交",
            ),
        ],
        "form_fields": [
            select("purpose", "证明用途", ["就业", "出国（境）", "入学", "其他"]),
            text("receiving_unit", "使用单位", required=False),
            textarea("purpose_detail", "用途说明", required=False),
        ],
    },
]
