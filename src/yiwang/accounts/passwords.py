"""Password policy (密码策略) beyond Django's validators: character classes."""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth import password_validation as django_validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yiwang.accounts.policy import current_policy


class CharacterClassesValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self._configured = min_classes

    @property
    def min_classes(self) -> int:
        """The stricter of the configured value and the security admin's policy (安全策略)."""
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
        minimum = current_policy().password_min_length
        if len(password) < minimum:
            raise ValidationError(_("密码长度至少 %(n)d 位") % {"n": minimum}, code="password_too_short")

    def get_help_text(self) -> str:
        return _("密码长度至少 %(n)d 位") % {"n": current_policy().password_min_length}


class SimilarityValidator(django_validators.UserAttributeSimilarityValidator):
    """Django's check, with a sentence that reads well in Chinese (not "密码跟 用户名 太相似了")."""

    def get_error_message(self) -> str:
        return _("密码与%(verbose_name)s过于相似，请换一个不含用户名、姓名等个人信息的密码")

    def get_help_text(self) -> str:
        return _("不能与用户名、姓名等个人信息相似")


class NotNumericValidator(django_validators.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码不能全为数字")

    def get_help_text(self) -> str:
        return _("不能全为数字")


def password_hint() -> str:
    """The password rule in one sentence, from the configured validators and the security policy
    (安全策略), so that the hint under a password field never differs from what is enforced."""
    length = current_policy().password_min_length
    classes = 0
    extra = []
    for validator in django_validators.get_default_password_validators():
        if isinstance(validator, django_validators.MinimumLengthValidator):
            length = max(length, validator.min_length)
        elif isinstance(validator, CharacterClassesValidator):
            classes = max(classes, validator.min_classes)
        elif isinstance(validator, django_validators.UserAttributeSimilarityValidator):
            extra.append(_("不能与用户名、姓名等个人信息相似"))
        elif isinstance(validator, django_validators.CommonPasswordValidator):
            extra.append(_("不能是常见密码"))
    parts = [_("至少 %(n)d 位") % {"n": length}]
    if classes:
        parts.append(_("包含大写字母、小写字母、数字、符号中的至少 %(n)d 类") % {"n": classes})
    return _("，").join([*parts, *extra])
