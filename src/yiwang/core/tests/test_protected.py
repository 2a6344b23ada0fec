"""Personal data at rest (core.protected / core.keyring): ciphertext in the tables, plain values in
Python, exact-match lookups by HMAC-SM3 digest, clear errors for a wrong KEK, and a header parser
that never crashes on garbage."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from django.core.exceptions import FieldError
from django.db import connection
from django.utils import timezone
from gmssl import func, sm3
from hypothesis import given
from hypothesis import strategies as st

from yiwang.accounts.models import NaturalPerson, SmsOutboxMessage, SmsVerificationCode, User
from yiwang.bases.models import Company, Person
from yiwang.cases.models import BundleApplication, Case, CaseDelivery
from yiwang.catalog.models import Bundle
from yiwang.core import keyring as kr
from yiwang.core.keyring import ProtectedDataError, decrypt_text, encrypt_text, hmac_sm3, parse_envelope
from yiwang.core.models import DataKey
from yiwang.core.protected import DigestField, canonical, protected_digest, protected_fields
from yiwang.exchange.models import ExchangeNode, WebhookDelivery, WebhookEndpoint
from yiwang.hall.models import AgencyAuthorisation, Appointment, BookingBlock, QueueTicket
from yiwang.licences.models import Licence, LicenceUseConsent
from yiwang.logistics.models import CourierOrder
from yiwang.payments.models import PaymentOrder
from yiwang.ratings.models import RatingInvitation
from yiwang.receipts.models import Receipt
from yiwang.sharing.models import GatewayConsumer, QualityComment, QualityTicket
from yiwang.testing import bases as bases_factories
from yiwang.testing import licences as licence_factories
from yiwang.testing.fixtures import calendar, department, item  # noqa: F401 - fixtures
from yiwang.testing.people import make_citizen
from yiwang.testing.portal import apply_for
from yiwang.tickets.models import Ticket

ID_NUMBER = "34010419900512013X"


@pytest.fixture(autouse=True)
def _fresh_keyring():
    kr.keyring.clear()
    yield
    kr.keyring.clear()


def _raw(model, pk, column):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


# --- the algorithms -----------------------------------------------------------------------------
def _gmssl_hmac_sm3(key: bytes, data: bytes) -> bytes:
    """RFC 2104 written out over gmssl's independent SM3 (block size 64 bytes)."""
    key = key.ljust(64, b"\0")
    inner = bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(bytes(b ^ 0x36 for b in key) + data)))
    return bytes.fromhex(sm3.sm3_hash(func.bytes_to_list(bytes(b ^ 0x5C for b in key) + inner)))


def test_sm3_known_answer_of_both_implementations():
    # GB/T 32905 Annex A example 1 (STANDARDS.md).
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3.sm3_hash(func.bytes_to_list(b"abc")) == expected


@pytest.mark.parametrize("key", [b"", b"k", b"yiwang-digest" * 3, bytes(range(64)), bytes(80)])
def test_hmac_sm3_matches_rfc2104_over_an_independent_sm3(key):
    for data in (b"", b"abc", b"13800138000", bytes(200)):
        assert hmac_sm3(key[:64], data) == _gmssl_hmac_sm3(key[:64], data)


@pytest.mark.django_db
def test_sm4_gcm_and_aes_gcm_round_trip(settings):
    for cipher in (kr.SM4_GCM, kr.AES_256_GCM):
        settings.YIWANG_DATA_CIPHER = cipher
        stored = encrypt_text("张伟 13800138000")
        assert stored.startswith(f"yw1${kr.CIPHERS[cipher]}$")
        assert decrypt_text(stored) == "张伟 13800138000"


@pytest.mark.django_db
def test_canonical_forms():
    assert canonical(" 138-0013 8000 ", "phone") == "13800138000"
    assert canonical("34010419900512013x", "id_number") == ID_NUMBER
    assert protected_digest("34010419900512013x", "id_number") == protected_digest(ID_NUMBER, "id_number")
    assert protected_digest("", "phone") == ""


