"""事项版本比对 Field-level comparison of two guide snapshots (versions, or a draft and its published version).

A snapshot is :func:`yiwang.catalog.services.guide_snapshot`; :class:`ServiceItemVersion` keeps one
per publication.  :func:`diff_snapshots` returns one row per changed field, with materials, fee
items and FAQ compared entry by entry (materials and fees by name, FAQ by question) so a reviewer
sees "材料「营业执照」: 复印件份数 0 → 1" rather than two unreadable blobs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Keys that identify or date a snapshot rather than describe the item.
IGNORED_KEYS = frozenset({"public_id", "version", "status", "published_at"})
# Derived labels: the code next to them is compared instead.
LABEL_SUFFIX = "_label"

FIELD_LABELS: dict[str, str] = {
    "name": "事项名称",
    "base_code": "基本编码",
    "implementation_code": "实施编码",
    "item_type": "事项类型",
    "exercise_level": "行使层级",
    "implementing_body": "实施主体",
    "region": "行政区划",
    "legal_basis": "设定依据",
    "legal_basis_url": "设定依据链接",
    "authority_division": "权限划分",
    "exercise_content": "行使内容",
    "jurisdiction": "管辖范围",
    "conditions": "受理条件",
    "process_description": "办理流程",
    "joint_bodies": "联办机构",
    "intermediary_services": "中介服务",
    "quantity_limits": "数量限制",
    "special_procedures": "特别程序",
    "statutory_limit_days": "法定办结时限",
    "committed_limit_days": "承诺办结时限",
    "limit_note": "时限说明",
    "fee_required": "是否收费",
    "fee_description": "收费标准",
    "fee_basis": "收费依据",
    "fee_items": "收费项目",
    "visits_required": "到办事现场次数",
    "handling_forms": "办理形式",
    "online_depth": "网办深度",
    "is_fully_online": "全程网办",
    "service_objects": "服务对象",
    "case_kind": "办件类型",
    "required_assurance_level": "认证等级要求",
    "result_name": "审批结果名称",
    "result_sample_url": "结果样本",
    "tongban_range": "通办范围",
    "place": "办理地点",
    "office_hours": "办理时间",
    "consult_phone": "咨询电话",
    "supervise_phone": "监督投诉电话",
    "online_apply": "是否网办",
    "online_url": "网上办理地址",
    "appointment_supported": "支持预约",
    "online_payment_supported": "支持网上支付",
    "express_supported": "支持快递",
    "form_fields": "申请表字段",
    "form_definition": "电子表单",
    "faq": "常见问题",
    "materials": "申请材料",
    "scenarios": "情形引导",
    "base_item": "基本目录事项",
}

MATERIAL_LABELS = {
    "name": "名称",
    "description": "填报须知",
    "source": "来源渠道",
    "source_kind": "来源方式",
    "licence_type_code": "电子证照类型",
    "shared_resource_code": "共享资源编码",
    "shared_fields": "共享数据信息项",
    "licence_legal_basis": "用证法律依据",
    "mandatory": "是否必需",
    "originals": "原件份数",
    "copies": "复印件份数",
    "material_form": "材料形式",
    "order": "序号",
    "blank_form_url": "空白表格",
    "sample_url": "示例样表",
}
MATERIAL_IGNORED = frozenset({"public_id", "material_form_label", "source_kind_label"})


@dataclass(frozen=True)
class DiffRow:
    """One changed field: ``field`` is the snapshot key (``materials.营业执照.copies`` for an entry)."""

    field: str
    label: str
    old: str
    new: str
    change: str  # "changed" | "added" | "removed"

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "label": self.label,
            "old": self.old,
            "new": self.new,
            "change": self.change,
        }


def render_value(value: Any) -> str:
    """A human-readable form of a snapshot value (labels for code lists, 是/否 for flags)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Mapping):
        if "name" in value and ("credit_code" in value or "code" in value):
            return str(value.get("name", ""))
        return "；".join(f"{key}: {render_value(val)}" for key, val in value.items())
    if isinstance(value, list | tuple):
        parts = []
        for entry in value:
            if isinstance(entry, Mapping) and "label" in entry and "code" in entry and len(entry) == 2:
                parts.append(str(entry["label"]))
            elif isinstance(entry, Mapping) and "question" in entry:
                parts.append(f"问：{entry.get('question', '')} 答：{entry.get('answer', '')}")
            else:
                parts.append(render_value(entry))
        return "、".join(parts)
    return str(value)


