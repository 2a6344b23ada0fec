"""Who may manage the catalogue and answer requests: data officials (数据专员) of an organisation,
and catalogue reviewers (目录审核人) — data officials whose role reaches the whole region (data scope
``region``), such as those of 数据资源管理局, reviewing the resources of other organisations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from yiwang.accounts.models import DataScope, StaffRole, StaffRoleAssignment, User
from yiwang.accounts.roles import assignments_of, in_scope
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation
from yiwang.sharing.errors import SharingErrorCode

DATA_OFFICIAL = StaffRole.DATA_OFFICIAL.value


def official_assignment(user: Any) -> StaffRoleAssignment | None:
    return next((a for a in assignments_of(user) if a.role == DATA_OFFICIAL), None)


def is_data_official(user: Any) -> bool:
    return official_assignment(user) is not None


def official_organisation_id(user: Any) -> int | None:
    """The organisation a data official acts for (None for anyone else)."""
    if official_assignment(user) is None:
        return None
    return user.staff_profile.organisation_id  # type: ignore[no-any-return]


def is_official_of(user: Any, organisation_id: int | None) -> bool:
    return organisation_id is not None and official_organisation_id(user) == organisation_id


def is_catalogue_manager(user: Any) -> bool:
    """A data official of region scope: manages base and thematic catalogues, reviews resources."""
    assignment = official_assignment(user)
    return assignment is not None and assignment.scope == DataScope.REGION


def is_catalogue_reviewer(user: Any, provider_id: int) -> bool:
    """May review ``provider``'s resources: a catalogue manager of another organisation whose
    region covers the provider (never the provider's own officials: no self-review)."""
    if not is_catalogue_manager(user) or official_organisation_id(user) == provider_id:
        return False
    return in_scope(user, provider_id, [DATA_OFFICIAL])


def require_data_official(actor: User | None) -> User:
    if actor is None or not is_data_official(actor):
        raise DomainError(SharingErrorCode.ROLE_REQUIRED, "此操作需要“数据专员”角色", status=403)
    return actor


def require_official_of(actor: User | None, organisation: Organisation, what: str) -> User:
    user = require_data_official(actor)
    if not is_official_of(user, organisation.pk):
        raise DomainError(
            SharingErrorCode.NOT_PROVIDER, f"只有{organisation.name}的数据专员可以{what}", status=403
        )
    return user


def officials_of(organisation_id: int) -> QuerySet[StaffRoleAssignment]:
    """The data officials of an organisation (to notify them)."""
    return StaffRoleAssignment.objects.filter(
        role=DATA_OFFICIAL, staff__organisation_id=organisation_id, staff__user__is_active=True
    )


def official_user_ids(organisation_id: int) -> list[int]:
    return list(officials_of(organisation_id).values_list("staff__user_id", flat=True))