# --- every protected column holds ciphertext ------------------------------------------------------
# Models whose rows need a whole world of their own app; their ciphertext is tested there.
HALL_AT_REST = "hall/tests/test_personal_data_at_rest.py::test_the_halls_personal_columns_hold_ciphertext"
COVERED_ELSEWHERE = {
    QualityTicket: "sharing/tests/test_quality.py::test_values_are_encrypted_and_the_subject_is_a_digest",
    QualityComment: "sharing/tests/test_quality.py::test_values_are_encrypted_and_the_subject_is_a_digest",
    CourierOrder: "logistics/tests/test_orders.py::test_personal_columns_are_encrypted",
    PaymentOrder: "payments/tests/test_orders.py::test_payer_name_is_encrypted_at_rest",
    Receipt: "receipts/tests/test_issuing.py::test_payer_name_is_encrypted_at_rest",
    RatingInvitation: "ratings/tests/test_invitations.py::test_the_phone_is_encrypted_at_rest",
    Ticket: "tickets/tests/test_intake.py::test_contact_and_conversation_are_encrypted_at_rest",
    Appointment: HALL_AT_REST,
    BookingBlock: HALL_AT_REST,
    QueueTicket: HALL_AT_REST,
    AgencyAuthorisation: HALL_AT_REST,
}


@pytest.mark.django_db
def test_every_protected_column_holds_ciphertext_and_reads_back(item):  # noqa: F811
    user = make_citizen("cipher", phone="13912345678", through_services=False)
    person = user.natural_person
    code = SmsVerificationCode.objects.create(
        phone="13912345678", purpose="login", code_hash="x", expires_at=timezone.now() + timedelta(minutes=5)
    )
    sms = SmsOutboxMessage.objects.create(phone="13912345678", body="验证码 123456")
    case = apply_for(item, user)
    delivery = CaseDelivery.objects.create(
        case=case, method="courier", address="合肥市蜀山区长江西路 1 号", recipient_phone="13912345678"
    )
    bundle = Bundle.objects.create(code="b", name="一件事", audience="person", event="e", status="published")
    application = BundleApplication.objects.create(
        bundle=bundle,
        applicant=user,
        applicant_name="张伟",
        applicant_id_number=person.id_number,
        form_data={"home": "合肥市包河区"},
        delivery_address="合肥市包河区 2 号",
        submitted_at=timezone.now(),
    )
    issuer, _seal, _admin = licence_factories.make_issuer()
    licence = licence_factories.issue(licence_factories.make_type(), issuer, holder=user)
    consent = LicenceUseConsent.objects.create(
        holder_user=user,
        holder_code=person.id_number,
        organisation=issuer,
        licence=licence,
        valid_until=date(2030, 1, 1),
    )
    node = ExchangeNode.objects.create(
        node_id="340000-province",
        name="省平台",
        base_url="https://zwfw.example.gov.cn",
        outbound_token="tok-1234567",
    )
    endpoint = WebhookEndpoint.objects.create(
        owner="test", url="https://hooks.example.gov.cn/x", secret="s3cret-key"
    )
    webhook = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="e-1", topic="t", payload={"name": "张伟"}, next_attempt_at=timezone.now()
    )
    consumer = GatewayConsumer.objects.create(
        organisation=item.implementing_body, name="调用方", owner=user, hmac_secret="hmac-secret-value"
    )
    rows = {
        ExchangeNode: node,
        WebhookEndpoint: endpoint,
        WebhookDelivery: webhook,
        Person: bases_factories.person(name="李娜"),
        Company: bases_factories.company(),
        GatewayConsumer: consumer,
        User: user,
        NaturalPerson: person,
        SmsVerificationCode: code,
        SmsOutboxMessage: sms,
        Case: case,
        CaseDelivery: delivery,
        BundleApplication: application,
        Licence: licence,
        LicenceUseConsent: consent,
    }
    seen = set()
    for model, fields in protected_fields():
        if model in COVERED_ELSEWHERE:
            continue
        assert model in rows, f"{model.__name__} has protected fields but no row in this test"
        instance = model.objects.get(pk=rows[model].pk)
        for field in fields:
            plain = getattr(instance, field.attname)
            raw = _raw(model, instance.pk, field.column)
            assert raw.startswith("yw1$s4$"), (model.__name__, field.name, raw)
            text = str(plain)
            assert text not in raw and (len(text) < 4 or text[-4:] not in raw), (model.__name__, field.name)
            assert plain not in ("", {}, None), (model.__name__, field.name)
            seen.add((model.__name__, field.name))
    assert {
        ("User", "phone"),
        ("NaturalPerson", "id_number"),
        ("Case", "applicant_id_number"),
        ("Case", "form_data"),
        ("CaseDelivery", "recipient_phone"),
        ("BundleApplication", "delivery_address"),
        ("Licence", "holder_code"),
    } <= seen
    assert Case.objects.get(pk=case.pk).form_data["company_name"] == "合肥徽创科技有限公司"
    # The digests are keyed hashes, not the plain value and not a plain SM3 of it.
    assert _raw(User, user.pk, "phone_digest") == protected_digest("13912345678", "phone")
    assert "13912345678" not in _raw(User, user.pk, "phone_digest")


