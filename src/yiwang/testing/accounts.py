"""Factories for the accounts tests: people, companies, staff, OIDC clients."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from yiwang.accounts.models import AssuranceLevel, IntegrationMode, User
from yiwang.accounts.oidc import register_client
from yiwang.accounts.services import (
    create_legal_person_account,
)
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import Organisation, Region, RegionLevel
from yiwang.testing import people
from yiwang.testing.people import PASSWORD

_serial = itertools.count(100)


def citizen(
    username: str = "citizen",
    *,
    level: int = AssuranceLevel.PRIMARY,
    real_name: str = "张伟",
    sequence: int | None = None,
) -> User:
    return people.make_citizen(
        username, level=level, real_name=real_name, sequence=sequence, sequence_offset=0, serial=_serial
    )


def company(
    representative: User, username: str = "company", *, level: int = AssuranceLevel.INTERMEDIATE
) -> User:
    n = next(_serial)
    return create_legal_person_account(
        username=username,
        password=PASSWORD,
        name=f"合肥测试科技有限公司{n}",
        credit_code=make_credit_code("9", "1", "340100", f"MA{n:06d}"),
        legal_representative=representative.natural_person,
        phone=f"137{n:08d}",
        assurance_level=level,
    )


def region(code: str = "3401", name: str = "合肥市") -> Region:
    province, _ = Region.objects.get_or_create(
        code="34", defaults={"full_code": "340000000000", "name": "安徽省", "level": RegionLevel.PROVINCE}
    )
    if code == "34":
        return province
    parent = province
    level = RegionLevel.CITY
    if len(code) == 6:
        parent = region(code[:4])
        level = RegionLevel.COUNTY
    obj, _ = Region.objects.get_or_create(
        code=code, defaults={"full_code": code.ljust(12, "0"), "name": name, "level": level, "parent": parent}
    )
    return obj


def organisation(name: str = "合肥市市场监督管理局", region_code: str = "3401") -> Organisation:
    n = next(_serial)
    return Organisation.objects.create(
        name=name,
        short_name=name[:6],
        credit_code=make_credit_code("1", "1", "340100", f"{n:08d}"),
        region=region(region_code, "蜀山区" if len(region_code) == 6 else "合肥市"),
    )


def staff(username: str, roles: Sequence[str], org: Organisation | None = None, **kwargs: Any) -> User:
    return people.make_staff(org or organisation(), username, roles, **kwargs)


def oidc_client(
    redirect_uri: str = "http://testclient.example/callback",
    *,
    trusted: bool = True,
    mode: str = IntegrationMode.UNIFIED,
    scopes: str = "openid profile assurance company phone",
    client_id: str = "dept-system",
    secret: str = "dept-system-secret-0123456789",  # noqa: S107
):
    application, secret = register_client(
        name="测试部门系统",
        redirect_uris=[redirect_uri],
        post_logout_redirect_uris=[redirect_uri.rsplit("/", 1)[0] + "/"],
        mode=mode,
        trusted=trusted,
        allowed_scopes=scopes,
        client_id=client_id,
        client_secret=secret,
    )
    return application, secret
