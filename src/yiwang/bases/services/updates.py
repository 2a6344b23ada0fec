"""接收部门数据 Apply a department's feed to a base: upsert by key, newest version wins.

An older version never overwrites a newer one and replaying a batch changes nothing (every record's
version is then not newer than the stored one).  Each created or changed record gets a
:class:`BaseChange` row; each batch one audit entry.  A batch is checked completely before anything
is written: one bad record refuses the whole batch (the exchange system refuses the package).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from yiwang.bases.errors import BasesErrorCode
from yiwang.bases.fields import FIELDS, KEYS, FieldValueError, parser
from yiwang.bases.models import BaseChange, BaseKind, Company, Person, RegionGeometry
from yiwang.core import audit
from yiwang.core.errors import DomainError
from yiwang.core.identifiers import validate_credit_code, validate_id_number
from yiwang.core.models import Organisation
from yiwang.core.protected import protected_digest

MAX_BATCH = 10_000
_CHUNK = 1000
_MAX_REPORTED_ERRORS = 20

MODELS: dict[str, type[models.Model]] = {
    BaseKind.POPULATION: Person,
    BaseKind.LEGAL_PERSON: Company,
    BaseKind.GEOGRAPHY: RegionGeometry,
}


@dataclass
class BatchReport:
    """What :func:`apply_updates` did with a batch."""

    base: str
    batch_id: str
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0  # newer version, same values: only the version moved
    stale: int = 0  # not newer than what is stored (a replay, or an older record arriving late)
    changes: list[int] = field(default_factory=list)  # BaseChange sequences written

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Record:
    key: str
    version: int
    values: dict[str, Any]


def _invalid(errors: dict[str, list[str]]) -> DomainError:
    shown = dict(list(errors.items())[:_MAX_REPORTED_ERRORS])
    return DomainError(
        BasesErrorCode.INVALID_RECORD, f"数据批次中有 {len(errors)} 条记录不合格，整批未入库", shown
    )


def _clean(base: str, index: int, raw: Mapping[str, Any], errors: dict[str, list[str]]) -> _Record | None:
    where = f"records[{index}]"
    if not isinstance(raw, Mapping):
        errors[where] = ["应为对象"]
        return None
    known = FIELDS[base]
    problems: list[str] = []
    unknown = sorted(set(raw) - set(known) - {"version"})
    if unknown:
        problems.append(f"未知字段：{', '.join(unknown[:10])}")
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version < 2**31:
        problems.append("version 应为正整数")
    key_field = KEYS[base]
    if raw.get(key_field) in (None, ""):
        problems.append(f"缺少 {key_field}")
    values: dict[str, Any] = {}
    for name in known:
        if name in raw:
            try:
                values[name] = parser(base, name)(raw[name])
            except FieldValueError as exc:
                problems.append(f"{name}：{exc}")
    if not problems and base == BaseKind.POPULATION:
        problems += _population_consistency(values)
    if problems:
        errors[where] = problems
        return None
    return _Record(key=values.pop(key_field), version=int(version), values=values)  # type: ignore[arg-type]


def _population_consistency(values: dict[str, Any]) -> list[str]:
    """The gender and birth date a feed sends must agree with what the ID number encodes."""
    info = validate_id_number(values["id_number"])
    problems = []
    if "gender" in values and values["gender"] != info.gender:
        problems.append("gender 与公民身份号码第 17 位不符")
    if "birth_date" in values and values["birth_date"] != info.birth_date:
        problems.append("birth_date 与公民身份号码中的出生日期不符")
    return problems


def _defaults(base: str, key: str) -> dict[str, Any]:
    """What a new record gets for the fields a feed left out (derived from its key where possible)."""
    if base == BaseKind.POPULATION:
        info = validate_id_number(key)
        return {"gender": info.gender, "birth_date": info.birth_date, "household_region": info.region_code}
    if base == BaseKind.LEGAL_PERSON:
        return {"region": validate_credit_code(key).area_code}
    return {}


_REQUIRED_ON_CREATE: dict[str, tuple[str, ...]] = {
    BaseKind.POPULATION: ("name",),
    BaseKind.LEGAL_PERSON: ("name",),
    BaseKind.GEOGRAPHY: ("name", "centroid", "boundary"),
}


def _model_values(base: str, values: dict[str, Any]) -> dict[str, Any]:
    """Feed values → model attributes (the geography centroid is two columns)."""
    if base == BaseKind.GEOGRAPHY and "centroid" in values:
        values = dict(values)
        values["centroid_lat"], values["centroid_lng"] = values.pop("centroid")
    return values


def _key_attr(base: str) -> str:
    return KEYS[base]


def _existing(base: str, keys: list[str]) -> dict[str, Any]:
    model = MODELS[base]
    attr = _key_attr(base)
    found: dict[str, Any] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        rows = model.objects.select_for_update().filter(**{f"{attr}__in": chunk}).order_by("pk")  # type: ignore[attr-defined]
        found.update({getattr(row, attr): row for row in rows})
    return found


def apply_updates(
    base: str,
    records: Sequence[Mapping[str, Any]],
    *,
    source: Organisation | None,
    batch_id: str,
) -> BatchReport:
    """Upsert ``records`` (dicts of :data:`yiwang.bases.reads.FIELDS` names plus ``version``) into
    ``base``; see the module docstring for the rules.  Returns what was done."""
    if base not in MODELS:
        raise DomainError(
            BasesErrorCode.UNKNOWN_BASE, f"没有名为 {base!r} 的基础库", {"base": [str(base)[:40]]}
        )
    batch_id = str(batch_id)[:64]
    if len(records) > MAX_BATCH:
        raise DomainError(
            BasesErrorCode.INVALID_RECORD,
            f"一个批次最多 {MAX_BATCH} 条记录",
            {"records": [str(len(records))]},
        )
    errors: dict[str, list[str]] = {}
    cleaned = [_clean(base, index, raw, errors) for index, raw in enumerate(records)]
    if errors:
        raise _invalid(errors)
    wanted = sorted((r for r in cleaned if r is not None), key=lambda r: (r.key, r.version))
    report = BatchReport(base=base, batch_id=batch_id, received=len(records))
    now = timezone.now()
    with transaction.atomic():
        existing = _existing(base, sorted({r.key for r in wanted}))
        new: dict[str, Any] = {}
        touched: dict[str, set[str]] = {}
        for record in wanted:
            _apply_one(base, record, existing, new, touched, report, source, now, errors)
        if errors:
            raise _invalid(errors)
        model = MODELS[base]
        if new:
            model.objects.bulk_create(list(new.values()), batch_size=_CHUNK)  # type: ignore[attr-defined]
        for key, names in touched.items():
            if key in new:
                continue
            row = existing[key]
            row.save(update_fields=sorted(names | {"version", "updated_at", "source"}))
        changes = [
            BaseChange(
                base=base,
                subject_digest=protected_digest(key, "code"),
                fields=sorted({"centroid" if n.startswith("centroid_") else n for n in names}),
                created=key in new,
                version=(new.get(key) or existing[key]).version,
                at=now,
                source=source,
                batch_id=batch_id,
            )
            for key, names in sorted(touched.items())
            if names or key in new
        ]
        written = BaseChange.objects.bulk_create(changes, batch_size=_CHUNK)
        report.changes = [change.sequence for change in written if change.sequence is not None]
        audit.record(
            "bases.batch_applied",
            object_type="bases.Batch",
            object_id=batch_id,
            detail={
                "base": base,
                "source": source.name if source is not None else "",
                **{k: v for k, v in report.as_dict().items() if k not in {"changes", "base", "batch_id"}},
            },
        )
    return report


def _apply_one(
    base: str,
    record: _Record,
    existing: dict[str, Any],
    new: dict[str, Any],
    touched: dict[str, set[str]],
    report: BatchReport,
    source: Organisation | None,
    now: Any,
    errors: dict[str, list[str]],
) -> None:
    values = _model_values(base, record.values)
    row = existing.get(record.key) or new.get(record.key)
    if row is None:
        missing = [name for name in _REQUIRED_ON_CREATE[base] if name not in record.values]
        if missing:
            errors[f"{KEYS[base]}={_shown_key(base, record.key)}"] = [f"新记录缺少 {', '.join(missing)}"]
            return
        attrs = {**_model_values(base, _defaults(base, record.key)), **values}
        row = MODELS[base](
            **{_key_attr(base): record.key}, **attrs, version=record.version, source=source, updated_at=now
        )
        new[record.key] = row
        touched[record.key] = set(values)
        report.created += 1
        return
    if record.version <= row.version:
        report.stale += 1
        return
    changed = {name for name, value in values.items() if getattr(row, name) != value}
    for name in changed:
        setattr(row, name, values[name])
    row.version, row.updated_at, row.source = record.version, now, source
    touched.setdefault(record.key, set()).update(changed)
    if record.key in new:
        return
    if changed:
        report.updated += 1
    else:
        report.unchanged += 1


def _shown_key(base: str, key: str) -> str:
    """The key as an error may show it: ID numbers masked."""
    return key[:6] + "********" + key[-4:] if base == BaseKind.POPULATION else key
