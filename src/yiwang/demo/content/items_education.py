"""合肥市教育局: private schools and teacher qualification."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DEPARTMENT = "education"

ITEMS: list[dict[str, Any]] = [
    {
        "name": "民办学校设立",
        "base_code": "001001001000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国民办教育促进法》第十二条、第十四条、第十七条、第十八条：申请正式设立民办学校的，审批机关应当"
            "自受理之日起三个月内以书面形式作出是否批准的决定。\n《中华人民共和国民办教育促进法实施条例》"
        ),
        "conditions": (
            "1. 举办者为具有法人资格的社会组织或具有政治权利和完全民事行为能力的个人；\n"
            "2. 有符合规定的组织机构、章程、校长、教师和财会人员；\n3. 有与办学规模相适应的校舍、设施设备和资金；\n"
            "4. 已取得筹设批准（申请正式设立时）。"
        ),
        "process_description": "网上申请 → 受理 → 材料审查、实地考察、专家评议（专家评议时间不计入）→ 批准决定 → 颁发办学许可证",
        "statutory_limit_days": 60,
        "committed_limit_days": 30,
        "limit_note": "法定时限为自受理之日起三个月；专家评议时间不计入。",
        "handling_forms": [WINDOW, PC],
        "online_depth": ["1", "2", "3", "4", "5", "6"],
        "service_objects": [PERSON, COMPANY, INSTITUTION, SOCIAL_ORG],
        "required_assurance_level": 2,
        "result_name": "民办学校办学许可证",
        "keywords": "办学许可证 民办幼儿园 培训学校 办学校",
        "materials": [
            material("正式设立申请报告", originals=1),
            material("筹设批准书", copies=1),
            material("筹设情况报告", originals=1),
            material("学校章程、首届学校理事会或董事会组成人员名单", originals=1),
            material("学校资产的有效证明文件", copies=1),
            material("校长、教师、财会人员的资格证明文件", copies=1),
        ],
        "form_fields": [
            text("school_name", "学校名称"),
            select("school_level", "办学层次", ["学前教育", "义务教育", "普通高中", "非学历教育培训"]),
            number("funds", "举办资金（万元）"),
            number("planned_students", "规划办学规模（人）"),
        ],
    },
    {
        "name": "教师资格认定",
        "base_code": "001001002000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国教师法》第十条、第十三条\n《教师资格条例》\n《〈教师资格条例〉实施办法》（教育部令第10号）"
        ),
        "conditions": (
            "1. 遵守宪法和法律，热爱教育事业，具有良好的思想品德；\n2. 具备《教师法》规定的相应学历；\n"
            "3. 中小学教师资格考试合格；\n4. 普通话水平达到二级乙等以上；\n5. 体检合格。"
        ),
        "process_description": "网上申报 → 现场（或网上）确认 → 体检 → 审查 → 认定 → 颁发教师资格证书",
        "statutory_limit_days": 30,
        "committed_limit_days": 20,
        "limit_note": "自受理申请之日起30日内作出是否认定的决定；体检时间不计入。",
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": ["1", "2", "3", "4", "5", "6"],
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "教师资格证书",
        "keywords": "教师资格证 教资 当老师",
        "materials": [
            material("教师资格认定申请表", originals=1),
            material("居民身份证", source="公安机关（电子证照共享）"),
            material("学历证书", source="教育部门（学信网共享核验）"),
            material("中小学教师资格考试合格证明", source="教育部门（共享获取）"),
            material("体格检查结论", originals=1, form="paper", source="指定医疗机构"),
            material("普通话水平测试等级证书", source="语言文字部门（共享获取）"),
        ],
        "form_fields": [
            select(
                "certificate_type", "资格种类", ["幼儿园", "小学", "初级中学", "高级中学", "中等职业学校"]
            ),
            text("subject", "任教学科"),
            select("mandarin_level", "普通话等级", ["一级甲等", "一级乙等", "二级甲等", "二级乙等"]),
        ],
    },
]
