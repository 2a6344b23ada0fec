"""The log-in backend (认证后端): Django's model backend, reading a session's account with its staff
profile and organisation in the same statement.

Every workbench page needs the staff member's profile (roles, data scope) and prints his
organisation's name in the header: read lazily, that is two more statements on every request
(docs/adr/0010; off switch ``YIWANG_SESSION_USER_JOIN=0``).  Passwords, permissions and
``user_can_authenticate`` are the model backend's own.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        users = model.objects.all()  # type: ignore[attr-defined]
        if settings.YIWANG_SESSION_USER_JOIN:
            users = users.select_related("staff_profile__organisation")
        try:
            user = users.get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
