from __future__ import annotations

from pathlib import Path

import pytest

from yiwang.accounts.models import User
from yiwang.core.models import Organisation
from yiwang.licences.models import Licence, LicenceType
from yiwang.licences.tests import factories
from yiwang.seals.models import Seal


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.YIWANG_PUBLIC_URL = "https://zwfw.example.gov.cn"
    return tmp_path / "media"


@pytest.fixture
def issuer_bundle(db: None) -> tuple[Organisation, Seal, User]:
    return factories.make_issuer()


@pytest.fixture
def issuer(issuer_bundle) -> Organisation:
    return issuer_bundle[0]


@pytest.fixture
def seal(issuer_bundle) -> Seal:
    return issuer_bundle[1]


@pytest.fixture
def approver(issuer_bundle) -> User:
    return issuer_bundle[2]


@pytest.fixture
def licence_type(db: None) -> LicenceType:
    return factories.make_type()


@pytest.fixture
def citizen(db: None) -> User:
    return factories.make_citizen("holder")


@pytest.fixture
def licence(licence_type, issuer, citizen) -> Licence:
    return factories.issue(licence_type, issuer, citizen)
