"""The public verification read: one compiled statement builds the licence with its type exactly as
the ORM does, the API answers with one statement, and a tampered record is still refused although
signature checks are remembered (the record text is part of the key)."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.licences import services
from yiwang.licences.models import Licence
from yiwang.licences.services import verification

pytestmark = pytest.mark.django_db


def test_compiled_read_builds_the_same_licence_as_the_orm(licence):
    verification.licence_by_identifier(licence.identifier)  # compiles the shape
    compiled = verification.licence_by_identifier(licence.identifier)
    orm = verification.verified_queryset().get(identifier=licence.identifier)
    assert compiled is not None
    for field in Licence._meta.concrete_fields:
        assert getattr(compiled, field.attname) == getattr(orm, field.attname), field.name
    assert compiled.licence_type == orm.licence_type
    assert compiled.licence_type.name == orm.licence_type.name
    assert compiled.document.name == orm.document.name
    assert set(verification.by_identifier_compiled().shapes().values()) == {True}
    wrong = "0" if licence.identifier.endswith("X") else "X"  # its check character may be X itself
    assert verification.licence_by_identifier(licence.identifier[:-1] + wrong) is None


def test_verify_api_is_one_statement(licence, django_assert_num_queries):
    client = Client()
    first = client.get(f"/api/v1/licences/verify/{licence.identifier}")
    assert first.status_code == 200 and first.json()["ok"] is True
    with django_assert_num_queries(1):
        again = client.get(f"/api/v1/licences/verify/{licence.identifier}")
    assert again.json() == first.json()


def test_remembered_signature_check_still_sees_a_tampered_record(licence):
    assert services.verify_identifier(licence.identifier).data_ok  # remembered from here on
    Licence.objects.filter(pk=licence.pk).update(holder_name="李四")
    assert services.verify_identifier(licence.identifier).data_ok is False
    Licence.objects.filter(pk=licence.pk).update(holder_name=licence.holder_name, data_signature="00" * 64)
    assert services.verify_identifier(licence.identifier).data_ok is False


def test_same_answers_with_compiled_rows_off(licence, settings):
    compiled = services.verify_identifier(licence.identifier)
    settings.YIWANG_COMPILED_ROWS = False
    orm = services.verify_identifier(licence.identifier)
    assert (orm.ok, orm.status, orm.data_ok, orm.licence.pk) == (
        compiled.ok,
        compiled.status,
        compiled.data_ok,
        compiled.licence.pk,
    )
