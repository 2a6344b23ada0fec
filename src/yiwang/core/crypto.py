"""Crypto helpers: national algorithms (SM2/SM3/SM4) beside the international ones, and encryption
of secrets at rest (AES-256-GCM under a key derived from the deployment's key material).

SM3 and SM4 come from ``cryptography``; SM2 signing with the Z_A step (SM2-with-SM3) from ``gmssl``,
whose output is checked against the GB/T 32918.5-2017 Annex A example in the tests.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from gmssl import sm2

SECRET_PREFIX = "aesgcm1:"  # noqa: S105 - a format marker, not a secret


def sm3_hex(data: bytes) -> str:
    """SM3 digest (GB/T 32905) as lower-case hex."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC (RFC 2104 / GB/T 15852.2) over SM3: the audit chain's keyed link and its checkpoints' MAC."""
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def sm4_ecb_encrypt_block(key: bytes, block: bytes) -> bytes:
    """One SM4 block (GB/T 32907); exposed for the standard's known-answer test."""
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 - single-block KAT
    return encryptor.update(block) + encryptor.finalize()


def sm4_gcm_encrypt(key: bytes, plaintext: bytes, associated_data: bytes = b"") -> bytes:
    """SM4-GCM for deployments that must encrypt with national algorithms: nonce ‖ ciphertext ‖ tag."""
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(associated_data)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + ciphertext + encryptor.tag


def sm4_gcm_decrypt(key: bytes, blob: bytes, associated_data: bytes = b"") -> bytes:
    nonce, ciphertext, tag = blob[:12], blob[12:-16], blob[-16:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(associated_data)
    return decryptor.update(ciphertext) + decryptor.finalize()


def _data_key(purpose: str) -> bytes:
    # A dedicated key may be given; otherwise derive one per purpose from SECRET_KEY.
    material = (getattr(settings, "YIWANG_DATA_KEY", "") or settings.SECRET_KEY).encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"yiwang-data-key", info=purpose.encode()).derive(
        material
    )


def encrypt_secret(plaintext: bytes, purpose: str) -> str:
    """Encrypt a secret (e.g. a private key) for storage: AES-256-GCM, bound to its purpose."""
    nonce = os.urandom(12)
    ciphertext = AESGCM(_data_key(purpose)).encrypt(nonce, plaintext, purpose.encode())
    return SECRET_PREFIX + base64.b64encode(nonce + ciphertext).decode()


def decrypt_secret(token: str, purpose: str) -> bytes:
    if not token.startswith(SECRET_PREFIX):
        raise ValueError("not an encrypted secret")
    blob = base64.b64decode(token[len(SECRET_PREFIX) :])
    return AESGCM(_data_key(purpose)).decrypt(blob[:12], blob[12:], purpose.encode())


@dataclass(frozen=True)
class SM2KeyPair:
    private_key_hex: str
    public_key_hex: str  # uncompressed x‖y, 128 hex characters


def sm2_curve(private_key_hex: str, public_key_hex: str) -> sm2.CryptSM2:
    """A gmssl curve object holding exactly these keys.

    gmssl's constructor strips a leading "04" point prefix with ``str.lstrip("04")``, which also
    eats every leading 0 and 4 of an x coordinate that happens to start with them (about 1 key in
    100); the key is therefore set after construction.
    """
    curve = sm2.CryptSM2(private_key=private_key_hex, public_key="")
    curve.public_key = public_key_hex
    return curve


def sm2_public_key(private_key_hex: str) -> str:
    curve = sm2.CryptSM2(private_key=private_key_hex, public_key="")
    return str(curve._kg(int(private_key_hex, 16), sm2.default_ecc_table["g"]))


def sm2_generate_keypair() -> SM2KeyPair:
    order = int(sm2.default_ecc_table["n"], 16)
    while True:
        candidate = int.from_bytes(os.urandom(32), "big")
        if 1 <= candidate < order - 1:
            break
    private_hex = f"{candidate:064x}"
    return SM2KeyPair(private_hex, sm2_public_key(private_hex))


def sm2_sign(private_key_hex: str, data: bytes, k_hex: str | None = None) -> str:
    """SM2-with-SM3 signature (r‖s hex) with the default user ID 1234567812345678 (Z_A included)."""
    signer = sm2_curve(private_key_hex, sm2_public_key(private_key_hex))
    return str(signer.sign_with_sm3(data, k_hex)).lower()


def sm2_verify(public_key_hex: str, signature_hex: str, data: bytes) -> bool:
    try:
        verifier = sm2_curve("", public_key_hex)
        return bool(verifier.verify_with_sm3(signature_hex, data))
    except (ValueError, binascii.Error, IndexError):
        return False
