"""Password policy (密码策略) beyond Django's validators: character classes."""

from __future__ import annotations

import string
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassesValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self._configured = min_classes

    @property
    def min_classes(self) -> int:
        """The stricter of the configured value and the security admin's policy (安全策略)."""
        from yiwang.accounts.policy import current_policy

        return max(self._configured, current_policy().password_min_classes)

    def validate(self, password: str, user: Any = None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(c in string.punctuation or c.isspace() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类") % {"n": self.min_classes},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类") % {"n": self.min_classes}


class PolicyLengthValidator:
    """Minimum length from the security policy (never below Django's configured minimum)."""

    def validate(self, password: str, user: Any = None) -> None:
        from yiwang.accounts.policy import current_policy

        minimum = current_policy().password_min_length
        if len(password) < minimum:
            raise ValidationError(_("密码长度至少 %(n)d 位") % {"n": minimum}, code="password_too_short")

    def get_help_text(self) -> str:
        from yiwang.accounts.policy import current_policy

        return _("密码长度至少 %(n)d 位") % {"n": current_policy().password_min_length}
