"""合肥市民政局: marriage registration, social organisations, social assistance."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DEPARTMENT = "civil"

ITEMS: list[dict[str, Any]] = [
    {
        "name": "结婚登记",
        "base_code": "000307001000",
        "item_type": "07",
        "legal_basis": (
            "《中华人民共和国民法典》第一千零四十九条：要求结婚的男女双方应当亲自到婚姻登记机关申请结婚登记。\n"
            "《婚姻登记条例》第四条、第五条、第七条"
        ),
        "conditions": (
            "1. 男女双方完全自愿；\n2. 男不得早于二十二周岁，女不得早于二十周岁；\n3. 双方均无配偶；\n"
            "4. 双方没有直系血亲和三代以内旁系血亲关系；\n5. 双方亲自到婚姻登记机关申请。"
        ),
        "process_description": "网上预约 → 双方到场 → 填写声明书、签字 → 审查 → 当场登记、颁发结婚证",
        "statutory_limit_days": 1,
        "committed_limit_days": 0,
        "limit_note": "符合结婚条件的当场予以登记。",
        "case_kind": "1",
        "visits_required": 1,
        "handling_forms": [WINDOW],
        "online_depth": ["1", "3"],
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "结婚证",
        "place": "合肥市婚姻登记中心（合肥市庐阳区濉溪路338号），各区婚姻登记处均可办理",
        "online_apply": False,
        "appointment_supported": True,
        "keywords": "领证 结婚证 婚姻登记",
        "materials": [
            material("双方居民身份证", originals=1, form="paper", source="公安机关"),
            material(
                "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明",
                originals=1,
                form="paper",
                description="现场填写、签字",
            ),
            material("双方近期半身免冠合影照片", originals=3, form="paper", description="2寸红底"),
        ],
        "form_fields": [
            text("partner_name", "对方姓名"),
            text("partner_id_number", "对方居民身份证号码"),
            day("appointment_date", "预约日期"),
        ],
    },
    {
        "name": "社会团体成立登记",
        "base_code": "000301001000",
        "item_type": "01",
        "legal_basis": (
            "《社会团体登记管理条例》第三条、第十条、第十一条、第十二条：登记管理机关应当自收到全部有效文件之日起60日内，"
            "作出准予或者不予登记的决定。"
        ),
        "conditions": (
            "1. 有50个以上的个人会员或者30个以上的单位会员，或混合会员总数不少于50个；\n"
            "2. 有规范的名称和相应的组织机构；\n3. 有固定的住所；\n"
            "4. 有与其业务活动相适应的专职工作人员；\n5. 有合法的资产和经费来源，地方性社会团体有3万元以上活动资金；\n"
            "6. 有独立承担民事责任的能力；\n7. 经业务主管单位审查同意（直接登记的四类社会组织除外）。"
        ),
        "process_description": "网上申请 → 受理 → 审查（必要时实地查看）→ 准予登记 → 颁发登记证书",
        "statutory_limit_days": 42,
        "committed_limit_days": 20,
        "limit_note": "条例规定自收到全部有效文件之日起60日内作出决定，折合约42个工作日。",
        "handling_forms": [WINDOW, PC],
        "online_depth": ["1", "2", "3", "4", "5", "6"],
        "service_objects": [PERSON, COMPANY, SOCIAL_ORG],
        "required_assurance_level": 2,
        "result_name": "社会团体法人登记证书",
        "keywords": "协会 学会 商会 社团 社会组织",
        "materials": [
            material("社会团体成立登记申请书", originals=1, description="由发起人签署"),
            material("业务主管单位的批准文件", originals=1, description="直接登记的行业协会商会等免于提交"),
            material("验资报告及场所使用权证明", originals=1),
            material("发起人和拟任负责人的基本情况、身份证明", copies=1),
            material("章程草案", originals=1, description="经会员大会或会员代表大会通过"),
        ],
        "form_fields": [
            text("org_name", "社会团体名称"),
            select("org_type", "社会团体类型", ["学术性", "行业性", "专业性", "联合性"]),
            text("supervisor", "业务主管单位", required=False),
            number("members", "会员数量"),
            number("funds", "活动资金（万元）"),
        ],
    },
    {
        "name": "最低生活保障申请",
        "base_code": "000305001000",
        "item_type": "05",
        "legal_basis": (
            "《社会救助暂行办法》第九条、第十一条\n《最低生活保障审核确认办法》（民发〔2021〕57号）"
        ),
        "conditions": (
            "共同生活的家庭成员人均收入低于合肥市最低生活保障标准，且家庭财产状况符合规定的合肥市户籍居民家庭。"
        ),
        "process_description": (
            "申请（网上或向户籍所在地乡镇人民政府、街道办事处）→ 家庭经济状况核对 → 入户调查 → 民主评议/公示 → "
            "民政部门审核确认 → 按月发放"
        ),
        "statutory_limit_days": 30,
        "committed_limit_days": 20,
        "limit_note": "审核确认全程原则上不超过30个工作日；特殊情况可延长至45个工作日。",
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": ["1", "2", "3", "4", "5", "6"],
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "最低生活保障审核确认决定",
        "keywords": "低保 救助 困难家庭 生活困难",
        "materials": [
            material("最低生活保障申请书", originals=1),
            material("家庭成员居民身份证或居民户口簿", source="公安机关（共享获取）"),
            material("家庭经济状况核对授权书", originals=1, description="共同生活家庭成员签字"),
            material("家庭收入、财产状况说明", originals=1),
            material("残疾、重病等特殊情况证明", mandatory=False, copies=1),
        ],
        "form_fields": [
            number("household_size", "共同生活家庭成员人数"),
            number("monthly_income", "家庭月总收入（元）"),
            textarea("reason", "申请理由"),
            text("bank_account", "收款银行账号"),
        ],
    },
    {
        "name": "高龄津贴申领",
        "base_code": "000305002000",
        "item_type": "05",
        "legal_basis": (
            "《中华人民共和国老年人权益保障法》第三十三条：国家鼓励地方建立八十周岁以上低收入老年人高龄津贴制度。\n"
            "合肥市高龄津贴发放相关规定"
        ),
        "conditions": "年满80周岁的合肥市户籍老年人。",
        "process_description": "网上申请（可由家属代办）→ 年龄与户籍信息共享核验 → 审核 → 按月发放至本人社会保障卡",
        "statutory_limit_days": 20,
        "committed_limit_days": 5,
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "result_name": "高龄津贴发放通知",
        "keywords": "老人补贴 高龄补贴 八十岁 长寿补贴",
        "materials": [
            material("居民身份证", source="公安机关（电子证照共享）"),
            material("本人社会保障卡或银行账户信息", description="用于发放高龄津贴"),
            material("代办人身份证明", mandatory=False, description="家属代办时提交"),
        ],
        "form_fields": [
            text("bank_account", "社会保障卡金融账号"),
            text("contact_phone", "联系人电话", required=False),
        ],
    },
]
