"""The fast SM2-with-SM3 implementation agrees with gmssl both ways and with the GB/T 32918.5 example."""

from __future__ import annotations

from yiwang.core.crypto import sm2_generate_keypair, sm2_sign, sm2_verify
from yiwang.licences import sm2

# GB/T 32918.5-2017 Annex A (as used by core's crypto test): d, k, message "message digest".
D = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
K = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
R = "f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
S = "b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"


def test_standard_example():
    signature = sm2.sign(D, b"message digest", k_hex=K)
    assert signature == R + S
    assert sm2.verify(sm2.public_key_of(D), signature, b"message digest")


def test_interoperates_with_gmssl():
    pair = sm2_generate_keypair()
    assert sm2.public_key_of(pair.private_key_hex) == pair.public_key_hex
    ours = sm2.sign(pair.private_key_hex, "电子证照".encode())
    assert sm2_verify(pair.public_key_hex, ours, "电子证照".encode())
    theirs = sm2_sign(pair.private_key_hex, "电子证照".encode())
    assert sm2.verify(pair.public_key_hex, theirs, "电子证照".encode())
    assert sm2.sign(pair.private_key_hex, b"m", k_hex=K) == sm2_sign(pair.private_key_hex, b"m", K)


def test_rejects_wrong_data_key_and_garbage():
    pair, other = sm2_generate_keypair(), sm2_generate_keypair()
    signature = sm2.sign(pair.private_key_hex, b"a")
    assert not sm2.verify(pair.public_key_hex, signature, b"b")
    assert not sm2.verify(other.public_key_hex, signature, b"a")
    assert not sm2.verify(pair.public_key_hex, "00" * 64, b"a")
    assert not sm2.verify(pair.public_key_hex, "zz", b"a")
    assert not sm2.verify("12" * 64, signature, b"a")  # not a curve point


def test_gmssl_keeps_a_public_key_whose_x_starts_with_04():
    # d = 11 gives x = 04b3cb…: gmssl's constructor would lstrip("04") it into a 125-digit key.
    private = f"{11:064x}"
    public = sm2.public_key_of(private)
    assert public.startswith("04b3cb")
    theirs = sm2_sign(private, b"m")
    assert sm2_verify(public, theirs, b"m")
    assert sm2_verify(public, sm2.sign(private, b"m"), b"m")
    assert sm2.verify(public, theirs, b"m")
