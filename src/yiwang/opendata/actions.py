"""What a user may do with a dataset or a key now (pages and API ask here)."""

from __future__ import annotations

from typing import Any

from yiwang.opendata.models import Dataset, DatasetStatus, OpenDataKey
from yiwang.sharing.services.permissions import is_official_of


def allowed_actions(user: Any, obj: Dataset | OpenDataKey) -> list[str]:
    if isinstance(obj, OpenDataKey):
        mine = getattr(user, "is_authenticated", False) and obj.user_id == user.pk
        return ["revoke"] if mine and obj.revoked_at is None else []
    actions = []
    if obj.status == DatasetStatus.PUBLISHED:
        actions.append("download")
        if getattr(user, "is_authenticated", False) and is_official_of(user, obj.publisher_id):
            actions += ["update", "withdraw"]
    return actions
