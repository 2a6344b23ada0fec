"""Key rotation (``rotate_data_keys``): a new data key, every protected value re-encrypted under it in
batches, old values readable throughout, ``--check`` reporting what is still on an old key."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from yiwang.accounts.models import NaturalPerson, User
from yiwang.core import keyring as kr
from yiwang.core import rotation
from yiwang.core.models import DataKey
from yiwang.testing.people import make_citizen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_keyring():
    kr.keyring.clear()
    yield
    kr.keyring.clear()


def _raw(model, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608
            "WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()[0]


def _run(*args):
    out = StringIO()
    call_command("rotate_data_keys", *args, stdout=out)
    return out.getvalue()


def test_rotation_re_encrypts_and_old_values_still_read():
    users = [make_citizen(f"r{n}", phone=f"1390000{n:04d}", through_services=False) for n in range(7)]
    old_key = kr.key_id_of(_raw(User, users[0].pk, "phone"))
    new_user_before = make_citizen("before", phone="13911112222", through_services=False)

    out = _run("--batch-size", "3")
    new_key = DataKey.objects.get(retired_at__isnull=True, algorithm=kr.SM4_GCM).key_id
    assert new_key != old_key and "行" in out
    assert DataKey.objects.get(key_id=old_key).retired_at is not None  # kept for old backups
    for user in [*users, new_user_before]:
        assert kr.key_id_of(_raw(User, user.pk, "phone")) == new_key
        assert kr.key_id_of(_raw(NaturalPerson, user.natural_person.pk, "id_number")) == new_key
    assert User.objects.get(phone="13900000003") == users[3]
    assert User.objects.get(pk=users[5].pk).phone == "13900000005"
    assert "全部" in _run("--check")


def test_values_on_an_old_key_stay_readable_and_check_reports_them():
    user = make_citizen("old", phone="13922223333", through_services=False)
    old_key = kr.key_id_of(_raw(User, user.pk, "phone"))
    kr.keyring.new_key(kr.SM4_GCM, retire_others=True)  # a rotation that did not re-encrypt yet
    kr.keyring.clear()
    assert User.objects.get(pk=user.pk).phone == "13922223333"
    with pytest.raises(CommandError) as raised:
        _run("--check")
    assert "旧密钥" in str(raised.value)
    active, reports = rotation.check()
    phone = next(r for r in reports if r.label == "accounts.User.phone")
    assert phone.by_key[old_key] == 1 and phone.stale(active) == 1
    # Resume: no new key, the stragglers re-encrypted.
    _run("--resume")
    assert kr.key_id_of(_raw(User, user.pk, "phone")) == active
    _run("--check")


def test_plain_legacy_values_are_encrypted_with_their_digest():
    user = make_citizen("legacy", phone="13933334444", through_services=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {User._meta.db_table} SET phone = %s, phone_digest = '' WHERE id = %s",  # noqa: S608
            ["13933334444", user.pk],
        )
    assert User.objects.get(pk=user.pk).phone == "13933334444"  # read as it is
    _active, reports = rotation.check()
    assert next(r for r in reports if r.label == "accounts.User.phone").by_key[rotation.PLAIN] == 1
    _run("--resume")
    assert _raw(User, user.pk, "phone").startswith("yw1$")
    assert User.objects.get(phone="13933334444") == user


def test_switching_to_aes_gcm_by_setting(settings):
    user = make_citizen("aes", phone="13944445555", through_services=False)
    settings.YIWANG_DATA_CIPHER = kr.AES_256_GCM
    _run()
    assert _raw(User, user.pk, "phone").startswith("yw1$a2$")
    assert User.objects.get(pk=user.pk).phone == "13944445555"


def test_a_row_changed_during_rotation_is_not_overwritten(monkeypatch):
    user = make_citizen("race", phone="13955556666", through_services=False)
    kr.keyring.new_key(kr.SM4_GCM, retire_others=True)
    batches = rotation._batches

    def racing(model, columns, size):
        for rows in batches(model, columns, size):
            if model is User:
                fresh = User.objects.get(pk=user.pk)
                fresh.phone = "13977778888"
                fresh.save(update_fields=["phone"])
            yield rows

    monkeypatch.setattr(rotation, "_batches", racing)
    outcome = rotation.reencrypt()
    assert outcome["changed meanwhile"] >= 1
    assert User.objects.get(pk=user.pk).phone == "13977778888"


def test_the_migration_helper_encrypts_plain_rows_and_reverses():
    from django.apps import apps

    from yiwang.core.protected_migrations import encrypt_columns

    user = make_citizen("migrated", phone="13966667777", through_services=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {User._meta.db_table} SET phone = %s, phone_digest = '' WHERE id = %s",  # noqa: S608
            ["13966667777", user.pk],
        )
    forward, reverse = encrypt_columns("accounts", "user", ["phone"])
    editor = SimpleNamespace(connection=connection)  # the helper only uses the editor's connection
    forward(apps, editor)
    forward(apps, editor)  # again, as after an interruption: nothing changes twice
    stored = _raw(User, user.pk, "phone")
    assert stored.startswith("yw1$") and User.objects.get(phone="13966667777") == user
    reverse(apps, editor)
    assert _raw(User, user.pk, "phone") == "13966667777"
    assert _raw(User, user.pk, "phone_digest") == ""
