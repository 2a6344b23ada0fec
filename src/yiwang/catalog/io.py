"""事项导入导出 Export and import of the catalogue as JSON and Excel, in GB/T 39046 field names.

One source, every channel: the export is what the portal and the API publish.  Columns are the
Chinese field names of GB/T 39046 (事项名称, 基本编码, 实施编码, …); code-table fields carry their
Chinese labels (事项类型 "行政许可", 行使层级 "市级", 办理形式 "窗口办理、电脑端网上办理"), and the
import accepts a label or a code.  Excel has two sheets, 事项 and 申请材料 (keyed by 实施编码); JSON
is ``{"format": "yiwang-catalog", "version": 1, "items": [{<field>: value, "申请材料": [...]}]}``.

Import validates every row and reports errors by row and field ("第 5 行 承诺办结时限：不能大于法定
办结时限"); if any row fails, nothing is imported (one transaction).  It creates drafts or updates
drafts; for a published item it edits (or starts) its revision draft (修订稿), so a published
version is never touched.  Rows are numbered as in the spreadsheet (header = row 1) or, for JSON,
from 1.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yiwang.accounts.models import AssuranceLevel, User
from yiwang.catalog import services
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.forms import definition_of
from yiwang.catalog.models import (
    CaseKind,
    ExerciseLevel,
    HandlingForm,
    ItemStatus,
    ItemTheme,
    ItemType,
    MaterialForm,
    MaterialSourceKind,
    OnlineDepthStep,
    ServiceItem,
    ServiceObject,
    Theme,
    TongbanRange,
)
from yiwang.catalog.scenarios import define_scenarios, scenario_definition
from yiwang.catalog.services.validation import DERIVED_FORM_FIELD_KEYS
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation

FORMAT = "yiwang-catalog"
FORMAT_VERSION = 1
ITEM_SHEET = "事项"
MATERIAL_SHEET = "申请材料"
MATERIALS_KEY = "申请材料"
MAX_ROWS = 20_000
MAX_BYTES = 20 * 1024 * 1024
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    """One GB/T 39046 column: header, model field, kind of value."""

    header: str
    field: str
    kind: str = "text"  # text | int | bool | code | codes | json | themes | names | readonly
    enum: Any = None
    required: bool = False


ITEM_COLUMNS: tuple[Column, ...] = (
    Column("事项名称", "name", required=True),
    Column("基本编码", "base_code", required=True),
    Column("实施编码", "implementation_code", "readonly"),
    Column("事项类型", "item_type", "code", ItemType, required=True),
    Column("设定依据", "legal_basis", required=True),
    Column("设定依据链接", "legal_basis_url"),
    Column("行使层级", "exercise_level", "code", ExerciseLevel, required=True),
    Column("实施主体", "implementing_body", "readonly"),
    Column("实施主体编码", "implementing_body_code", "readonly", required=True),
    Column("实施主体性质", "implementing_body_nature", "readonly"),
    Column("权限划分", "authority_division"),
    Column("行使内容", "exercise_content"),
    Column("管辖范围", "jurisdiction"),
    Column("法定办结时限", "statutory_limit_days", "int", required=True),
    Column("承诺办结时限", "committed_limit_days", "int", required=True),
    Column("办结时限说明", "limit_note"),
    Column("受理条件", "conditions"),
    Column("办理流程", "process_description"),
    Column("联办机构", "joint_bodies"),
    Column("中介服务", "intermediary_services"),
    Column("数量限制", "quantity_limits"),
    Column("办理形式", "handling_forms", "codes", HandlingForm),
    Column("网办深度", "online_depth", "codes", OnlineDepthStep),
    Column("服务对象", "service_objects", "codes", ServiceObject),
    Column("主题分类", "themes", "themes", Theme),
    Column("办件类型", "case_kind", "code", CaseKind),
    Column("认证等级要求", "required_assurance_level", "code", AssuranceLevel),
    Column("是否收费", "fee_required", "bool"),
    Column("收费标准", "fee_description"),
    Column("收费依据", "fee_basis"),
    Column("到办事现场次数", "visits_required", "int"),
    Column("审批结果名称", "result_name"),
    Column("通办范围", "tongban_range", "code", TongbanRange),
    Column("办理地点", "place"),
    Column("办理时间", "office_hours"),
    Column("咨询电话", "consult_phone"),
    Column("监督投诉电话", "supervise_phone"),
    Column("是否网办", "online_apply", "bool"),
    Column("网上办理地址", "online_url"),
    Column("是否支持预约办理", "appointment_supported", "bool"),
    Column("是否支持网上支付", "online_payment_supported", "bool"),
    Column("是否支持物流快递", "express_supported", "bool"),
    Column("检索关键词", "keywords"),
    Column("申请表字段", "form_fields", "json"),
    Column("电子表单", "form_definition", "json"),
    Column("常见问题", "faq", "json"),
    Column("特别程序", "special_procedures", "json"),
    Column("情形引导", "scenarios", "json"),
    Column("事项状态", "status", "readonly"),
    Column("版本号", "version", "readonly"),
)
MATERIAL_COLUMNS: tuple[Column, ...] = (
    Column("实施编码", "implementation_code", "readonly", required=True),
    Column("材料名称", "name", required=True),
    Column("来源渠道", "source"),
    Column("来源方式", "source_kind", "code", MaterialSourceKind),
    Column("电子证照类型代码", "licence_type_code"),
    Column("共享数据资源编码", "shared_resource_code"),
    Column("共享数据信息项", "shared_fields", "names"),
    Column("用证法律依据", "licence_legal_basis"),
    Column("是否必需", "mandatory", "bool"),
    Column("原件份数", "originals", "int"),
    Column("复印件份数", "copies", "int"),
    Column("材料形式", "material_form", "code", MaterialForm),
    Column("填报须知", "description"),
    Column("排序", "order", "int"),
)
_EXTRA_FIELDS = {
    "implementation_code",
    "implementing_body",
    "implementing_body_code",
    "implementing_body_nature",
}
_EXTRA_FIELDS |= {"themes", "scenarios", "status", "version"}


def item_columns() -> list[Column]:
    """The item columns the running catalogue supports (fields it can edit, plus identity)."""
    return [c for c in ITEM_COLUMNS if c.field in services.EDITABLE_FIELDS or c.field in _EXTRA_FIELDS]


def material_columns() -> list[Column]:
    return [
        c for c in MATERIAL_COLUMNS if c.field in services.MATERIAL_FIELDS or c.field == "implementation_code"
    ]


def label_of(field_name: str) -> str:
    """The Chinese field name of a service field (for error messages)."""
    for column in (*ITEM_COLUMNS, *MATERIAL_COLUMNS):
        if column.field == field_name:
            return column.header
    return field_name


# --- export --------------------------------------------------------------------------------------
def _label(enum: Any, code: Any) -> str:
    return str(dict(enum.choices).get(code, code)) if code not in ("", None) else ""


def _cell(column: Column, item: ServiceItem) -> Any:
    if column.field == "implementing_body":
        return item.implementing_body.name
    if column.field == "implementing_body_code":
        return item.implementing_body.credit_code
    if column.field == "implementing_body_nature":
        return str(item.implementing_body.get_nature_display())
    if column.field == "themes":
        return "、".join(str(Theme(t.theme).label) for t in item.themes.all())
    if column.field == "scenarios":
        definition = scenario_definition(item)
        return json.dumps(definition, ensure_ascii=False) if definition["questions"] else ""
    value = getattr(item, column.field)
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "code":
        return _label(column.enum, value)
    if column.kind == "codes":
        return "、".join(_label(column.enum, code) for code in value or [])
    if column.field == "form_fields":  # the legacy list without the keys flatten() derives
        value = [{k: v for k, v in spec.items() if k not in DERIVED_FORM_FIELD_KEYS} for spec in value or []]
    if column.field == "form_definition":
        value = definition_of(value, item.form_fields)
        value = value if value.get("components") else None
    if column.kind == "json":  # keys sorted: PostgreSQL's jsonb keeps its own key order
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    return value


def _material_cell(column: Column, material: Any, item: ServiceItem) -> Any:
    if column.field == "implementation_code":
        return item.implementation_code
    value = getattr(material, column.field)
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "code":
        return _label(column.enum, value)
    if column.kind == "names":
        return "、".join(value or [])
    return value


def export_queryset(*, include_drafts: bool = False) -> QuerySet[ServiceItem]:
    """Live items (not revision drafts): published only, or every status."""
    items = ServiceItem.objects.filter(revision_of__isnull=True)
    if not include_drafts:
        items = items.filter(status=ItemStatus.PUBLISHED)
    return (
        items.select_related("implementing_body", "region")
        .prefetch_related("materials", "themes")
        .order_by("implementing_body__name", "name", "pk")
    )


def export_rows(items: Iterable[ServiceItem]) -> list[dict[str, Any]]:
    """One dict per item, keyed by the Chinese field names, with its materials under 申请材料."""
    columns, m_columns = item_columns(), material_columns()
    rows = []
    for item in items:
        row = {column.header: _cell(column, item) for column in columns}
        row[MATERIALS_KEY] = [
            {
                c.header: _material_cell(c, material, item)
                for c in m_columns
                if c.field != "implementation_code"
            }
            for material in item.materials.all()
        ]
        rows.append(row)
    return rows


def export_json(items: Iterable[ServiceItem]) -> bytes:
    payload = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "standard": "GB/T 39046-2020",
        "exported_at": timezone.now().isoformat(),
        "items": export_rows(items),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode()


def export_xlsx(items: Iterable[ServiceItem]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    items = list(items)
    columns, m_columns = item_columns(), material_columns()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ITEM_SHEET
    sheet.append([c.header for c in columns])
    for item in items:
        sheet.append([_excel_value(_cell(c, item)) for c in columns])
    materials = workbook.create_sheet(MATERIAL_SHEET)
    materials.append([c.header for c in m_columns])
    for item in items:
        for material in item.materials.all():
            materials.append([_excel_value(_material_cell(c, material, item)) for c in m_columns])
    for ws in (sheet, materials):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(value: Any) -> Any:
    # Codes like "000117001000" must stay text; openpyxl writes str as a string cell.
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value  # never let a cell become a formula (CSV/Excel injection)
    return value


def export_catalog(fmt: str, *, include_drafts: bool = False, actor: User | None = None) -> bytes:
    """导出 The catalogue as ``json`` or ``xlsx`` bytes; audited."""
    items = list(export_queryset(include_drafts=include_drafts))
    if fmt == "json":
        data = export_json(items)
    elif fmt == "xlsx":
        data = export_xlsx(items)
    else:
        raise DomainError(CatalogErrorCode.IMPORT_UNREADABLE, "导出格式应为 json 或 xlsx", {"format": [fmt]})
    audit.record(
        "catalog.exported",
        actor=actor,
        object_type="catalog.ServiceItem",
        detail={"format": fmt, "items": len(items), "include_drafts": include_drafts},
    )
    return data


# --- reading files -------------------------------------------------------------------------------
@dataclass
class RawRow:
    number: int
    values: dict[str, Any]
    materials: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def read_json(data: bytes) -> list[RawRow]:
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DomainError(CatalogErrorCode.IMPORT_UNREADABLE, f"不是有效的 JSON 文件：{exc}") from exc
    items = payload.get("items") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        raise DomainError(CatalogErrorCode.IMPORT_UNREADABLE, "JSON 中没有 items 列表")
    rows = []
    for index, entry in enumerate(items, start=1):
        if not isinstance(entry, dict):
            raise DomainError(CatalogErrorCode.IMPORT_UNREADABLE, f"第 {index} 条不是对象")
        values = {str(k): v for k, v in entry.items() if k != MATERIALS_KEY}
        raw_materials = entry.get(MATERIALS_KEY) or []
        if not isinstance(raw_materials, list):
            raw_materials = []
        materials = [
            (m_index, dict(m)) for m_index, m in enumerate(raw_materials, start=1) if isinstance(m, dict)
        ]
        rows.append(RawRow(index, values, materials))
    return rows


def read_xlsx(data: bytes) -> list[RawRow]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise DomainError(CatalogErrorCode.IMPORT_UNREADABLE, "不是有效的 Excel（.xlsx）文件") from exc
    if ITEM_SHEET not in workbook.sheetnames:
        raise DomainError(CatalogErrorCode.IMPORT_UNREADABLE, f"缺少工作表“{ITEM_SHEET}”")
    rows = _sheet_rows(workbook[ITEM_SHEET])
    by_code: dict[str, RawRow] = {}
    result = []
    for number, values in rows:
        row = RawRow(number, values)
        result.append(row)
        code = str(values.get("实施编码") or "").strip()
        if code:
            by_code[code] = row
    if MATERIAL_SHEET in workbook.sheetnames:
        orphans = []
        for number, values in _sheet_rows(workbook[MATERIAL_SHEET]):
            code = str(values.pop("实施编码", "") or "").strip()
            target = by_code.get(code)
            if target is None:
                orphans.append(
                    f"{MATERIAL_SHEET} 第 {number} 行 实施编码：在“{ITEM_SHEET}”中找不到 {code or '（空）'}"
                )
            else:
                target.materials.append((number, values))
        if orphans:
            raise DomainError(CatalogErrorCode.IMPORT_INVALID, "导入失败，未导入任何事项", {"rows": orphans})
    workbook.close()
    return result


def _sheet_rows(sheet: Any) -> list[tuple[int, dict[str, Any]]]:
    iterator = sheet.iter_rows(values_only=True)
    header = next(iterator, None)
    if not header:
        return []
    names = [str(h).strip() if h is not None else "" for h in header]
    rows = []
    for number, values in enumerate(iterator, start=2):
        if number > MAX_ROWS + 1:
            raise DomainError(CatalogErrorCode.IMPORT_UNREADABLE, f"最多导入 {MAX_ROWS} 行")
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        rows.append((number, {name: value for name, value in zip(names, values, strict=False) if name}))
    return rows


# --- parsing -------------------------------------------------------------------------------------
def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:2] in ("=", "+", "-", "@") else text


def _parse_code(column: Column, value: Any) -> str:
    text = _text(value)
    if not text:
        return ""
    codes = {str(code) for code in column.enum.values}
    if text in codes:
        return text
    for code, label in column.enum.choices:
        if text == str(label):
            return str(code)
    raise ValueError(f"“{text}”不在代码表内")


def _parse_codes(column: Column, value: Any) -> list[str]:
    text = _text(value)
    if not text:
        return []
    parts = [part.strip() for part in text.replace("，", "、").replace(",", "、").split("、") if part.strip()]
    return [_parse_code(column, part) for part in parts]


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text in (YES, "Y", "y", "1", "true", "True", "TRUE"):
        return True
    if text in (NO, "N", "n", "0", "false", "False", "FALSE", ""):
        return False
    raise ValueError("应为“是”或“否”")


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("应为整数")
    if isinstance(value, int):
        number = value
    else:
        text = _text(value)
        if not text.lstrip("-").isdigit():
            raise ValueError("应为整数")
        number = int(text)
    if not 0 <= number <= 9999:
        raise ValueError("应为 0 至 9999 的整数")
    return number


def _parse_json(value: Any) -> Any:
    if isinstance(value, list | dict):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError("不是有效的 JSON") from exc


def parse_value(column: Column, value: Any) -> Any:
    """One cell → the service value; raises ``ValueError`` with a Chinese reason."""
    if column.kind == "int":
        return _parse_int(value)
    if column.kind == "bool":
        return _parse_bool(value)
    if column.kind == "code":
        code = _parse_code(column, value)
        return int(code) if code and column.enum is AssuranceLevel else code
    if column.kind in ("codes", "themes"):
        return _parse_codes(column, value)
    if column.kind == "names":  # 共享数据信息项: field names separated by 、 (checked by the services)
        return value if isinstance(value, list) else _text(value)
    if column.kind == "json":
        return _parse_json(value)
    return _text(value)


@dataclass
class ParsedRow:
    number: int
    credit_code: str
    implementation_code: str
    fields: dict[str, Any]
    materials: list[dict[str, Any]]
    themes: list[str] | None
    scenarios: dict[str, Any] | None


class RowErrors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, row: int, header: str, message: str, *, sheet: str = "") -> None:
        prefix = f"{sheet} " if sheet else ""
        self.messages.append(f"{prefix}第 {row} 行 {header}：{message}")


def parse_row(raw: RawRow, errors: RowErrors, *, material_sheet: str = "") -> ParsedRow | None:
    """Check one row's cells: required fields, formats, code tables, committed ≤ statutory."""
    before = len(errors.messages)
    fields: dict[str, Any] = {}
    themes: list[str] | None = None
    scenarios: dict[str, Any] | None = None
    credit_code = implementation_code = ""
    for column in item_columns():
        if column.header not in raw.values:
            if column.required:
                errors.add(raw.number, column.header, "缺少此列")
            continue
        value = raw.values[column.header]
        if column.required and _text(value) == "":
            errors.add(raw.number, column.header, "不能为空")
            continue
        if column.field == "implementing_body_code":
            credit_code = _text(value).upper()
            continue
        if column.field == "implementation_code":
            implementation_code = _text(value).upper()
            continue
        if column.kind == "readonly":
            continue
        try:
            parsed = parse_value(column, value)
        except ValueError as exc:
            errors.add(raw.number, column.header, str(exc))
            continue
        if column.field == "themes":
            themes = parsed
        elif column.field == "scenarios":
            scenarios = parsed if isinstance(parsed, dict) else None
        elif parsed is not None:
            fields[column.field] = parsed
    statutory, committed = fields.get("statutory_limit_days"), fields.get("committed_limit_days")
    if isinstance(statutory, int) and isinstance(committed, int) and committed > statutory:
        errors.add(raw.number, "承诺办结时限", "不能大于法定办结时限")
    materials = []
    for m_number, m_values in raw.materials:
        material: dict[str, Any] = {}
        for column in material_columns():
            if column.field == "implementation_code" or column.header not in m_values:
                if column.required and column.field != "implementation_code":
                    errors.add(m_number, column.header, "缺少此列", sheet=material_sheet)
                continue
            try:
                parsed = parse_value(column, m_values[column.header])
            except ValueError as exc:
                errors.add(m_number, column.header, str(exc), sheet=material_sheet)
                continue
            if column.required and parsed in ("", None):
                errors.add(m_number, column.header, "不能为空", sheet=material_sheet)
            elif parsed not in ("", None) or column.kind == "text":
                material[column.field] = parsed
        materials.append(material)
    if len(errors.messages) > before:
        return None
    return ParsedRow(raw.number, credit_code, implementation_code, fields, materials, themes, scenarios)


