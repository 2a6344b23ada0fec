"""合肥市人力资源和社会保障局: unemployment benefit, skills certificates, retirement, social security cards."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DEPARTMENT = "hrss"

ITEMS: list[dict[str, Any]] = [
    {
        "name": "失业保险金申领",
        "base_code": "000405001000",
        "item_type": "05",
        "legal_basis": (
            "《中华人民共和国社会保险法》第四十五条、第五十条\n《失业保险条例》第十四条、第十六条"
        ),
        "conditions": (
            "1. 失业前用人单位和本人已经缴纳失业保险费满一年；\n2. 非因本人意愿中断就业；\n"
            "3. 已经进行失业登记，并有求职要求。"
        ),
        "process_description": "网上申请 → 失业登记信息共享核验 → 审核 → 按月发放至本人社会保障卡",
        "statutory_limit_days": 10,
        "committed_limit_days": 3,
        "limit_note": "经办机构自受理之日起10日内核定。",
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "失业保险待遇核定通知",
        "keywords": "失业金 失业补助 失业保险",
        "materials": [
            material("居民身份证", source="公安机关（电子证照共享）"),
            material("终止或者解除劳动关系的证明", copies=1, source="原用人单位"),
            material("本人社会保障卡或银行账户", description="用于发放失业保险金"),
        ],
        "form_fields": [
            text("last_employer", "原工作单位"),
            day("separation_date", "解除（终止）劳动关系日期"),
            text("bank_account", "社会保障卡金融账号"),
        ],
    },
    {
        "name": "职业技能等级证书查询",
        "base_code": "000420001000",
        "item_type": "20",
        "legal_basis": (
            "《中华人民共和国劳动法》第六十九条\n"
            "《人力资源社会保障部关于改革完善技能人才评价制度的意见》（人社部发〔2019〕90号）"
        ),
        "conditions": "持有职业资格证书或职业技能等级证书的个人，或经持证人授权的用人单位。",
        "process_description": "在线提交 → 系统比对证书库 → 即时反馈查询结果",
        "statutory_limit_days": 1,
        "committed_limit_days": 0,
        "case_kind": "1",
        "handling_forms": [PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON, COMPANY],
        "result_name": "职业技能等级证书查询结果",
        "appointment_supported": False,
        "keywords": "技能证书 职业资格证 证书真伪 证书核验",
        "materials": [
            material("居民身份证", source="公安机关（电子证照共享）"),
            material("职业技能等级证书", mandatory=False, description="需核验证书真伪时上传"),
        ],
        "form_fields": [
            text("certificate_number", "证书编号", required=False),
            select("query_purpose", "查询类型", ["个人查询", "单位核验"]),
        ],
    },
    {
        "name": "职工退休审批",
        "base_code": "000407001000",
        "item_type": "07",
        "legal_basis": (
            "《国务院关于工人退休、退职的暂行办法》（国发〔1978〕104号）\n"
            "《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》\n"
            "《中华人民共和国社会保险法》第十六条"
        ),
        "conditions": "达到法定退休年龄且累计缴纳基本养老保险费满规定年限的参保职工；弹性提前、延迟退休按规定办理。",
        "process_description": "用人单位网上申报 → 档案审核 → 退休审批 → 养老待遇核定 → 发放",
        "statutory_limit_days": 20,
        "committed_limit_days": 10,
        "handling_forms": [WINDOW, PC],
        "online_depth": ["1", "2", "3", "4", "5", "6"],
        "service_objects": [PERSON, COMPANY],
        "required_assurance_level": 2,
        "result_name": "职工退休审批表、基本养老金核定表",
        "keywords": "退休 办理退休 养老金",
        "materials": [
            material("居民身份证", source="公安机关（电子证照共享）"),
            material("职工人事档案", originals=1, form="paper", source="用人单位或档案保管机构"),
            material("职工退休申请表", originals=1, description="用人单位盖章"),
        ],
        "form_fields": [
            text("employer", "所在单位"),
            select("retire_type", "退休类型", ["正常退休", "弹性提前退休", "弹性延迟退休", "因病提前退休"]),
            day("work_start_date", "参加工作时间"),
        ],
    },
    {
        "name": "社会保障卡申领",
        "base_code": "000420002000",
        "item_type": "20",
        "legal_basis": (
            "《中华人民共和国社会保险法》第五十八条：国家建立全国统一的个人社会保障号码。个人社会保障号码为公民身份号码。"
        ),
        "conditions": "在合肥市参加社会保险的人员。",
        "process_description": "网上申领 → 制卡 → 邮寄送达或网点领取；合作银行网点可即时制卡",
        "statutory_limit_days": 10,
        "committed_limit_days": 0,
        "limit_note": "银行网点即时制卡；网上申领的10个工作日内寄出。",
        "case_kind": "1",
        "handling_forms": [WINDOW, PC, MOBILE, EXPRESS],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "result_name": "社会保障卡",
        "express_supported": True,
        "keywords": "社保卡 医保卡 补卡",
        "materials": [
            material("居民身份证", source="公安机关（电子证照共享）"),
            material("近期免冠白底彩色证件照", description="电子照片，可在线拍摄"),
        ],
        "form_fields": [
            select(
                "bank", "服务银行", ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "徽商银行"]
            ),
            text("mailing_address", "邮寄地址", required=False),
        ],
    },
    {
        "name": "人力资源服务许可",
        "base_code": "000401001000",
        "item_type": "01",
        "legal_basis": (
            "《人力资源市场暂行条例》第十八条、第十九条：人力资源社会保障行政部门应当自收到经营性人力资源服务机构"
            "从事职业中介活动的申请之日起20日内依法作出行政许可决定。\n《中华人民共和国就业促进法》第四十条"
        ),
        "conditions": (
            "1. 有明确的章程和管理制度；\n2. 有开展业务必备的固定场所、办公设施和开办资金；\n"
            "3. 有一定数量具备相应职业资格的专职工作人员。"
        ),
        "process_description": "网上申请 → 受理 → 审查 → 作出许可决定 → 颁发人力资源服务许可证",
        "statutory_limit_days": 20,
        "committed_limit_days": 5,
        "handling_forms": [WINDOW, PC],
        "online_depth": FULL_ONLINE,
        "service_objects": [COMPANY],
        "required_assurance_level": 2,
        "result_name": "人力资源服务许可证",
        "express_supported": True,
        "keywords": "职业中介 人力资源公司 猎头 招聘",
        "materials": [
            material("人力资源服务许可申请书", originals=1),
            material("营业执照", source="市场监督管理部门（电子证照共享）"),
            material("经营场所使用证明", copies=1),
            material("专职工作人员的身份证明及劳动合同", copies=1),
            material("工作制度", originals=1, description="含服务流程、服务标准、收费标准、安全管理制度"),
        ],
        "form_fields": [
            textarea("service_scope", "申请服务范围"),
            number("office_area", "办公场所面积（平方米）"),
            number("staff_count", "专职工作人员数"),
        ],
    },
]
