"""Factories for licence tests: an issuing body with an issued seal, licence types, citizens."""

# factory_boy factories are typed as themselves, not as the model instances they return
# mypy: disable-error-code="arg-type,misc,return-value"

from __future__ import annotations

import itertools
from typing import Any

from yiwang.accounts.models import User
from yiwang.core.models import Organisation
from yiwang.licences import services
from yiwang.licences.models import HolderType, Licence, LicenceType
from yiwang.seals import services as seal_services
from yiwang.seals.models import Seal
from yiwang.testing.cases import OrganisationFactory, make_citizen, make_staff

__all__ = ["PASSWORD", "issue", "make_citizen", "make_issuer", "make_staff", "make_type"]
from yiwang.testing.people import PASSWORD

_codes = itertools.count(1)
MINISTRY = "11100000000013338W"  # 国家市场监督管理总局 (as in STANDARDS.md)

FOOD_FIELDS: list[dict[str, Any]] = [
    {"name": "number", "label": "许可证编号", "type": "text", "required": True},
    {"name": "legal_representative", "label": "法定代表人", "type": "text", "required": True},
    {"name": "address", "label": "经营场所", "type": "text", "required": True},
    {
        "name": "category",
        "label": "主体业态",
        "type": "choice",
        "required": True,
        "choices": ["食品销售经营者", "餐饮服务经营者"],
    },
    {"name": "area", "label": "经营面积（平方米）", "type": "number", "required": False},
    {"name": "approved_on", "label": "许可日期", "type": "date", "required": False},
]


def make_issuer(name: str = "合肥市市场监督管理局") -> tuple[Organisation, Seal, User]:
    """An organisation with an issued 证照专用章 and an approver (who may change licences)."""
    organisation = OrganisationFactory(name=name)
    n = next(_codes)
    applicant = make_staff(organisation, f"seal_mgr{n}", ("service_manager",))
    admin = make_staff(organisation, f"seal_admin{n}", ("admin",))
    seal = seal_services.apply_for_seal(
        organisation=organisation, name="证照专用章", seal_type="certificate", actor=applicant
    )
    seal_services.review_seal(seal, actor=admin, approve=True)
    seal_services.make_seal(seal, actor=admin)
    seal_services.file_seal(seal, actor=admin)
    seal = seal_services.issue_seal(seal, actor=admin)
    approver = make_staff(organisation, f"approver{n}", ("approver",))
    return organisation, seal, approver


def make_type(
    code: str | None = None,
    *,
    name: str = "食品经营许可证",
    holder_type: str = HolderType.NATURAL,
    validity_years: int | None = 5,
) -> LicenceType:
    return services.create_licence_type(
        code=code or f"{MINISTRY}{next(_codes) % 1000:03d}",
        name=name,
        holder_type=holder_type,
        fields=FOOD_FIELDS,
        validity_years=validity_years,
        issuing_department_kind="市场监督管理部门",
    )


def food_data(**overrides: Any) -> dict[str, Any]:
    return {
        "number": "JY13401040012345",
        "legal_representative": "张伟",
        "address": "合肥市包河区徽州大道 1 号",
        "category": "餐饮服务经营者",
        "area": 120,
        "approved_on": "2026-03-01",
        **overrides,
    }


def issue(
    licence_type: LicenceType, issuer: Organisation, holder: User | None = None, **overrides: Any
) -> Licence:
    kwargs: dict[str, Any] = {
        "holder_name": "张伟",
        "holder_code": holder.natural_person.id_number if holder is not None else "11010519491231002X",
        "holder_code_type": "居民身份证",
        "issuer": issuer,
        "data": food_data(),
    }
    kwargs.update(overrides)
    return services.issue_licence(licence_type, **kwargs)
