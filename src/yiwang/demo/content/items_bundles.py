"""Items that complete the national first-batch "one thing" bundles (一件事): 新生儿出生, 开办餐饮店,
企业信息变更, 退休, 社会保障卡居民服务.  Each is an ordinary published item of its department."""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import *  # the demo content vocabulary (common.__all__)

ITEMS_BY_DEPARTMENT: dict[str, list[dict[str, Any]]] = {
    "health": [
        {
            "name": "出生医学证明首次签发",
            "base_code": "000820002000",
            "item_type": "20",
            "legal_basis": (
                "《中华人民共和国母婴保健法》第二十三条：医疗保健机构和从事家庭接生的人员按照国务院卫生行政部门的规定，"
                "出具统一制发的新生儿出生医学证明。"
            ),
            "conditions": "在本市依法设置产科的医疗机构内出生的新生儿。",
            "process_description": "助产机构核对信息 → 父母确认 → 签发出生医学证明（同步生成电子证照）",
            "statutory_limit_days": 5,
            "committed_limit_days": 0,
            "case_kind": "1",
            "handling_forms": [WINDOW, MOBILE],
            "online_depth": ONLINE_RESULT,
            "service_objects": [PERSON],
            "result_name": "出生医学证明",
            "keywords": "出生证 新生儿 宝宝",
            "materials": [
                material("父母双方居民身份证", source="公安机关（电子证照共享）"),
                material("新生儿出生医学证明信息登记表", originals=1, description="在助产机构填写并签字"),
            ],
            "form_fields": [
                text("baby_name", "新生儿姓名"),
                day("birth_date", "出生日期"),
                select("gender", "性别", ["男", "女"]),
                text("mother_name", "母亲姓名"),
                text("father_name", "父亲姓名", required=False),
            ],
        },
        {
            "name": "预防接种证办理",
            "base_code": "000820003000",
            "item_type": "20",
            "legal_basis": (
                "《中华人民共和国疫苗管理法》第四十七条：国家对儿童实行预防接种证制度。在儿童出生后一个月内，"
                "其监护人应当到儿童居住地承担预防接种工作的接种单位或者出生医院为其办理预防接种证。"
            ),
            "conditions": "儿童出生后一个月内，由监护人办理。",
            "process_description": "网上预约 → 接种单位建档 → 发放预防接种证（电子接种证同步生成）",
            "statutory_limit_days": 1,
            "committed_limit_days": 0,
            "case_kind": "1",
            "handling_forms": [WINDOW, MOBILE],
            "online_depth": ["1", "2", "3", "6"],
            "service_objects": [PERSON],
            "result_name": "预防接种证",
            "keywords": "疫苗 接种本 打疫苗",
            "materials": [
                material("出生医学证明", source="卫生健康部门（电子证照共享）"),
                material("监护人居民身份证", source="公安机关（电子证照共享）"),
            ],
            "form_fields": [
                text("baby_name", "儿童姓名"),
                day("birth_date", "出生日期"),
                text("guardian_name", "监护人姓名"),
                text("vaccination_site", "接种单位", required=False),
            ],
        },
    ],
    "medical_insurance": [
        {
            "name": "城乡居民基本医疗保险参保登记",
            "base_code": "001401001000",
            "item_type": "20",
            "legal_basis": "《中华人民共和国社会保险法》第二十五条：国家建立和完善城乡居民基本医疗保险制度。",
            "conditions": "具有本市户籍或持有本市居住证、未参加职工基本医疗保险的城乡居民（含新生儿）。",
            "process_description": "网上申报 → 信息比对 → 参保登记 → 缴费",
            "statutory_limit_days": 5,
            "committed_limit_days": 0,
            "case_kind": "1",
            "handling_forms": [WINDOW, PC, MOBILE],
            "online_depth": FULL_ONLINE,
            "service_objects": [PERSON],
            "result_name": "参保登记信息",
            "keywords": "医保 居民医保 新农合 参保",
            "materials": [
                material("居民身份证或户口簿", source="公安机关（电子证照共享）"),
                material(
                    "出生医学证明",
                    mandatory=False,
                    source="卫生健康部门（电子证照共享）",
                    description="新生儿参保时提供",
                ),
            ],
            "form_fields": [
                text("insured_name", "参保人姓名"),
                day("birth_date", "出生日期"),
                select("insured_type", "参保人员类别", ["新生儿", "学生儿童", "成年居民", "老年居民"]),
            ],
        },
        {
            "name": "职工基本医疗保险退休人员待遇核定",
            "base_code": "001401002000",
            "item_type": "07",
            "legal_basis": (
                "《中华人民共和国社会保险法》第二十七条：参加职工基本医疗保险的个人，达到法定退休年龄时累计缴费达到"
                "国家规定年限的，退休后不再缴纳基本医疗保险费，按照国家规定享受基本医疗保险待遇。"
            ),
            "conditions": "参加本市职工基本医疗保险、已办理退休的人员。",
            "process_description": "退休审批信息共享 → 缴费年限核定 → 待遇核定",
            "statutory_limit_days": 10,
            "committed_limit_days": 5,
            "handling_forms": [WINDOW, PC],
            "online_depth": ["1", "2", "3", "4", "5", "6"],
            "service_objects": [PERSON, COMPANY],
            "result_name": "退休人员医保待遇核定结果",
            "keywords": "退休 医保 待遇",
            "materials": [
                material("居民身份证", source="公安机关（电子证照共享）"),
                material("职工退休审批表", source="人力资源社会保障部门（共享获取）"),
            ],
            "form_fields": [text("employer", "所在单位"), day("retire_date", "退休时间")],
        },
    ],
    "urban": [
        {
            "name": "户外招牌设置备案",
            "base_code": "001501001000",
            "item_type": "10",
            "legal_basis": "《城市市容和环境卫生管理条例》第十一条\n《合肥市户外广告和招牌设置管理办法》",
            "conditions": "招牌设置于经营场所建筑物外立面，符合户外招牌设置规范。",
            "process_description": "网上申报 → 备案 → 事中事后监管",
            "statutory_limit_days": 5,
            "committed_limit_days": 1,
            "handling_forms": [WINDOW, PC, MOBILE],
            "online_depth": FULL_ONLINE,
            "service_objects": [PERSON, COMPANY],
            "result_name": "户外招牌设置备案回执",
            "keywords": "门头 招牌 店招",
            "materials": [
                material("营业执照", source="市场监督管理部门（电子证照共享）"),
                material("招牌设计效果图", originals=1, description="标明尺寸、材质、位置"),
                material("经营场所使用证明", originals=1, description="产权证明或房屋租赁合同"),
            ],
            "form_fields": [
                text("shop_name", "店铺名称"),
                text("shop_address", "经营场所地址"),
                text("sign_size", "招牌尺寸（米）"),
            ],
        }
    ],
    "fire": [
        {
            "name": "公众聚集场所投入使用、营业前消防安全检查",
            "base_code": "001601001000",
            "item_type": "01",
            "legal_basis": (
                "《中华人民共和国消防法》第十五条：公众聚集场所投入使用、营业前，建设单位或者使用单位应当向场所所在地的"
                "县级以上地方人民政府消防救援机构申请消防安全检查。"
            ),
            "conditions": "公众聚集场所已依法通过消防验收或备案，消防设施完好有效。",
            "process_description": "网上申请（告知承诺）→ 受理 → 现场检查 → 决定",
            "statutory_limit_days": 10,
            "committed_limit_days": 5,
            "handling_forms": [WINDOW, PC],
            "online_depth": ["1", "2", "3", "4", "5", "6"],
            "service_objects": [PERSON, COMPANY],
            "result_name": "公众聚集场所投入使用、营业消防安全检查合格证",
            "keywords": "消防 消防检查 开业 餐饮",
            "materials": [
                material("公众聚集场所投入使用、营业消防安全告知承诺书", originals=1),
                material("营业执照", source="市场监督管理部门（电子证照共享）"),
                material("消防安全制度、灭火和应急疏散预案", originals=1),
                material("场所平面布置图", originals=1),
            ],
            "form_fields": [
                text("shop_name", "场所名称"),
                text("shop_address", "场所地址"),
                text("area", "建筑面积（平方米）"),
            ],
        }
    ],
    "tax": [
        {
            "name": "纳税人登记信息变更",
            "base_code": "001701001000",
            "item_type": "20",
            "legal_basis": "《中华人民共和国税收征收管理法》第十六条\n《税务登记管理办法》",
            "conditions": "已办理信息确认的纳税人，登记信息发生变化。",
            "process_description": "市场主体变更信息共享 → 税务信息自动同步 → 确认",
            "statutory_limit_days": 1,
            "committed_limit_days": 0,
            "case_kind": "1",
            "handling_forms": [WINDOW, PC, MOBILE],
            "online_depth": FULL_ONLINE,
            "service_objects": [COMPANY, PERSON],
            "result_name": "变更后的税务登记信息",
            "keywords": "税务变更 税务登记",
            "materials": [
                material("营业执照", source="市场监督管理部门（电子证照共享）"),
                material(
                    "变更事项相关证明文件",
                    mandatory=False,
                    description="信息已由市场监管部门共享的，免于提交",
                ),
            ],
            "form_fields": [
                text("company_name", "纳税人名称"),
                text("credit_code", "统一社会信用代码"),
                textarea("change_items", "变更事项"),
            ],
        }
    ],
    "hrss": [
        {
            "name": "社会保险单位信息变更登记",
            "base_code": "000405002000",
            "item_type": "20",
            "legal_basis": "《中华人民共和国社会保险法》第五十七条：用人单位的社会保险登记事项发生变更的，应当依法办理变更登记。",
            "conditions": "已办理社会保险登记的用人单位，登记事项发生变化。",
            "process_description": "市场主体变更信息共享 → 社保信息同步变更",
            "statutory_limit_days": 5,
            "committed_limit_days": 0,
            "case_kind": "1",
            "handling_forms": [WINDOW, PC],
            "online_depth": FULL_ONLINE,
            "service_objects": [COMPANY],
            "result_name": "社会保险登记变更信息",
            "keywords": "社保变更 单位信息变更",
            "materials": [
                material("营业执照", source="市场监督管理部门（电子证照共享）"),
                material(
                    "变更事项相关证明文件",
                    mandatory=False,
                    description="信息已由市场监管部门共享的，免于提交",
                ),
            ],
            "form_fields": [
                text("company_name", "单位名称"),
                text("credit_code", "统一社会信用代码"),
                textarea("change_items", "变更事项"),
            ],
        },
        {
            "name": "基本养老保险待遇申领",
            "base_code": "000407002000",
            "item_type": "05",
            "legal_basis": (
                "《中华人民共和国社会保险法》第十六条：参加基本养老保险的个人，达到法定退休年龄时累计缴费满十五年的，"
                "按月领取基本养老金。"
            ),
            "conditions": "已办理退休审批、累计缴费满规定年限的参保人员。",
            "process_description": "退休审批结果共享 → 待遇核定 → 按月发放",
            "statutory_limit_days": 20,
            "committed_limit_days": 10,
            "handling_forms": [WINDOW, PC, MOBILE],
            "online_depth": ["1", "2", "3", "4", "5", "6"],
            "service_objects": [PERSON],
            "result_name": "基本养老金核定结果",
            "keywords": "养老金 退休金 领养老金",
            "materials": [
                material("居民身份证", source="公安机关（电子证照共享）"),
                material(
                    "社会保障卡", source="人力资源社会保障部门（电子社保卡）", description="用于待遇发放"
                ),
            ],
            "form_fields": [day("retire_date", "退休时间"), text("bank_account", "养老金发放账户")],
        },
        {
            "name": "社会保障卡补换领",
            "base_code": "000420003000",
            "item_type": "20",
            "legal_basis": "《社会保障卡管理办法》（人社部发〔2011〕47号）",
            "conditions": "社会保障卡遗失、损坏或有效期届满的持卡人。",
            "process_description": "挂失（遗失的）→ 网上申请补换 → 制卡 → 邮寄或网点领取",
            "statutory_limit_days": 10,
            "committed_limit_days": 0,
            "case_kind": "1",
            "handling_forms": [WINDOW, PC, MOBILE, EXPRESS],
            "online_depth": FULL_ONLINE,
            "service_objects": [PERSON],
            "result_name": "社会保障卡",
            "express_supported": True,
            "keywords": "补办社保卡 换社保卡 社保卡丢了",
            "materials": [
                material("居民身份证", source="公安机关（电子证照共享）"),
                material("近期免冠白底彩色证件照", description="电子照片，可在线拍摄"),
            ],
            "form_fields": [
                select("reason", "补换原因", ["遗失", "损坏", "有效期届满", "信息变更"]),
                text("mailing_address", "邮寄地址", required=False),
            ],
        },
        {
            "name": "社会保障卡应用状态变更（挂失、解挂）",
            "base_code": "000420004000",
            "item_type": "20",
            "legal_basis": "《社会保障卡管理办法》（人社部发〔2011〕47号）",
            "conditions": "社会保障卡持卡人。",
            "process_description": "网上或电话办理，即时生效",
            "statutory_limit_days": 1,
            "committed_limit_days": 0,
            "case_kind": "1",
            "handling_forms": [WINDOW, PC, MOBILE],
            "online_depth": FULL_ONLINE,
            "service_objects": [PERSON],
            "result_name": "社会保障卡状态变更结果",
            "keywords": "社保卡挂失 解挂",
            "materials": [
                material("居民身份证", source="公安机关（电子证照共享）"),
                material("社会保障卡", mandatory=False, source="持卡人", description="解挂时核验卡片"),
            ],
            "form_fields": [
                select("action", "办理类型", ["挂失", "解挂"]),
                text("contact_phone", "联系电话"),
            ],
        },
    ],
    "fund": [
        {
            "name": "住房公积金单位登记信息变更",
            "base_code": "001220002000",
            "item_type": "20",
            "legal_basis": "《住房公积金管理条例》第十四条：单位合并、分立、撤销、解散或者破产的，应当自发生之日起30日内办理变更登记。",
            "conditions": "已办理住房公积金缴存登记的单位，登记信息发生变化。",
            "process_description": "市场主体变更信息共享 → 公积金单位信息同步变更",
            "statutory_limit_days": 5,
            "committed_limit_days": 0,
            "case_kind": "1",
            "handling_forms": [WINDOW, PC],
            "online_depth": FULL_ONLINE,
            "service_objects": [COMPANY],
            "result_name": "单位登记变更信息",
            "keywords": "公积金变更 单位变更",
            "materials": [
                material("营业执照", source="市场监督管理部门（电子证照共享）"),
                material("住房公积金单位登记信息变更申请表", originals=1),
            ],
            "form_fields": [
                text("company_name", "单位名称"),
                text("credit_code", "统一社会信用代码"),
                textarea("change_items", "变更事项"),
            ],
        }
    ],
}