# --- importing -----------------------------------------------------------------------------------
@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    revisions: int = 0
    rows: int = 0

    def __str__(self) -> str:
        return f"共 {self.rows} 行：新建草稿 {self.created}，更新草稿 {self.updated}，更新修订稿 {self.revisions}"


def _domain_messages(number: int, exc: DomainError, errors: RowErrors) -> None:
    if not exc.fields:
        errors.add(number, "事项", exc.message)
        return
    for key, messages in exc.fields.items():
        header = label_of(str(key).split(".")[0])
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            errors.add(number, header, str(message) if not isinstance(message, dict) else exc.message)


def _import_row(row: ParsedRow, actor: User | None, report: ImportReport) -> None:
    body = Organisation.objects.select_related("region").filter(credit_code=row.credit_code).first()
    if body is None:
        raise DomainError(
            CatalogErrorCode.IMPORT_INVALID,
            "实施主体不存在",
            {"implementing_body_code": [f"找不到统一社会信用代码为 {row.credit_code} 的机构"]},
        )
    code = services.make_implementation_code(
        body.credit_code, row.fields.get("exercise_level", ""), row.fields.get("base_code", "")
    )
    if row.implementation_code and row.implementation_code != code:
        raise DomainError(
            CatalogErrorCode.IMPORT_INVALID,
            "实施编码与实施主体、行使层级、基本编码不一致",
            {"implementation_code": [f"应为 {code}"]},
        )
    existing = ServiceItem.objects.filter(implementation_code=code, revision_of__isnull=True).first()
    materials = row.materials
    if existing is None:
        item = services.create_item(actor=actor, implementing_body=body, materials=materials, **row.fields)
        report.created += 1
    else:
        target = existing
        if existing.status == ItemStatus.PUBLISHED:
            target = ServiceItem.objects.filter(revision_of=existing).first() or services.start_revision(
                existing, actor
            )
            report.revisions += 1
        elif existing.status in (ItemStatus.SUBMITTED, ItemStatus.APPROVED):
            raise DomainError(
                CatalogErrorCode.ITEM_NOT_EDITABLE,
                "事项正在审核中，不能导入",
                {"status": [f"事项处于“{existing.get_status_display()}”状态，请先退回再导入"]},
            )
        else:
            report.updated += 1
        fields = {k: v for k, v in row.fields.items() if k not in ("base_code", "exercise_level")}
        item = services.update_item(
            target, actor=actor, materials=_keep_material_ids(target, materials), **fields
        )
    if row.themes is not None:
        set_item_themes(item, row.themes, actor=actor)
    if row.scenarios is not None:
        define_scenarios(
            item,
            actor=actor,
            questions=row.scenarios.get("questions") or [],
            conditions=row.scenarios.get("conditions") or [],
        )


