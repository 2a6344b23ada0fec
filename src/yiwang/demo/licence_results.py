"""演示事项的结果证照与一证通办材料.

Every demo item whose guide promises an e-licence (电子证照 / 电子营业执照 …, in its process
description or result) names the licence type its approval issues (``result_items``); the type says
where each licence field comes from in the case (``case_fields``: form fields by name) and what a
field is when the form does not say (``case_defaults``).  :data:`RESULT_TYPES` are the types only
results use; the 营业执照 and 医师执业证书 entries of :data:`yiwang.demo.licences.TYPES` carry the
same keys.

A demo material the guide calls 电子证照共享 / 系统自动调取 is declared as an e-licence material
(一证通办, ``source_kind = licence``) when its name denotes a licence type the demo issues: the
applicant's own licence is then attached without an upload (with a legal basis; the 结婚证 only
with the holder's authorisation), and the upload is asked for only when he holds none.
"""

from __future__ import annotations

import re
from typing import Any

from yiwang.core.identifiers import make_credit_code
from yiwang.licences.models import HolderType


def type_code(body: str, suffix: str) -> str:
    """A demo licence type code: a made-up valid ministry credit code + 3 digits."""
    return make_credit_code("1", "1", "100000", body) + suffix


def _field(
    name: str, label: str, kind: str = "text", *, required: bool = True, **extra: Any
) -> dict[str, Any]:
    return {"name": name, "label": label, "type": kind, "required": required, **extra}


NUMBER = _field("number", "证书编号")

RESULT_TYPES: list[dict[str, Any]] = [
    {
        "suffix": ("00010004", "002"),
        "name": "护士执业证书",
        "org": "合肥市卫生健康委员会",
        "holder_type": HolderType.NATURAL,
        "validity_years": 5,
        "fields": [NUMBER, _field("place", "执业地点"), _field("education", "学历")],
        "result_items": ["000801002000"],
        "case_fields": {"place": ["institution"]},
    },
    {
        "suffix": ("00010004", "003"),
        "name": "出生医学证明",
        "org": "合肥市卫生健康委员会",
        "holder_type": HolderType.NATURAL,
        "validity_years": None,
        "fields": [
            NUMBER,
            _field("baby_name", "新生儿姓名"),
            _field("gender", "性别", "choice", choices=["男", "女"]),
            _field("birth_date", "出生日期", "date"),
            _field("mother_name", "母亲姓名"),
            _field("father_name", "父亲姓名", required=False),
        ],
        "result_items": ["000820002000"],
    },
    {
        "suffix": ("00010004", "004"),
        "name": "预防接种证",
        "org": "合肥市卫生健康委员会",
        "holder_type": HolderType.NATURAL,
        "validity_years": None,
        "fields": [
            NUMBER,
            _field("baby_name", "儿童姓名"),
            _field("birth_date", "出生日期", "date"),
            _field("guardian_name", "监护人姓名"),
            _field("vaccination_site", "接种单位", required=False),
        ],
        "result_items": ["000820003000"],
    },
    {
        "suffix": ("00010002", "002"),
        "name": "无犯罪记录证明",
        "org": "合肥市公安局",
        "holder_type": HolderType.NATURAL,
        "validity_years": None,
        "fields": [
            NUMBER,
            _field("purpose", "证明用途"),
            _field("receiving_unit", "使用单位", required=False),
            _field("conclusion", "查询结果"),
        ],
        "result_items": ["000220001000"],
        "case_defaults": {"conclusion": "经查询，未发现有犯罪记录"},
    },
    {
        "suffix": ("00010005", "002"),
        "name": "出租汽车驾驶员从业资格证",
        "org": "合肥市交通运输局",
        "holder_type": HolderType.NATURAL,
        "validity_years": 6,
        "fields": [NUMBER, _field("category", "从业类别"), _field("driving_licence_no", "机动车驾驶证号")],
        "result_items": ["000901002000"],
        "case_fields": {"category": ["taxi_type"]},
    },
    {
        "suffix": ("00010006", "001"),
        "name": "建筑工程施工许可证",
        "org": "合肥市住房和城乡建设局",
        "holder_type": HolderType.LEGAL,
        "validity_years": None,
        "fields": [
            NUMBER,
            _field("project_name", "工程名称"),
            _field("project_address", "建设地址"),
            _field("contract_price", "合同价格（万元）", "number"),
            _field("floor_area", "建设规模（平方米）", "number"),
            _field("start_date", "计划开工日期", "date"),
        ],
        "result_items": ["000501001000"],
    },
    {
        "suffix": ("00010007", "001"),
        "name": "不动产权证书",
        "org": "合肥市自然资源和规划局",
        "holder_type": HolderType.NATURAL,
        "validity_years": None,
        "fields": [
            NUMBER,
            _field("holder", "权利人"),
            _field("right_type", "权利类型"),
            _field("location", "坐落"),
            _field("floor_area", "面积（平方米）", "number"),
        ],
        "result_items": ["000607001000"],
        "case_fields": {"holder": ["buyer_name"], "location": ["property_address"]},
        "case_defaults": {"right_type": "国有建设用地使用权/房屋所有权"},
    },
]

# The case → licence data of the two older demo types that results now also issue.
BUSINESS_LICENCE_RESULT: dict[str, Any] = {
    "result_items": ["000107001000", "000107002000"],  # 个体工商户设立登记, 企业设立登记
    "case_fields": {
        "name": ["company_name", "trade_name"],
        "kind": ["company_type"],
        "capital": ["registered_capital"],
        "address": ["business_address"],
        "scope": ["business_scope"],
    },
    "case_defaults": {"kind": "个体工商户"},
}
PHYSICIAN_RESULT: dict[str, Any] = {
    "result_items": ["000801001000"],
    "case_fields": {"place": ["institution"]},
    "case_defaults": {"level": "执业医师"},
}


# --- 一证通办: shared materials ------------------------------------------------------------------
# 《国务院关于在线政务服务的若干规定》 and 国办发〔2022〕3号: what a licence held in the licence
# store proves is not asked for again.
LEGAL_BASIS = (
    "《国务院关于在线政务服务的若干规定》（国务院令第716号）；"
    "《国务院办公厅关于加快推进电子证照扩大应用领域和全国互通互认的意见》（国办发〔2022〕3号）"
)
_SHARED_RE = re.compile(r"电子证照|自动调取")
# The material name (as the guide writes it) → the demo licence type it is; a material about two
# people ("父母双方…", "买卖双方") is not one holder's licence and stays an upload.
SHARED_LICENCES: dict[str, str] = {
    "居民身份证": "居民身份证（电子）",
    "监护人居民身份证": "居民身份证（电子）",
    "经营者身份证明": "居民身份证（电子）",
    "居民身份证或居民户口簿": "居民身份证（电子）",
    "居民身份证或户口簿": "居民身份证（电子）",
    "营业执照": "营业执照",
    "企业营业执照": "营业执照",
    "营业执照或者其他主体资格证明文件": "营业执照",
    "结婚证": "结婚证",
    "父母结婚证": "结婚证",
    "出生医学证明": "出生医学证明",
    "不动产权属证书": "不动产权证书",
}
BY_CONSENT = frozenset({"结婚证"})  # 婚姻状况: used only with the holder's authorisation


def is_shared(material: dict[str, Any]) -> bool:
    """The guide says the material comes from the e-licence store (共享 / 自动调取)."""
    return bool(_SHARED_RE.search(f"{material.get('source', '')} {material.get('description', '')}"))
