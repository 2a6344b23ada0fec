"""The licence holder's code is encrypted at rest (core.protected); the wallet and the staff look-up
find licences through the digest column, whatever the case of the ID number's final X."""

from __future__ import annotations

import pytest
from django.db import connection

from yiwang.licences.models import Licence
from yiwang.licences.services import wallet
from yiwang.testing import licences as factories
from yiwang.testing.people import make_citizen

pytestmark = pytest.mark.django_db


def test_wallet_and_exact_lookup_by_encrypted_holder_code():
    issuer, _seal, _admin = factories.make_issuer()
    licence_type = factories.make_type()
    holder = make_citizen("holder", through_services=False)
    number = holder.natural_person.id_number
    licence = factories.issue(licence_type, issuer, holder=None, holder_code=number.lower())
    table = connection.ops.quote_name(Licence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT holder_code FROM {table} WHERE id = %s", [licence.pk])  # noqa: S608
        assert number.lower() not in cursor.fetchone()[0]
    assert list(wallet(holder)) == [licence]  # holder_code__in through the digest
    assert Licence.objects.get(holder_code=number.upper()) == licence
    # Read back as issued (an issuing path may write the ID number's X in capitals).
    assert Licence.objects.get(pk=licence.pk).holder_code.upper() == number.upper()