@pytest.mark.django_db
def test_the_same_value_encrypts_differently_each_time():
    a, b = make_citizen("a", phone="13900000001"), make_citizen("b", phone="13900000002")
    assert _raw(User, a.pk, "phone") != _raw(User, b.pk, "phone")
    assert len({encrypt_text("13900000001") for _ in range(5)}) == 5


# --- lookups --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_exact_and_in_lookups_go_through_the_digest():
    user = make_citizen("lookup", phone="13812345678", through_services=False)
    number = user.natural_person.id_number
    assert User.objects.get(phone="13812345678") == user
    assert User.objects.filter(phone="138 1234 5678").exists()  # canonical: digits only
    assert list(User.objects.filter(phone__in=["13800000000", "13812345678"])) == [user]
    assert not User.objects.filter(phone="13800000000").exists()
    assert NaturalPerson.objects.get(id_number=number.lower()).user == user
    assert User.objects.get(natural_person__id_number=number) == user  # across a join
    assert User.objects.filter(phone_digest=protected_digest("13812345678", "phone")).get() == user
    sql = str(User.objects.filter(phone="13812345678").query)
    assert "phone_digest" in sql and "13812345678" not in sql


@pytest.mark.django_db
def test_searching_or_comparing_an_encrypted_column_is_refused():
    with pytest.raises(FieldError):
        list(User.objects.filter(phone__icontains="1381"))
    with pytest.raises(FieldError):
        list(User.objects.filter(phone__startswith="138"))
    with pytest.raises(FieldError):
        list(Case.objects.filter(applicant_id_number="x"))  # no digest column: not looked up by value


@pytest.mark.django_db
def test_partial_save_keeps_the_digest_in_step():
    user = make_citizen("partial", phone="13811110000", through_services=False)
    user.phone = "13822220000"
    user.save(update_fields=["phone"])
    assert _raw(User, user.pk, "phone_digest") == protected_digest("13822220000", "phone")
    assert User.objects.get(phone="13822220000") == user
    assert user.phone_digest == protected_digest("13822220000", "phone")


