"""合肥市交通运输局: road passenger transport and taxi driver qualification."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DEPARTMENT = "transport"

ITEMS: list[dict[str, Any]] = [
    {
        "name": "道路旅客运输经营许可",
        "base_code": "000901001000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国道路运输条例》第八条、第十条：收到申请的交通运输主管部门，应当自受理申请之日起20日内"
            "审查完毕，作出许可或者不予许可的决定。\n《道路旅客运输及客运站管理规定》（交通运输部令）"
        ),
        "conditions": (
            "1. 有与其经营业务相适应并经检测合格的客车；\n2. 有符合规定条件的驾驶人员；\n"
            "3. 有健全的安全生产管理制度；\n4. 申请从事班线客运经营的，还应当有明确的线路和站点方案。"
        ),
        "process_description": "网上申请 → 受理 → 审查 → 许可决定 → 核发道路运输经营许可证",
        "statutory_limit_days": 20,
        "committed_limit_days": 10,
        "handling_forms": [WINDOW, PC],
        "online_depth": FULL_ONLINE,
        "service_objects": [COMPANY],
        "required_assurance_level": 2,
        "result_name": "道路运输经营许可证",
        "keywords": "客运 班车 包车 旅游客运 道路运输证",
        "materials": [
            material("道路旅客运输经营申请表", originals=1),
            material("企业营业执照", source="市场监督管理部门（电子证照共享）"),
            material("拟投入车辆承诺书", originals=1, description="含车辆数量、类型及等级、技术等级"),
            material("已聘用或者拟聘用驾驶员的机动车驾驶证和从业资格证", copies=1),
            material("安全生产管理制度文本", originals=1),
            material("可行性报告", mandatory=False, originals=1, description="申请班线客运经营的提交"),
        ],
        "form_fields": [
            select("business_scope", "经营范围", ["班车客运", "包车客运", "旅游客运"]),
            number("vehicle_count", "拟投入客车数量"),
            number("driver_count", "驾驶员人数"),
        ],
    },
    {
        "name": "出租汽车驾驶员从业资格证核发",
        "base_code": "000901002000",
        "item_type": "01",
        "legal_basis": (
            "《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）第112项\n"
            "《出租汽车驾驶员从业资格管理规定》（交通运输部令）"
        ),
        "conditions": (
            "1. 取得相应准驾车型机动车驾驶证并具有3年以上驾驶经历；\n"
            "2. 无交通肇事犯罪、危险驾驶犯罪记录，无吸毒记录，无饮酒后驾驶记录，最近连续3个记分周期内没有记满12分记录；\n"
            "3. 无暴力犯罪记录；\n4. 出租汽车驾驶员从业资格考试（全国公共科目和区域科目）合格。"
        ),
        "process_description": "网上报名 → 资格审核 → 考试 → 考试合格后申请发证 → 核发从业资格证（电子证照）",
        "statutory_limit_days": 10,
        "committed_limit_days": 5,
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "required_assurance_level": 2,
        "result_name": "出租汽车驾驶员从业资格证",
        "keywords": "出租车 网约车 驾驶员 从业资格 司机",
        "materials": [
            material("出租汽车驾驶员从业资格证申请表", originals=1),
            material("机动车驾驶证", source="公安机关交通管理部门（电子证照共享）"),
            material("无犯罪记录证明", source="公安机关（共享获取）"),
            material("从业资格考试合格证明", source="交通运输部门（系统自动获取）"),
            material("近期一寸免冠彩色证件照", description="电子照片"),
        ],
        "form_fields": [
            text("driving_licence_no", "机动车驾驶证号"),
            day("first_licensed_on", "初次领取驾驶证日期"),
            select("taxi_type", "从业类别", ["巡游出租汽车", "网络预约出租汽车"]),
        ],
    },
]