def _keep_material_ids(item: ServiceItem, materials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Materials with a name the item already has keep their id (and so their scenario links)."""
    by_name = {material.name: str(material.public_id) for material in item.materials.all()}
    return [
        {**m, "public_id": by_name.get(str(m.get("name")))} if m.get("name") in by_name else m
        for m in materials
    ]


def import_catalog(data: bytes, *, filename: str = "", actor: User | None = None) -> ImportReport:
    """导入 Validate every row, then import all of them in one transaction, or none.

    Raises ``DomainError(import_invalid)`` whose ``fields["rows"]`` lists every error as
    "第 N 行 字段：原因".
    """
    if len(data) > MAX_BYTES:
        raise DomainError(CatalogErrorCode.IMPORT_UNREADABLE, "文件过大（不超过 20 MB）")
    is_json = filename.lower().endswith(".json") or data.lstrip()[:1] in (b"{", b"[")
    raw_rows = read_json(data) if is_json else read_xlsx(data)
    if not raw_rows:
        raise DomainError(CatalogErrorCode.IMPORT_INVALID, "文件中没有事项")
    errors = RowErrors()
    parsed = [parse_row(raw, errors, material_sheet="" if is_json else MATERIAL_SHEET) for raw in raw_rows]
    codes: dict[tuple[str, str, str], int] = {}
    for row in parsed:
        if row is None:
            continue
        key = (row.credit_code, str(row.fields.get("exercise_level")), str(row.fields.get("base_code")))
        if key in codes:
            errors.add(row.number, "实施编码", f"与第 {codes[key]} 行重复")
        codes[key] = row.number
    report = ImportReport(rows=len(raw_rows))
    if errors.messages:
        _fail(errors)
    with transaction.atomic():
        for row in parsed:
            assert row is not None
            try:
                with transaction.atomic():
                    _import_row(row, actor, report)
            except DomainError as exc:
                _domain_messages(row.number, exc, errors)
        if errors.messages:
            transaction.set_rollback(True)
        else:
            audit.record(
                "catalog.imported",
                actor=actor,
                object_type="catalog.ServiceItem",
                detail={
                    "file": filename[:200],
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "revisions": report.revisions,
                },
            )
    if errors.messages:
        _fail(errors)
    return report


def _fail(errors: RowErrors) -> None:
    count = len(errors.messages)
    raise DomainError(
        CatalogErrorCode.IMPORT_INVALID,
        f"导入失败：发现 {count} 处错误，未导入任何事项",
        {"rows": errors.messages},
    )


# --- themes (主题) ---------------------------------------------------------------------------------
def set_item_themes(item: ServiceItem, themes: Sequence[str], *, actor: User | None) -> list[str]:
    """设置主题 Replace the item's themes (codes of :class:`Theme`) and refresh its search entry."""
    services.require_manager(actor, item.region)
    unknown = [code for code in themes if code not in Theme.values]
    if unknown:
        raise DomainError(CatalogErrorCode.INVALID_ITEM, "主题分类不在代码表内", {"themes": unknown})
    wanted = list(dict.fromkeys(themes))
    with transaction.atomic():
        current = set(ItemTheme.objects.filter(item=item).values_list("theme", flat=True))
        if current != set(wanted):
            ItemTheme.objects.filter(item=item).exclude(theme__in=wanted).delete()
            ItemTheme.objects.bulk_create(
                [ItemTheme(item=item, theme=code) for code in wanted if code not in current]
            )
            audit.record("catalog.item.themes", actor=actor, obj=item, detail={"themes": wanted})
    return wanted


__all__ = [
    "ImportReport",
    "export_catalog",
    "export_json",
    "export_xlsx",
    "import_catalog",
    "item_columns",
    "set_item_themes",
]
