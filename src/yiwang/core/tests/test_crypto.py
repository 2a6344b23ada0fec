"""Known-answer tests for the national algorithms and round trips for secrets at rest."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yiwang.core.crypto import (
    decrypt_secret,
    encrypt_secret,
    sm2_generate_keypair,
    sm2_public_key,
    sm2_sign,
    sm2_verify,
    sm3_hex,
    sm4_ecb_encrypt_block,
    sm4_gcm_decrypt,
    sm4_gcm_encrypt,
)


def test_sm3_abc():
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_sm4_known_answer():
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert sm4_ecb_encrypt_block(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm2_with_sm3_gbt_32918_5_annex_a():
    # GB/T 32918.5-2017 Annex A: recommended curve, ID 1234567812345678, message "message digest".
    private_key = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8"
    k = "59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21"
    public_key = sm2_public_key(private_key)
    assert public_key == (
        "09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020"
        "ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13"
    )
    signature = sm2_sign(private_key, b"message digest", k)
    assert signature == (
        "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
        "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"
    )
    assert sm2_verify(public_key, signature, b"message digest")
    assert not sm2_verify(public_key, signature, b"message digesT")


def test_sm2_random_keys_sign_and_verify():
    pair = sm2_generate_keypair()
    signature = sm2_sign(pair.private_key_hex, b"licence record")
    assert sm2_verify(pair.public_key_hex, signature, b"licence record")
    assert not sm2_verify(pair.public_key_hex, "00" * 64, b"licence record")


def test_sm4_gcm_round_trip_and_tamper():
    key = bytes(range(16))
    blob = sm4_gcm_encrypt(key, "公民身份号码".encode(), b"ctx")
    assert sm4_gcm_decrypt(key, blob, b"ctx").decode() == "公民身份号码"
    with pytest.raises(Exception):  # noqa: B017 - any authentication failure
        sm4_gcm_decrypt(key, blob[:-1] + bytes([blob[-1] ^ 1]), b"ctx")


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=512), st.sampled_from(["seal-key", "ca-key"]))
def test_secret_round_trip(plaintext, purpose):
    token = encrypt_secret(plaintext, purpose)
    assert decrypt_secret(token, purpose) == plaintext


def test_secret_bound_to_purpose():
    token = encrypt_secret(b"k", "seal-key")
    with pytest.raises(Exception):  # noqa: B017
        decrypt_secret(token, "ca-key")
