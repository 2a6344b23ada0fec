"""合肥市住房和城乡建设局: construction permits and pre-sale permits."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DEPARTMENT = "housing"

ITEMS: list[dict[str, Any]] = [
    {
        "name": "建筑工程施工许可证核发",
        "base_code": "000501001000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国建筑法》第七条、第八条：建设行政主管部门应当自收到申请之日起七日内，"
            "对符合条件的申请颁发施工许可证。\n《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）"
        ),
        "conditions": (
            "1. 依法应当办理用地批准手续的，已经办理；\n2. 依法应当办理建设工程规划许可证的，已经取得；\n"
            "3. 施工场地已经基本具备施工条件，需要征收房屋的，其进度符合施工要求；\n4. 已经确定施工企业；\n"
            "5. 有满足施工需要的资金安排、施工图纸及技术资料；\n6. 有保证工程质量和安全的具体措施。"
        ),
        "process_description": "工程建设项目审批管理系统网上申报 → 受理 → 审查 → 核发施工许可证（电子证照）",
        "statutory_limit_days": 7,
        "committed_limit_days": 3,
        "limit_note": "《建筑法》第八条：自收到申请之日起七日内颁发。",
        "handling_forms": [WINDOW, PC, EXPRESS],
        "online_depth": FULL_ONLINE,
        "service_objects": [COMPANY, INSTITUTION],
        "required_assurance_level": 2,
        "result_name": "建筑工程施工许可证",
        "express_supported": True,
        "keywords": "施工许可 开工 工程建设 工改",
        "materials": [
            material("建筑工程施工许可证申请表", originals=1),
            material("建设工程规划许可证", source="自然资源和规划部门（电子证照共享）"),
            material("施工合同及中标通知书", copies=1, description="依法必须招标的工程提交中标通知书"),
            material("施工图设计文件审查合格意见", mandatory=False, description="实行告知承诺制的提交承诺书"),
            material("建设资金已经落实承诺书", originals=1),
            material("工程质量安全监督手续", copies=1),
        ],
        "form_fields": [
            text("project_name", "工程名称"),
            text("project_address", "建设地址"),
            number("contract_price", "合同价格（万元）"),
            number("floor_area", "建筑面积（平方米）"),
            day("start_date", "计划开工日期"),
        ],
    },
    {
        "name": "商品房预售许可",
        "base_code": "000501002000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国城市房地产管理法》第四十五条：商品房预售，应当符合下列条件……向县级以上人民政府房产管理部门"
            "办理预售登记，取得商品房预售许可证明。\n《城市商品房预售管理办法》（建设部令第131号修正）"
        ),
        "conditions": (
            "1. 已交付全部土地使用权出让金，取得土地使用权证书；\n2. 持有建设工程规划许可证和施工许可证；\n"
            "3. 按提供预售的商品房计算，投入开发建设的资金达到工程建设总投资的25%以上，并已经确定施工进度和竣工交付日期；\n"
            "4. 已开立商品房预售资金监管账户。"
        ),
        "process_description": "网上申报 → 受理 → 现场查勘 → 审核 → 核发商品房预售许可证",
        "statutory_limit_days": 10,
        "committed_limit_days": 5,
        "handling_forms": [WINDOW, PC],
        "online_depth": FULL_ONLINE,
        "service_objects": [COMPANY],
        "required_assurance_level": 2,
        "result_name": "商品房预售许可证",
        "keywords": "预售证 楼盘 开发商 房地产开发",
        "materials": [
            material("商品房预售许可申请表", originals=1),
            material("开发企业营业执照和资质证书", source="市场监管、住房城乡建设部门（共享获取）"),
            material(
                "土地使用权证、建设工程规划许可证、施工许可证",
                source="自然资源和规划、住房城乡建设部门（电子证照共享）",
            ),
            material("工程施工合同及施工进度说明", copies=1),
            material("商品房预售方案", originals=1, description="含预售房屋分层平面图、预售资金监管方案"),
        ],
        "form_fields": [
            text("project_name", "项目名称"),
            text("building_numbers", "预售楼栋"),
            number("presale_area", "预售建筑面积（平方米）"),
            text("escrow_account", "预售资金监管账户"),
        ],
    },
]