def _label_of(snapshot: Mapping[str, Any], key: str) -> Any:
    """The value to compare for ``key``: prefer the code over its label."""
    return snapshot.get(key)


def _diff_entries(
    key: str, old: list[Mapping[str, Any]], new: list[Mapping[str, Any]], ident: str
) -> list[DiffRow]:
    label = FIELD_LABELS.get(key, key)
    old_by = {str(entry.get(ident, "")): entry for entry in old}
    new_by = {str(entry.get(ident, "")): entry for entry in new}
    rows: list[DiffRow] = []
    for name, entry in old_by.items():
        if name not in new_by:
            rows.append(DiffRow(f"{key}.{name}", f"{label}「{name}」", _entry_text(entry), "", "removed"))
    for name, entry in new_by.items():
        if name not in old_by:
            rows.append(DiffRow(f"{key}.{name}", f"{label}「{name}」", "", _entry_text(entry), "added"))
            continue
        before = old_by[name]
        for sub in sorted(
            set(before) | set(entry),
            key=lambda k: list(MATERIAL_LABELS).index(k) if k in MATERIAL_LABELS else 99,
        ):
            if sub in MATERIAL_IGNORED or sub == ident:
                continue
            if before.get(sub) != entry.get(sub):
                rows.append(
                    DiffRow(
                        f"{key}.{name}.{sub}",
                        f"{label}「{name}」：{MATERIAL_LABELS.get(sub, _sub_label(sub))}",
                        render_value(before.get(sub)),
                        render_value(entry.get(sub)),
                        "changed",
                    )
                )
    return rows


def _sub_label(sub: str) -> str:
    return {"standard": "收费标准", "legal_basis": "收费依据", "answer": "回答"}.get(sub, sub)


def _entry_text(entry: Mapping[str, Any]) -> str:
    return "；".join(
        f"{MATERIAL_LABELS.get(key, _sub_label(key))}: {render_value(value)}"
        for key, value in entry.items()
        if key not in MATERIAL_IGNORED and value not in ("", None, [])
    )


ENTRY_KEYS = {"materials": "name", "fee_items": "name", "faq": "question"}


