"""合肥市市场监督管理局: food business licence and market-entity registration."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

DEPARTMENT = "market"

_REGISTRATION_BASIS = (
    "《中华人民共和国市场主体登记管理条例》第三条、第十九条：登记机关应当对申请材料进行形式审查。"
    "对申请材料齐全、符合法定形式的予以确认并当场登记。不能当场登记的，应当在3个工作日内予以登记；"
    "情形复杂的，经登记机关负责人批准，可以再延长3个工作日。\n"
    "《中华人民共和国市场主体登记管理条例实施细则》（国家市场监督管理总局令第52号）"
)

ITEMS: list[dict[str, Any]] = [
    {
        "name": "食品经营许可",
        "base_code": "000117001000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国食品安全法》第三十五条第一款：国家对食品生产经营实行许可制度。从事食品生产、食品销售、"
            "餐饮服务，应当依法取得许可。\n"
            "《中华人民共和国行政许可法》第十二条\n"
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）"
        ),
        "conditions": (
            "1. 具有与经营的食品品种、数量相适应的食品原料处理和食品加工、销售、贮存等场所，保持该场所环境整洁，"
            "并与有毒、有害场所以及其他污染源保持规定的距离；\n"
            "2. 具有与经营的食品品种、数量相适应的经营设备或者设施，有相应的消毒、更衣、盥洗、采光、照明、通风、"
            "防腐、防尘、防蝇、防鼠、防虫、洗涤以及处理废水、存放垃圾和废弃物的设备或者设施；\n"
            "3. 有专职或者兼职的食品安全管理人员和保证食品安全的规章制度；\n"
            "4. 具有合理的设备布局和工艺流程，防止待加工食品与直接入口食品、原料与成品交叉污染，避免食品接触有毒物、不洁物；\n"
            "5. 已取得营业执照或者其他合法主体资格证明。"
        ),
        "process_description": (
            "申请（网上或窗口）→ 受理（材料齐全当场受理，不齐全一次性告知）→ 审查（需现场核查的，核查时间不计入）"
            "→ 决定 → 制证送达（电子证照同步推送）"
        ),
        "statutory_limit_days": 10,
        "committed_limit_days": 5,
        "limit_note": "《食品经营许可和备案管理办法》规定10个工作日作出决定；现场核查时间不计入时限。",
        "handling_forms": [WINDOW, PC, MOBILE, EXPRESS],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON, COMPANY],
        "result_name": "食品经营许可证",
        "express_supported": True,
        "keywords": "餐饮 饭店 小吃店 超市 食品销售 开店",
        "materials": [
            material(
                "食品经营许可申请书", originals=1, description="通过“皖事通办”平台在线填报，无需另行提交纸质"
            ),
            material(
                "营业执照或者其他主体资格证明文件",
                source="市场监督管理部门（电子证照库共享获取，免提交）",
                description="已取得电子营业执照的，系统自动调取",
            ),
            material(
                "与食品经营相适应的主要设备设施、经营布局、操作流程等文件",
                originals=1,
                description="含经营场所平面布局图、设备清单",
            ),
            material(
                "食品安全管理制度目录",
                originals=1,
                description="含从业人员健康管理、进货查验记录、食品安全自查、食品安全事故处置等制度",
            ),
            material("法定代表人（负责人）身份证明", source="公安机关（电子证照共享）"),
            material(
                "授权委托书及受托人身份证明", mandatory=False, originals=1, description="委托他人办理时提交"
            ),
        ],
        "form_fields": [
            text("shop_name", "经营场所名称"),
            text("business_address", "经营场所地址"),
            select("business_category", "主体业态", ["食品销售经营者", "餐饮服务经营者", "单位食堂"]),
            textarea(
                "business_items", "经营项目", help_text="如：预包装食品销售（含冷藏冷冻食品）、热食类食品制售"
            ),
            number("business_area", "经营场所面积（平方米）", required=False),
        ],
    },
    {
        "name": "个体工商户设立登记",
        "base_code": "000107001000",
        "item_type": "01",
        "legal_basis": _REGISTRATION_BASIS + "\n《促进个体工商户发展条例》第二条",
        "conditions": (
            "1. 有经营能力的公民（经营者）；\n"
            "2. 有符合规定的名称（可以不使用名称）和经营场所；\n"
            "3. 经营范围不属于法律、行政法规禁止的项目；\n"
            "4. 申请材料齐全、符合法定形式。"
        ),
        "process_description": "网上申报或窗口提交 → 形式审查 → 当场登记 → 发放营业执照（纸质/电子营业执照同步生成）",
        "statutory_limit_days": 3,
        "committed_limit_days": 0,
        "limit_note": "即来即办：材料齐全、符合法定形式的当场登记。",
        "case_kind": "1",
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON],
        "result_name": "营业执照",
        "express_supported": True,
        "keywords": "个体户 开店 营业执照 小店",
        "materials": [
            material(
                "个体工商户登记（备案）申请书", originals=1, description="经营者本人签字；网上申请的在线签名"
            ),
            material("经营者身份证明", source="公安机关（电子证照共享）", description="居民身份证"),
            # 情形引导 (discovery.SCENARIOS): the premises answer replaces this general entry (asked
            # for when the question is not answered, e.g. in the 一件事 form) by one of the next two,
            # and the agent answer adds the power of attorney; an added material is required.
            material(
                "经营场所使用相关文件",
                copies=1,
                description="自有房屋提交不动产权证书，租赁房屋提交租赁合同；住所申报承诺制的提交承诺书",
            ),
            material(
                "经营场所产权证明",
                mandatory=False,
                copies=1,
                description="自有房屋提交不动产权证书；住所申报承诺制的提交承诺书",
            ),
            material(
                "经营场所租赁合同",
                mandatory=False,
                copies=1,
                description="租赁房屋提交租赁合同及出租方的产权证明（不动产权证书）复印件",
            ),
            material("委托代理人身份证明及授权委托书", mandatory=False, originals=1),
        ],
        "form_fields": [
            text("trade_name", "个体工商户名称", required=False, help_text="可以不使用名称"),
            textarea("business_scope", "经营范围"),
            text("business_address", "经营场所"),
            number("capital", "资金数额（万元）"),
            number("staff_count", "从业人数", required=False),
        ],
    },
    {
        "name": "企业设立登记",
        "base_code": "000107002000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国公司法》第二十九条、第三十三条\n"
            + _REGISTRATION_BASIS
            + "\n《中华人民共和国行政许可法》第十二条"
        ),
        "conditions": (
            "1. 有符合规定的企业名称；\n2. 股东（出资人）符合法定人数，认缴出资符合公司章程；\n"
            "3. 有公司章程；\n4. 有公司住所；\n5. 法定代表人、董事、监事和高级管理人员不存在法律规定的禁止任职情形。"
        ),
        "process_description": (
            "企业开办“一网通办”：名称自主申报 → 设立登记 → 公章刻制、涉税事项、社保登记、公积金缴存登记同步办理 → "
            "发放营业执照（电子营业执照即时生成）"
        ),
        "statutory_limit_days": 3,
        "committed_limit_days": 1,
        "limit_note": "企业开办全流程压缩至0.5个工作日；不能当场登记的3个工作日内办结。",
        "handling_forms": [WINDOW, PC, MOBILE],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON, COMPANY],
        "required_assurance_level": 2,
        "result_name": "营业执照",
        "express_supported": True,
        "keywords": "开公司 注册公司 开办企业 有限公司",
        "materials": [
            material("公司登记（备案）申请书", originals=1),
            material("公司章程", originals=1, description="全体股东签署；可使用章程参考范本"),
            material("股东的主体资格文件或自然人身份证明", source="公安机关/市场监管部门（共享获取）"),
            material("法定代表人、董事、监事和高级管理人员的任职文件及身份证明", originals=1),
            material("住所使用相关文件", copies=1, description="实行住所申报承诺制的，提交住所承诺书"),
            material("委托书及受托人身份证明", mandatory=False, originals=1),
        ],
        "form_fields": [
            text("company_name", "企业名称"),
            select("company_type", "企业类型", ["有限责任公司", "股份有限公司", "个人独资企业", "合伙企业"]),
            number("registered_capital", "注册资本（万元）"),
            textarea("business_scope", "经营范围"),
            text("address", "住所"),
        ],
    },
    {
        "name": "内资公司变更登记",
        "base_code": "000107003000",
        "item_type": "01",
        "legal_basis": (
            "《中华人民共和国公司法》第三十四条：公司登记事项发生变更的，应当依法办理变更登记。\n"
            "《中华人民共和国市场主体登记管理条例》第二十四条：市场主体变更登记事项，应当自作出变更决议、"
            "决定或者法定变更事项发生之日起30日内向登记机关申请变更登记。"
        ),
        "conditions": "1. 公司已依法设立登记；\n2. 变更事项已经股东会（董事会）依法作出决议或决定；\n3. 申请材料齐全、符合法定形式。",
        "process_description": "网上申报 → 形式审查 → 核准变更 → 换发营业执照（涉及营业执照记载事项的）",
        "statutory_limit_days": 3,
        "committed_limit_days": 1,
        "handling_forms": [WINDOW, PC],
        "online_depth": FULL_ONLINE,
        "service_objects": [COMPANY],
        "required_assurance_level": 2,
        "result_name": "准予变更登记通知书、营业执照",
        "express_supported": True,
        "keywords": "变更 法人变更 地址变更 经营范围变更 注册资本变更",
        "materials": [
            material("公司变更登记申请书", originals=1, description="法定代表人签署"),
            material("关于变更事项的决议或者决定", originals=1),
            material("修改后的公司章程或者章程修正案", originals=1, description="变更事项涉及章程修改的提交"),
            material(
                "变更事项相关证明文件",
                mandatory=False,
                copies=1,
                description="如新住所使用证明、新任职人员身份证明",
            ),
            material(
                "营业执照正、副本", mandatory=False, originals=1, description="领取纸质执照时交回原执照"
            ),
        ],
        "form_fields": [
            textarea("change_items", "变更事项", help_text="如：住所、经营范围、注册资本、法定代表人"),
            day("resolution_date", "决议（决定）日期"),
            textarea("change_reason", "变更原因", required=False),
        ],
    },
    {
        "name": "营业执照补领、换发",
        "base_code": "000107004000",
        "item_type": "10",
        "legal_basis": (
            "《中华人民共和国市场主体登记管理条例》\n"
            "《中华人民共和国市场主体登记管理条例实施细则》（国家市场监督管理总局令第52号）：营业执照遗失或者毁坏的，"
            "市场主体应当通过国家企业信用信息公示系统声明作废，申请补领；营业执照毁损的可申请换发。"
        ),
        "conditions": "营业执照遗失或者毁损，已通过国家企业信用信息公示系统声明作废（毁损换发除外）。",
        "process_description": "申请 → 核对登记信息 → 当场补发/换发",
        "statutory_limit_days": 3,
        "committed_limit_days": 0,
        "case_kind": "1",
        "handling_forms": [WINDOW, PC, MOBILE, EXPRESS],
        "online_depth": FULL_ONLINE,
        "service_objects": [PERSON, COMPANY],
        "result_name": "营业执照",
        "express_supported": True,
        "keywords": "执照丢了 执照遗失 补办营业执照",
        "materials": [
            material("营业执照补领（换发）申请书", originals=1),
            material(
                "营业执照遗失声明",
                description="国家企业信用信息公示系统公示截图；毁损换发的免于提交",
                mandatory=False,
            ),
            material("毁损的营业执照原件", mandatory=False, originals=1, description="换发时交回"),
        ],
        "form_fields": [
            text("credit_code", "统一社会信用代码"),
            select("reason", "申请原因", ["遗失补领", "毁损换发"]),
            number("copies", "申领副本数", required=False),
        ],
    },
]