@pytest.mark.django_db
def test_unique_rules_hold_on_the_digest():
    from django.db import IntegrityError, transaction

    person = make_citizen("first", through_services=False).natural_person
    other = make_citizen("second", through_services=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        NaturalPerson.objects.create(user=other, real_name="李四", id_number=person.id_number.lower())


@pytest.mark.django_db
def test_digest_fields_are_derived_not_set():
    field = User._meta.get_field("phone_digest")
    assert isinstance(field, DigestField) and field.source == "phone" and not field.editable
    user = User(phone="13900001111", phone_digest="forged")
    assert user.phone_digest != "forged"


# --- keys ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_wrong_kek_fails_with_a_clear_error(settings):
    user = make_citizen("kek", phone="13933334444", through_services=False)
    assert DataKey.objects.filter(retired_at__isnull=True).exists()
    assert "13933334444" not in "".join(DataKey.objects.values_list("wrapped", flat=True))
    settings.YIWANG_DATA_KEK = "11" * 32
    with pytest.raises(ProtectedDataError, match="key-encryption key"):
        User.objects.get(pk=user.pk).phone  # noqa: B018
    settings.YIWANG_DATA_KEK = ""
    assert User.objects.get(pk=user.pk).phone == "13933334444"


def test_a_malformed_kek_is_refused(settings):
    settings.YIWANG_DATA_KEK = "not a key"
    with pytest.raises(kr.KeyConfigurationError, match="YIWANG_DATA_KEK"):
        kr.load_kek()


def test_the_kek_comes_from_the_key_file(settings, tmp_path):
    key_file = tmp_path / "data.kek"
    key_file.write_text("ab" * 32 + "\n")
    settings.YIWANG_DATA_KEK, settings.YIWANG_DATA_KEY_FILE = "", str(key_file)
    assert kr.load_kek() == bytes.fromhex("ab" * 32)


def test_production_without_a_kek_refuses(settings):
    settings.YIWANG_DATA_KEK, settings.YIWANG_DATA_KEY_FILE, settings.IS_PRODUCTION = "", "", True
    with pytest.raises(kr.KeyConfigurationError, match="production"):
        kr.load_kek()


def test_outside_production_the_documented_development_kek_is_used(settings):
    settings.YIWANG_DATA_KEK, settings.YIWANG_DATA_KEY_FILE = "", ""
    assert kr.load_kek() == kr.DEVELOPMENT_KEK


@pytest.mark.django_db
def test_a_changed_value_fails_authentication():
    stored = encrypt_text("13900000000")
    header, body = stored.rsplit("$", 1)
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(ProtectedDataError, match="authentication"):
        decrypt_text(f"{header}${flipped}")
    with pytest.raises(ProtectedDataError, match="unknown data key"):
        decrypt_text(stored.replace(stored.split("$")[2], "ffffffff", 1))


# --- the header parser ----------------------------------------------------------------------------
def test_plain_values_pass_through():
    assert parse_envelope("13800138000") is None
    assert decrypt_text('{"a": 1}') == '{"a": 1}'


@given(st.text(max_size=200))
def test_the_parser_never_crashes_on_garbage(text):
    for candidate in (text, "yw1$" + text, "yw1$s4$" + text, "yw1$s4$abcd1234$" + text):
        with contextlib.suppress(ProtectedDataError):
            parse_envelope(candidate)


@given(
    st.binary(max_size=80),
    st.sampled_from(["s4", "a2", "zz"]),
    st.from_regex(r"[a-z0-9]{0,17}", fullmatch=True),
)
def test_decrypting_forged_envelopes_fails_only_with_protected_data_error(blob, alg, kid):
    import base64

    candidate = f"yw1${alg}${kid}${base64.urlsafe_b64encode(blob).decode()}"
    try:
        kr.keyring._keys["abcd1234"] = (kr.SM4_GCM, bytes(16))
        decrypt_text(candidate.replace(f"${kid}$", "$abcd1234$") if kid else candidate)
    except ProtectedDataError:
        pass


def test_digest_is_hmac_not_plain_hash(monkeypatch):
    monkeypatch.setattr(kr.keyring, "digest_key", lambda: b"k" * 32)
    value = protected_digest("138-0013-8000", "phone")
    assert value == _gmssl_hmac_sm3(b"k" * 32, b"13800138000").hex()
