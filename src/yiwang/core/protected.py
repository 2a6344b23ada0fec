"""Personal data encrypted at rest: one field family for every app (docs/security.md, ADR 0008).

``ProtectedCharField`` / ``ProtectedTextField`` / ``ProtectedJSONField`` store text
``yw1$<alg>$<key id>$<nonce ‖ ciphertext ‖ tag>`` (SM4-GCM by default, AES-256-GCM with
``YIWANG_DATA_CIPHER=aes-256-gcm``; keys in :mod:`yiwang.core.keyring`) and give back the plain value
when a row is loaded.  A legacy plain value (written before the conversion) is read as it is and
encrypted by ``manage.py rotate_data_keys``.

Exact-match lookups go through a companion ``<field>_digest`` column::

    phone = ProtectedCharField(max_length=11, blank=True)
    phone_digest = DigestField(source="phone", canonical="phone", db_index=True)

The digest is HMAC-SM3 of the canonical value (phones: digits only; ID numbers and codes: upper
case), kept in step with its source automatically (also for ``save(update_fields=["phone"])``).
``filter(phone="138…")`` and ``filter(phone__in=[…])`` are rewritten to the digest column; every
other lookup on a protected field (``icontains``, ``startswith``, ordering by it) is refused with a
``FieldError`` — the database only holds ciphertext.  ``protected_digest(value, "phone")`` gives the
digest for hand-written queries.  ``QuerySet.update()`` / ``bulk_update()`` of a protected field do
not refresh its digest: save the instances instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Lookup
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In

from yiwang.core.keyring import ProtectedDataError, decrypt_text, digest_text, encrypt_text

__all__ = [
    "DigestField",
    "ProtectedCharField",
    "ProtectedDataError",
    "ProtectedJSONField",
    "ProtectedTextField",
    "canonical",
    "protected_digest",
    "protected_fields",
]


def _canonical_phone(value: str) -> str:
    return re.sub(r"\D", "", value)


def _canonical_code(value: str) -> str:
    return re.sub(r"\s", "", value).upper()


CANONICALISERS: dict[str, Callable[[str], str]] = {
    "exact": lambda value: value,
    "phone": _canonical_phone,  # mobile numbers: digits only
    "id_number": _canonical_code,  # GB 11643: upper-case X, no spaces
    "code": _canonical_code,  # licence holder codes (ID numbers or GB 32100 credit codes)
}


def canonical(value: object, kind: str = "exact") -> str:
    text = "" if value is None else str(value)
    return CANONICALISERS[kind](text.strip())


def protected_digest(value: object, kind: str = "exact") -> str:
    """The digest stored in a ``<field>_digest`` column for ``value`` (``""`` for an empty value)."""
    return digest_text(canonical(value, kind))


# --- the encrypted fields ---------------------------------------------------------------------
class _ProtectedMixin:
    """Encrypt in ``get_db_prep_save``, decrypt in ``from_db_value``; the column is text."""

    protected = True
    attname: str

    def db_type(self, connection: Any) -> str | None:
        return connection.data_types["TextField"]

    def get_internal_type(self) -> str:
        return "TextField"

    def to_plain_text(self, value: Any) -> str:
        return "" if value is None else str(value)

    def from_plain_text(self, text: str) -> Any:
        return text

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is None:
            return None
        return encrypt_text(self.to_plain_text(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.from_plain_text(decrypt_text(value))

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name == "exact":
            return DigestExact
        if lookup_name == "in":
            return DigestIn
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)  # type: ignore[misc]
        return None  # Django raises FieldError: an encrypted column cannot be searched or compared

    def get_transform(self, lookup_name: str) -> Any:
        return None


class ProtectedCharField(_ProtectedMixin, models.CharField):
    """A ``CharField`` stored encrypted; ``max_length`` limits the plain value (validation only)."""


class ProtectedTextField(_ProtectedMixin, models.TextField):
    """A ``TextField`` stored encrypted."""


class ProtectedJSONField(_ProtectedMixin, models.JSONField):
    """A ``JSONField`` stored encrypted (as text): no key lookups in SQL, read it in Python."""

    def to_plain_text(self, value: Any) -> str:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False, separators=(",", ":"))

    def from_plain_text(self, text: str) -> Any:
        try:
            return json.loads(text, cls=self.decoder)
        except json.JSONDecodeError:
            return text

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        return value  # only get_db_prep_save writes it

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        if value is None and not self.null:
            value = {}
        return None if value is None else encrypt_text(self.to_plain_text(value))


# --- the digest column --------------------------------------------------------------------------
class _DigestDescriptor:
    """``instance.phone_digest`` is always the digest of ``instance.phone`` as it is now."""

    def __init__(self, field: DigestField) -> None:
        self.field = field

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        value = getattr(instance, self.field.source)
        cache = instance.__dict__.get(self.field.attname)
        if isinstance(cache, tuple) and cache[0] == value:
            return cache[1]
        digest = protected_digest(value, self.field.canonical)
        instance.__dict__[self.field.attname] = (value, digest)
        return digest

    def __set__(self, instance: Any, value: Any) -> None:
        # Loaded from the database (or passed to the constructor): ignored, derived from the source.
        # Something stays in __dict__ so that Django does not count the column as deferred.
        instance.__dict__[self.field.attname] = None


class DigestField(models.CharField):
    """HMAC-SM3 (hex) of the canonical value of the protected field ``source``; never set by hand."""

    def __init__(self, *args: Any, source: str = "", canonical: str = "exact", **kwargs: Any) -> None:
        if canonical not in CANONICALISERS:
            raise ValueError(f"unknown canonical form {canonical!r}")
        self.source, self.canonical = source, canonical
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, canonical=self.canonical)
        for key, default in (("max_length", 64), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _DigestDescriptor(self))
        _keep_digests_on_partial_save(cls)

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        return getattr(model_instance, self.attname)


def _digest_names(model: Any, field_names: Iterable[str]) -> set[str]:
    wanted = set(field_names)
    return {
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, DigestField) and field.source in wanted
    }


def _keep_digests_on_partial_save(cls: Any) -> None:
    """``save(update_fields=[source])`` also writes the source's digest column."""
    if cls.__dict__.get("_protected_save_wrapped"):
        return
    original = cls.save

    def save(self: Any, *args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> Any:
        if update_fields is not None:
            update_fields = list(update_fields)
            update_fields += sorted(_digest_names(type(self), update_fields) - set(update_fields))
        return original(self, *args, update_fields=update_fields, **kwargs)

    save.__doc__ = original.__doc__
    cls.save = save
    cls._protected_save_wrapped = True


# --- lookups: exact and in go to the digest column ----------------------------------------------
def _digest_target(lookup: Lookup) -> tuple[Col, DigestField]:
    lhs = lookup.lhs
    field = getattr(lhs, "target", None)
    if not isinstance(lhs, Col) or field is None:
        raise FieldError("an encrypted field can only be compared as a plain column")
    name = f"{field.name}_digest"
    try:
        digest = field.model._meta.get_field(name)
    except Exception as error:
        raise FieldError(
            f"{field.model.__name__}.{field.name} is encrypted and has no {name} column: "
            "it cannot be looked up by value"
        ) from error
    if not isinstance(digest, DigestField):
        raise FieldError(f"{field.model.__name__}.{name} is not a DigestField")
    return Col(lhs.alias, digest), digest


def _plain_rhs(value: Any) -> Any:
    if hasattr(value, "resolve_expression"):
        raise FieldError("an encrypted field can only be compared with values, not with other columns")
    return value


class DigestExact(Lookup):
    lookup_name = "exact"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        return _plain_rhs(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        column, digest = _digest_target(self)
        return Exact(column, protected_digest(self.rhs, digest.canonical)).as_sql(compiler, connection)


class DigestIn(Lookup):
    lookup_name = "in"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("an encrypted field can only be compared with values, not with a subquery")
        return list(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        column, digest = _digest_target(self)
        digests = sorted({protected_digest(value, digest.canonical) for value in self.rhs})
        return In(column, digests).as_sql(compiler, connection)


def protected_fields(models_: Iterable[Any] | None = None) -> Iterator[tuple[Any, list[models.Field]]]:
    """Every concrete model with protected fields, and those fields (for rotation and checks)."""
    from django.apps import apps

    for model in models_ if models_ is not None else apps.get_models():
        fields = [f for f in model._meta.concrete_fields if getattr(f, "protected", False)]
        if fields and not model._meta.proxy:
            yield model, fields
