"""Shared bits of the demo content: the Hefei service hall, code-list shorthands, field builders."""

from __future__ import annotations

from typing import Any

# The vocabulary the items_*.py content modules are written in (they import it with ``*``).
__all__ = [
    "COMPANY",
    "CONSULT",
    "EXPRESS",
    "FREE",
    "FULL_ONLINE",
    "INSTITUTION",
    "MOBILE",
    "ONLINE_RESULT",
    "PC",
    "PERSON",
    "PRE_REVIEW",
    "SOCIAL_ORG",
    "WINDOW",
    "day",
    "material",
    "number",
    "select",
    "text",
    "textarea",
]

HALL = "合肥市政务服务中心"
HALL_ADDRESS = "合肥市滨湖新区南京路2588号"
HALL_HOURS = "周一至周五 上午9:00—12:00，下午13:00—17:00（法定节假日除外）；周六上午9:00—12:00延时服务"
SUPERVISE_PHONE = "0551-12345"

# 网办深度 online depth shorthands
FULL_ONLINE = ["1", "2", "3", "4", "5", "6", "7"]  # 全程网办 incl. e-licence feedback
ONLINE_RESULT = ["1", "2", "3", "4", "5", "6"]  # result information online, paper result
PRE_REVIEW = ["1", "2", "3"]  # 网上预审, then the window
CONSULT = ["1"]

# 办理形式 handling forms
WINDOW = "1"
PC = "2"
MOBILE = "3"
EXPRESS = "4"

# 服务对象 service objects
PERSON = "1"
COMPANY = "2"
INSTITUTION = "3"
SOCIAL_ORG = "4"

FREE = {"fee_required": False, "fee_description": "不收费", "fee_basis": ""}


def material(
    name: str,
    *,
    mandatory: bool = True,
    originals: int = 0,
    copies: int = 0,
    source: str = "申请人自备",
    description: str = "",
    form: str = "electronic",
) -> dict[str, Any]:
    """申请材料 One material of an item's guide."""
    return {
        "name": name,
        "mandatory": mandatory,
        "originals": originals,
        "copies": copies,
        "source": source,
        "description": description,
        "material_form": form,
    }


def text(name: str, label: str, *, required: bool = True, help_text: str = "") -> dict[str, Any]:
    return {"name": name, "label": label, "type": "text", "required": required, "help_text": help_text}


def textarea(name: str, label: str, *, required: bool = True, help_text: str = "") -> dict[str, Any]:
    return {"name": name, "label": label, "type": "textarea", "required": required, "help_text": help_text}


def number(name: str, label: str, *, required: bool = True, help_text: str = "") -> dict[str, Any]:
    return {"name": name, "label": label, "type": "number", "required": required, "help_text": help_text}


def day(name: str, label: str, *, required: bool = True, help_text: str = "") -> dict[str, Any]:
    return {"name": name, "label": label, "type": "date", "required": required, "help_text": help_text}


def select(name: str, label: str, choices: list[str], *, required: bool = True) -> dict[str, Any]:
    return {"name": name, "label": label, "type": "select", "required": required, "choices": choices}
