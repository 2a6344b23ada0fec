"""合肥市自然资源和规划局: real-estate registration and planning permits."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DEPARTMENT = "nrp"

ITEMS: list[dict[str, Any]] = [
    {
        "name": "国有建设用地使用权及房屋所有权转移登记",
        "base_code": "000607001000",
        "item_type": "07",
        "legal_basis": (
            "《中华人民共和国民法典》第二百零九条、第二百一十条\n"
            "《不动产登记暂行条例》第三条、第十四条、第二十条：不动产登记机构应当自受理登记申请之日起30个工作日内"
            "办结不动产登记手续，法律另有规定的除外。\n《不动产登记暂行条例实施细则》"
        ),
        "conditions": "已登记的国有建设用地使用权及房屋所有权因买卖、赠与、继承等发生转移，权属清晰、无查封等限制。",
        "process_description": (
            "二手房交易“一窗办理”：网签备案 → 网上申请（交易、税务、登记一次申报）→ 受理 → 审核 → 登簿 → "
            "颁发不动产权证书（电子证照同步生成）"
        ),
        "statutory_limit_days": 30,
        "committed_limit_days": 3,
        "fee_required": True,
        "fee_description": "住宅类不动产登记费80元/件（含第一本证书工本费）；非住宅类550元/件；每增加一本证书加收工本费10元",
        "fee_basis": (
            "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）"
        ),
        "visits_required": 1,
        "handling_forms": [WINDOW, PC, MOBILE, EXPRESS],
        "online_depth": ["1", "2", "3", "4", "5", "6", "7"],
        "service_objects": [PERSON, COMPANY],
        "required_assurance_level": 2,
        "result_name": "不动产权证书",
        "online_payment_supported": True,
        "express_supported": True,
        "keywords": "不动产登记 二手房 过户 房产证 房屋买卖",
        "materials": [
            material("不动产登记申请书", originals=1),
            material("申请人身份证明", source="公安机关（电子证照共享）", description="买卖双方"),
            material(
                "不动产权属证书", originals=1, form="both", description="已有电子证照的免于提交纸质证书复印件"
            ),
            material("不动产买卖合同", source="住房城乡建设部门（网签备案合同共享）"),
            material("完税凭证", source="税务部门（共享获取）"),
            material("婚姻状况证明", mandatory=False, source="民政部门（共享获取）"),
        ],
        "form_fields": [
            text("certificate_no", "不动产权证书号"),
            text("property_address", "不动产坐落"),
            number("floor_area", "建筑面积（平方米）"),
            number("price", "成交价格（万元）"),
            text("buyer_name", "买受人"),
        ],
    },
    {
        "name": "建设用地规划许可证核发",
        "base_code": "000601001000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国城乡规划法》第三十七条、第三十八条\n《中华人民共和国土地管理法》第五十四条"
        ),
        "conditions": (
            "1. 以划拨方式取得国有土地使用权的，建设项目已经有关部门批准、核准或备案；\n"
            "2. 以出让方式取得国有土地使用权的，已签订国有建设用地使用权出让合同，规划条件已纳入出让合同。"
        ),
        "process_description": "工程建设项目审批管理系统网上申报 → 受理 → 审查 → 核发建设用地规划许可证（可与用地批准合并办理）",
        "statutory_limit_days": 20,
        "committed_limit_days": 5,
        "handling_forms": [WINDOW, PC],
        "online_depth": FULL_ONLINE,
        "service_objects": [COMPANY, INSTITUTION],
        "required_assurance_level": 2,
        "result_name": "建设用地规划许可证",
        "keywords": "用地规划 规划许可 工改 多证合一",
        "materials": [
            material("建设用地规划许可申请表", originals=1),
            material("建设项目批准、核准或备案文件", source="发展改革部门（共享获取）"),
            material(
                "国有建设用地使用权出让合同", mandatory=False, copies=1, description="出让方式取得土地的提交"
            ),
            material("宗地图或用地红线图", originals=1),
        ],
        "form_fields": [
            text("project_name", "项目名称"),
            text("land_location", "用地位置"),
            number("land_area", "用地面积（平方米）"),
            select(
                "land_use", "用地性质", ["居住用地", "商业服务业用地", "工业用地", "公共管理与公共服务用地"]
            ),
        ],
    },
    {
        "name": "建设工程规划许可证核发",
        "base_code": "000601002000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国城乡规划法》第四十条：在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设的，"
            "建设单位或者个人应当向城市、县人民政府城乡规划主管部门申请办理建设工程规划许可证。"
        ),
        "conditions": "已取得建设用地规划许可证和土地使用权证明，建设工程设计方案符合控制性详细规划和规划条件。",
        "process_description": "网上申报 → 受理 → 设计方案审查（含批前公示，公示时间不计入时限）→ 核发建设工程规划许可证",
        "statutory_limit_days": 20,
        "committed_limit_days": 10,
        "limit_note": "批前公示、专家论证时间不计入办理时限。",
        "handling_forms": [WINDOW, PC],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON, COMPANY, INSTITUTION],
        "required_assurance_level": 2,
        "result_name": "建设工程规划许可证",
        "keywords": "工程规划 规划许可 方案审查",
        "materials": [
            material("建设工程规划许可申请表", originals=1),
            material("使用土地的有关证明文件", source="自然资源和规划部门（电子证照共享）"),
            material("建设工程设计方案", originals=1, description="含总平面图、各层平面图、立面图、剖面图"),
            material("建设用地规划许可证", source="自然资源和规划部门（电子证照共享）"),
            material("授权委托书", mandatory=False, originals=1),
        ],
        "form_fields": [
            text("project_name", "项目名称"),
            number("building_area", "总建筑面积（平方米）"),
            number("building_height", "建筑高度（米）", required=False),
            number("floors", "地上层数", required=False),
        ],
    },
]
