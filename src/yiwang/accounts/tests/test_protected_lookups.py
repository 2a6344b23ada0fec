"""Accounts' lookups by phone and ID number go through the HMAC-SM3 digest columns (core.protected):
the services find people and refuse duplicates exactly as before, with only ciphertext stored."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from yiwang.accounts.models import NaturalPerson, SmsOutboxMessage, SmsVerificationCode, User
from yiwang.accounts.reads import find_applicant
from yiwang.core.protected import protected_digest
from yiwang.testing.people import make_citizen, make_user

pytestmark = pytest.mark.django_db


def test_find_applicant_by_id_number_in_either_case():
    user = make_citizen("finder", through_services=False)
    number = user.natural_person.id_number
    assert find_applicant(number) == user
    assert find_applicant(number.lower()) == user
    table = connection.ops.quote_name(NaturalPerson._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, id_number_digest FROM {table} WHERE user_id = %s", [user.pk])  # noqa: S608
        stored, digest = cursor.fetchone()
    assert stored.startswith("yw1$") and number not in stored
    assert digest == protected_digest(number, "id_number")


def test_one_applicant_account_per_phone_even_encrypted():
    make_citizen("one", phone="13900009999", through_services=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("two", phone="13900009999")
    make_user("staff-with-same-phone", kind="staff", phone="13900009999")  # staff are exempt, as before


def test_sms_codes_and_outbox_are_found_by_phone():
    from datetime import timedelta

    from django.utils import timezone

    SmsVerificationCode.objects.create(
        phone="13900001234", purpose="login", code_hash="h", expires_at=timezone.now() + timedelta(minutes=5)
    )
    SmsOutboxMessage.objects.create(phone="13900001234", body="您好")
    assert SmsVerificationCode.objects.filter(phone="13900001234", purpose="login").count() == 1
    assert SmsOutboxMessage.objects.get(phone="13900001234").body == "您好"
    assert not User.objects.filter(phone="13900001234").exists()
