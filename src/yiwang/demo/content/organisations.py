"""合肥市 departments (机构) of the demo.

Credit codes are built by :func:`yiwang.core.identifiers.make_credit_code` from the registering
department (1 机构编制), the entity type (1 机关, 2 事业单位, 3 群众团体), the area 340100 and a made-up
8-character organisation body; both check characters are computed, so every code is valid but none
is a real body's code.
"""

from __future__ import annotations

from typing import Any

from yiwang.demo.content.common import HALL, HALL_ADDRESS, HALL_HOURS

AREA_CODE = "340100"  # 合肥市

ORGANISATIONS: list[dict[str, Any]] = [
    {
        "key": "market",
        "name": "合肥市市场监督管理局",
        "short_name": "市市场监管局",
        "entity_type": "1",
        "org_body": "00302101",
        "nature": "1",
        "address": "合肥市蜀山区潜山路300号（政务服务窗口：" + HALL + "二楼C区）",
        "phone": "0551-63538101",
    },
    {
        "key": "police",
        "name": "合肥市公安局",
        "short_name": "市公安局",
        "entity_type": "1",
        "org_body": "00302102",
        "nature": "1",
        "address": "合肥市包河区徽州大道2999号（户政窗口：" + HALL + "一楼A区）",
        "phone": "0551-63538102",
    },
    {
        "key": "civil",
        "name": "合肥市民政局",
        "short_name": "市民政局",
        "entity_type": "1",
        "org_body": "00302103",
        "nature": "1",
        "address": "合肥市蜀山区黄山路435号（婚姻登记中心：合肥市庐阳区濉溪路338号）",
        "phone": "0551-63538103",
    },
    {
        "key": "hrss",
        "name": "合肥市人力资源和社会保障局",
        "short_name": "市人社局",
        "entity_type": "1",
        "org_body": "00302104",
        "nature": "1",
        "address": "合肥市蜀山区潜山路100号（社保经办：" + HALL + "三楼）",
        "phone": "0551-63538104",
    },
    {
        "key": "housing",
        "name": "合肥市住房和城乡建设局",
        "short_name": "市住建局",
        "entity_type": "1",
        "org_body": "00302105",
        "nature": "1",
        "address": "合肥市滨湖新区中山路1号政务中心C座",
        "phone": "0551-63538105",
    },
    {
        "key": "nrp",
        "name": "合肥市自然资源和规划局",
        "short_name": "市自然资源规划局",
        "entity_type": "1",
        "org_body": "00302106",
        "nature": "1",
        "address": "合肥市滨湖新区中山路1号政务中心B座（不动产登记大厅：" + HALL + "四楼）",
        "phone": "0551-63538106",
    },
    {
        "key": "health",
        "name": "合肥市卫生健康委员会",
        "short_name": "市卫健委",
        "entity_type": "1",
        "org_body": "00302107",
        "nature": "1",
        "address": "合肥市蜀山区长江西路329号",
        "phone": "0551-63538107",
    },
    {
        "key": "data",
        "name": "合肥市数据资源局",
        "short_name": "市数据资源局（市政务服务管理局）",
        "entity_type": "1",
        "org_body": "00302108",
        "nature": "1",
        "address": HALL_ADDRESS + " " + HALL,
        "phone": "0551-63538108",
    },
    {
        "key": "transport",
        "name": "合肥市交通运输局",
        "short_name": "市交通运输局",
        "entity_type": "1",
        "org_body": "00302109",
        "nature": "1",
        "address": "合肥市包河区延安路1188号",
        "phone": "0551-63538109",
    },
    {
        "key": "education",
        "name": "合肥市教育局",
        "short_name": "市教育局",
        "entity_type": "1",
        "org_body": "00302110",
        "nature": "1",
        "address": "合肥市庐阳区宿州路70号",
        "phone": "0551-63538110",
    },
    {
        "key": "disabled",
        "name": "合肥市残疾人联合会",
        "short_name": "市残联",
        "entity_type": "3",
        "org_body": "00302111",
        "nature": "2",  # 授权组织: a people's organisation exercising delegated public functions
        "address": "合肥市蜀山区望江西路80号",
        "phone": "0551-63538111",
    },
    {
        "key": "fund",
        "name": "合肥住房公积金管理中心",
        "short_name": "市公积金中心",
        "entity_type": "2",
        "org_body": "00302112",
        "nature": "2",
        "address": "合肥市蜀山区马鞍山路2000号（" + HALL + "公积金窗口）",
        "phone": "0551-12329",
    },
    # Departments of the "one thing" bundles (一件事).
    {
        "key": "medical_insurance",
        "name": "合肥市医疗保障局",
        "short_name": "市医保局",
        "entity_type": "1",
        "org_body": "00302113",
        "nature": "1",
        "address": "合肥市蜀山区东流路100号（" + HALL + "医保窗口）",
        "phone": "0551-63538113",
    },
    {
        "key": "urban",
        "name": "合肥市城市管理局",
        "short_name": "市城管局",
        "entity_type": "1",
        "org_body": "00302114",
        "nature": "1",
        "address": "合肥市蜀山区怀宁路1800号",
        "phone": "0551-63538114",
    },
    {
        "key": "fire",
        "name": "合肥市消防救援支队",
        "short_name": "市消防救援支队",
        "entity_type": "1",
        "org_body": "00302115",
        "nature": "1",
        "address": "合肥市包河区徽州大道5599号（" + HALL + "消防窗口）",
        "phone": "0551-63538119",
    },
    {
        "key": "tax",
        "name": "国家税务总局合肥市税务局",
        "short_name": "市税务局",
        "entity_type": "1",
        "org_body": "00302116",
        "nature": "1",
        "address": "合肥市蜀山区政务区潜山路（" + HALL + "税务窗口）",
        "phone": "0551-12366",
    },
    {
        "key": "gov_service",
        "name": "合肥市政务服务管理局",
        "short_name": "市政务服务管理局",
        "entity_type": "1",
        "org_body": "00302117",
        "nature": "1",
        "address": "合肥市滨湖新区中山路1号政务中心A座（电子证照库运营）",
        "phone": "0551-63538117",
    },
]

for _org in ORGANISATIONS:
    _org.setdefault("office_hours", HALL_HOURS)
