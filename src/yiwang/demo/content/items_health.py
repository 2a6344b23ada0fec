"""合肥市卫生健康委员会: practitioner registration, public-place hygiene, birth registration."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DEPARTMENT = "health"

ITEMS: list[dict[str, Any]] = [
    {
        "name": "医师执业注册",
        "base_code": "000801001000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国医师法》第十三条：……卫生健康主管部门应当自受理申请之日起二十个工作日内准予注册，"
            "将注册信息录入国家信息平台，并发给医师执业证书。\n"
            "《医师执业注册管理办法》（国家卫生和计划生育委员会令第13号）"
        ),
        "conditions": "取得医师资格，拟在合肥市医疗、预防、保健机构执业，且不存在《医师法》第十六条规定不予注册情形。",
        "process_description": "医师电子化注册系统网上申请（可由执业机构集体办理）→ 受理 → 审核 → 准予注册 → 发放电子医师执业证书",
        "statutory_limit_days": 20,
        "committed_limit_days": 5,
        "handling_forms": [PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "医师执业证书",
        "appointment_supported": False,
        "keywords": "医生注册 执业医师 医师证",
        "materials": [
            material("医师执业注册申请审核表", originals=1),
            material("医师资格证书", source="卫生健康部门（共享获取）"),
            material("近6个月内的健康体检证明", description="县级以上医疗机构出具"),
            material("拟执业医疗机构的聘用证明", originals=1),
            material("近期2寸免冠正面证件照", description="电子照片"),
        ],
        "form_fields": [
            text("qualification_no", "医师资格证书编码"),
            text("institution", "拟执业机构"),
            select("category", "执业类别", ["临床", "中医", "口腔", "公共卫生"]),
            text("scope", "执业范围"),
        ],
    },
    {
        "name": "护士执业注册",
        "base_code": "000801002000",
        "item_type": "01",
        "legal_basis": (
            "《护士条例》第七条、第八条：收到申请的卫生主管部门应当自收到申请之日起20个工作日内作出决定。\n"
            "《护士执业注册管理办法》"
        ),
        "conditions": (
            "1. 具有完全民事行为能力；\n2. 在中等职业学校、高等学校完成规定的护理、助产专业学习并取得相应学历证书；\n"
            "3. 通过国务院卫生主管部门组织的护士执业资格考试；\n4. 符合规定的健康标准。"
        ),
        "process_description": "护士电子化注册系统网上申请 → 受理 → 审核 → 准予注册 → 发放电子护士执业证书",
        "statutory_limit_days": 20,
        "committed_limit_days": 5,
        "handling_forms": [PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "护士执业证书",
        "appointment_supported": False,
        "keywords": "护士证 护士注册 执业护士",
        "materials": [
            material("护士执业注册申请审核表", originals=1),
            material("护士执业资格考试成绩合格证明", source="卫生健康部门（共享获取）"),
            material("学历证书及专业学习中的临床实习证明", copies=1),
            material("近6个月内的健康体检证明"),
            material("医疗卫生机构拟聘用的相关材料", originals=1),
        ],
        "form_fields": [
            text("exam_certificate_no", "考试成绩合格证明编号"),
            text("institution", "拟执业机构"),
            select("education", "学历", ["中专", "大专", "本科", "研究生"]),
        ],
    },
    {
        "name": "公共场所卫生许可",
        "base_code": "000801003000",
        "item_type": "01",
        "legal_basis": (
            "《公共场所卫生管理条例》第八条：除公园、体育场（馆）、公共交通工具外的公共场所，经营单位应当及时向卫生行政部门"
            "申请办理“卫生许可证”。\n《公共场所卫生管理条例实施细则》（原卫生部令第80号）"
        ),
        "conditions": (
            "1. 场所选址、设计、装修符合卫生要求；\n2. 有健全的卫生管理制度和专（兼）职卫生管理人员；\n"
            "3. 从业人员取得有效健康合格证明；\n4. 空气、微小气候、水质、采光、照明、噪声等符合国家卫生标准；\n"
            "5. 实行告知承诺的，申请人书面承诺符合上述条件。"
        ),
        "process_description": "网上申请 → 受理（告知承诺制当场作出决定）→ 审查/现场核查 → 许可决定 → 发证",
        "statutory_limit_days": 20,
        "committed_limit_days": 3,
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON, COMPANY],
        "result_name": "公共场所卫生许可证",
        "express_supported": True,
        "keywords": "卫生许可证 宾馆 酒店 理发店 美容院 游泳馆 足浴 KTV",
        "materials": [
            material("公共场所卫生许可申请表", originals=1),
            material("营业执照", source="市场监督管理部门（电子证照共享）"),
            material("公共场所地址方位示意图、平面图和卫生设施平面布局图", originals=1),
            material("公共场所卫生检测或者评价报告", copies=1, description="实行告知承诺的可在发证后补交"),
            material("公共场所卫生管理制度", originals=1),
            material("从业人员健康合格证明", mandatory=False, copies=1),
        ],
        "form_fields": [
            text("venue_name", "场所名称"),
            select(
                "venue_type", "场所类别", ["住宿场所", "沐浴场所", "美容美发场所", "游泳场所", "文化娱乐场所"]
            ),
            number("venue_area", "经营面积（平方米）"),
            text("venue_address", "场所地址"),
        ],
    },
    {
        "name": "生育登记",
        "base_code": "000820001000",
        "item_type": "20",
        "legal_basis": "《中华人民共和国人口与计划生育法》第十八条\n《安徽省人口与计划生育条例》",
        "conditions": "夫妻双方至少一方为合肥市户籍，或在合肥市居住的流动人口。",
        "process_description": "网上登记 → 信息共享核验 → 即时办结，生成生育服务登记信息",
        "statutory_limit_days": 5,
        "committed_limit_days": 0,
        "case_kind": "1",
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "result_name": "生育服务登记信息单",
        "appointment_supported": False,
        "keywords": "准生证 生育服务证 怀孕登记 二孩 三孩",
        "materials": [
            material("夫妻双方居民身份证", source="公安机关（电子证照共享）"),
            material("结婚证", source="民政部门（电子证照共享）"),
            material("生育登记承诺书", description="在线签署"),
        ],
        "form_fields": [
            day("expected_date", "预产期"),
            select("child_order", "生育子女孩次", ["一孩", "二孩", "三孩"]),
            text("hospital", "建档医院", required=False),
        ],
    },
]
