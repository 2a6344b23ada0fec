from __future__ import annotations

from pathlib import Path

import pytest

from yiwang.accounts.models import User
from yiwang.core.models import Organisation
from yiwang.seals import services
from yiwang.seals.models import Seal
from yiwang.testing.cases import OrganisationFactory, make_staff


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def organisation(db: None) -> Organisation:
    return OrganisationFactory(name="合肥市市场监督管理局")


@pytest.fixture
def seal_admin(organisation: Organisation) -> User:
    return make_staff(organisation, "seal_admin", ("admin",))


@pytest.fixture
def seal_admin2(organisation: Organisation) -> User:
    return make_staff(organisation, "seal_admin2", ("admin",))


@pytest.fixture
def manager(organisation: Organisation) -> User:
    return make_staff(organisation, "manager", ("service_manager",))


@pytest.fixture
def clerk(organisation: Organisation) -> User:
    return make_staff(organisation, "clerk", ("window_clerk",))


@pytest.fixture
def issued_seal(organisation: Organisation, manager: User, seal_admin: User, clerk: User) -> Seal:
    seal = services.apply_for_seal(
        organisation=organisation, name="行政审批专用章", seal_type="approval", actor=manager
    )
    services.review_seal(seal, actor=seal_admin, approve=True)
    services.make_seal(seal, actor=seal_admin)
    services.file_seal(seal, actor=seal_admin)
    seal = services.issue_seal(seal, actor=seal_admin)
    services.authorise_user(seal, user=clerk, actor=manager)
    return seal
