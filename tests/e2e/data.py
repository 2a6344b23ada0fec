"""The small world the browser tests run in, built with the same factories as the page tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yiwang.accounts.models import User
from yiwang.catalog.models import ServiceItem
from yiwang.core.models import Organisation
from yiwang.testing import portal as factories
from yiwang.testing.portal import PASSWORD, PDF_BYTES, PNG_BYTES

__all__ = ["PASSWORD", "World", "build_world", "write_upload_files"]


@dataclass
class World:
    department: Organisation
    item: ServiceItem
    other_item: ServiceItem
    citizen: User
    clerk: User
    approver: User


def build_world() -> World:
    factories.seed_test_calendar()
    department = factories.make_department()
    police = factories.make_department("合肥市公安局", "市公安局")
    item = factories.make_item(department)
    factories.make_item(
        department,
        name="个体工商户注册登记",
        materials=[{"name": "经营者身份证明", "mandatory": True, "originals": 1, "copies": 0}],
        form_fields=[{"name": "shop_name", "label": "个体工商户名称", "type": "text", "required": True}],
    )
    other_item = factories.make_item(
        police,
        name="居民身份证换领",
        materials=[{"name": "户口簿", "mandatory": True, "originals": 1, "copies": 0}],
        form_fields=[{"name": "reason", "label": "换领原因", "type": "text", "required": True}],
        result_name="居民身份证",
        service_objects=["1"],
    )
    return World(
        department=department,
        item=item,
        other_item=other_item,
        citizen=factories.make_citizen("citizen"),
        clerk=factories.make_staff(department, "clerk", ["window_clerk"], "李娜"),
        approver=factories.make_staff(department, "approver", ["handler", "approver"], "王强"),
    )


def write_upload_files(directory: Path) -> dict[str, Path]:
    """Small real PDF and PNG files for ``set_input_files``."""
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "pdf": directory / "申请书.pdf",
        "pdf2": directory / "公司章程.pdf",
        "png": directory / "住所证明.png",
        "pdf3": directory / "补正-公司章程.pdf",
        "png2": directory / "补正-住所证明.png",
    }
    for key, path in files.items():
        path.write_bytes(PNG_BYTES if key.startswith("png") else PDF_BYTES)
    return files