def diff_snapshots(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[DiffRow]:
    """字段级比对 Every field that differs between two guide snapshots, in guide order."""
    keys = [key for key in FIELD_LABELS if key in old or key in new]
    keys += sorted((set(old) | set(new)) - set(keys))
    rows: list[DiffRow] = []
    for key in keys:
        if key in IGNORED_KEYS or key.endswith(LABEL_SUFFIX):
            continue
        before, after = _label_of(old, key), _label_of(new, key)
        if before == after:
            continue
        if key == "scenarios":
            rows.extend(diff_scenarios(before or {}, after or {}))
            continue
        if key == "form_definition" and (key not in old or key not in new):
            continue  # a snapshot from before the e-forms: the derived form_fields tell the change
        if key in ENTRY_KEYS and isinstance(before or [], list) and isinstance(after or [], list):
            rows.extend(_diff_entries(key, list(before or []), list(after or []), ENTRY_KEYS[key]))
            continue
        label = FIELD_LABELS.get(key, key)
        old_text = _with_label(old, key, before)
        new_text = _with_label(new, key, after)
        change = "added" if before in (None, "", []) else "removed" if after in (None, "", []) else "changed"
        rows.append(DiffRow(key, label, old_text, new_text, change))
    return rows


def _with_label(snapshot: Mapping[str, Any], key: str, value: Any) -> str:
    label = snapshot.get(f"{key}{LABEL_SUFFIX}")
    text = render_value(value)
    return f"{text} {label}" if label and text else text


# --- 情形引导 -------------------------------------------------------------------------------------
OPTION_LABELS = {
    "label": "选项文字",
    "adds_materials": "选择时增加的材料",
    "removes_materials": "选择时免交的材料",
    "adds_conditions": "选择时适用的条件",
    "removes_conditions": "选择时不适用的条件",
}


def _option_text(option: Mapping[str, Any]) -> str:
    parts = [str(option.get("label", ""))]
    for key, label in OPTION_LABELS.items():
        if key != "label" and option.get(key):
            parts.append(f"{label}：{render_value(option.get(key))}")
    return "；".join(parts)


def _question_text(question: Mapping[str, Any]) -> str:
    options = " / ".join(_option_text(option) for option in question.get("options") or [])
    return f"{question.get('text', '')}（{options}）"


def _entry_row(field: str, label: str, text: str, change: str) -> DiffRow:
    """A whole entry that was ``"added"`` (text on the new side) or ``"removed"`` (on the old side)."""
    return DiffRow(field, label, "" if change == "added" else text, text if change == "added" else "", change)


def diff_scenarios(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[DiffRow]:
    """情形引导的比对: conditions by text, questions by key, options by value, each part named."""
    rows: list[DiffRow] = []
    old_conditions, new_conditions = list(old.get("conditions") or []), list(new.get("conditions") or [])
    for text in old_conditions:
        if text not in new_conditions:
            rows.append(DiffRow(f"scenarios.conditions.{text}", "情形条件", str(text), "", "removed"))
    for text in new_conditions:
        if text not in old_conditions:
            rows.append(DiffRow(f"scenarios.conditions.{text}", "情形条件", "", str(text), "added"))
    old_q = {str(q.get("key")): q for q in old.get("questions") or []}
    new_q = {str(q.get("key")): q for q in new.get("questions") or []}
    for key, question in old_q.items():
        if key not in new_q:
            rows.append(
                _entry_row(
                    f"scenarios.{key}",
                    f"情形问题「{question.get('text', key)}」",
                    _question_text(question),
                    "removed",
                )
            )
    for key, question in new_q.items():
        if key not in old_q:
            rows.append(
                _entry_row(
                    f"scenarios.{key}",
                    f"情形问题「{question.get('text', key)}」",
                    _question_text(question),
                    "added",
                )
            )
            continue
        before = old_q[key]
        name = f"情形问题「{question.get('text', key)}」"
        for sub, label in (("text", "问题"), ("help_text", "说明")):
            if before.get(sub, "") != question.get(sub, ""):
                rows.append(
                    DiffRow(
                        f"scenarios.{key}.{sub}",
                        f"{name}：{label}",
                        str(before.get(sub, "")),
                        str(question.get(sub, "")),
                        "changed",
                    )
                )
        old_o = {str(o.get("value")): o for o in before.get("options") or []}
        new_o = {str(o.get("value")): o for o in question.get("options") or []}
        if list(old_o) != list(new_o) and set(old_o) == set(new_o):
            rows.append(
                DiffRow(
                    f"scenarios.{key}.order",
                    f"{name}：选项顺序",
                    "、".join(old_o),
                    "、".join(new_o),
                    "changed",
                )
            )
        for value, option in old_o.items():
            if value not in new_o:
                rows.append(
                    _entry_row(
                        f"scenarios.{key}.{value}",
                        f"{name}：选项「{option.get('label', value)}」",
                        _option_text(option),
                        "removed",
                    )
                )
        for value, option in new_o.items():
            if value not in old_o:
                rows.append(
                    _entry_row(
                        f"scenarios.{key}.{value}",
                        f"{name}：选项「{option.get('label', value)}」",
                        _option_text(option),
                        "added",
                    )
                )
                continue
            for sub, label in OPTION_LABELS.items():
                if old_o[value].get(sub) != option.get(sub):
                    rows.append(
                        DiffRow(
                            f"scenarios.{key}.{value}.{sub}",
                            f"{name}：选项「{option.get('label', value)}」{label}",
                            render_value(old_o[value].get(sub)),
                            render_value(option.get(sub)),
                            "changed",
                        )
                    )
    if [str(q.get("key")) for q in old.get("questions") or [] if str(q.get("key")) in new_q] != [
        str(q.get("key")) for q in new.get("questions") or [] if str(q.get("key")) in old_q
    ]:
        rows.append(
            DiffRow(
                "scenarios.order",
                "情形问题顺序",
                "、".join(str(q.get("text", "")) for q in old.get("questions") or []),
                "、".join(str(q.get("text", "")) for q in new.get("questions") or []),
                "changed",
            )
        )
    return rows
