"""licences_import FILE: import licences issued on other platforms (JSON list or zip), all or nothing.

JSON: ``[{"identifier", "type_code", "holder_name", "holder_code", "holder_code_type", "issuer_name",
"issuer_code", "issued_on", "valid_until", "data": {...}, "pdf": "<base64>"}, ...]`` (or
``{"records": [...], "source": "..."}``).  Zip: ``records.json`` with ``"pdf": "<file name in the zip>"``.
"""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yiwang.core.errors import DomainError
from yiwang.core.models import Channel
from yiwang.core.request_context import RequestContext, use_context
from yiwang.licences import services


def load_records(path: Path) -> tuple[list[Any], str]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            payload = json.loads(archive.read("records.json"))
            records = payload["records"] if isinstance(payload, dict) else payload
            for record in records:
                name = record.get("pdf") if isinstance(record, dict) else None
                if isinstance(name, str) and name in archive.namelist():
                    record["pdf"] = base64.b64encode(archive.read(name)).decode()
            return records, payload.get("source", "") if isinstance(payload, dict) else ""
    payload = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(payload, dict):
        return payload.get("records", []), str(payload.get("source", ""))
    return payload, ""


class Command(BaseCommand):
    help = "导入外省市签发的电子证照（JSON 或 zip），逐条校验，全部成功才导入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="来源平台名称")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            records, source = load_records(path)
        except (ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise CommandError(f"文件格式不正确：{exc}") from exc
        try:
            with use_context(RequestContext(channel=Channel.CONSOLE)):
                created = services.import_licences(records, source=options["source"] or source or path.name)
        except DomainError as exc:
            lines = [exc.message] + [
                f"  {key}: {'；'.join(map(str, messages))}" for key, messages in exc.fields.items()
            ]
            raise CommandError("\n".join(lines)) from exc
        for licence in created:
            self.stdout.write(licence.identifier)
        self.stdout.write(self.style.SUCCESS(f"已导入 {len(created)} 条电子证照"))
