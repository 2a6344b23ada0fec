"""Keys for personal data at rest (envelope encryption), used by :mod:`yiwang.core.protected`.

* The **key-encryption key (KEK)**, 32 bytes, comes from outside the database: the environment
  (``YIWANG_DATA_KEK``, hex or base64) or a key file (``YIWANG_DATA_KEY_FILE``, the same text).
  The test and demo profiles fall back to :data:`DEVELOPMENT_KEK` (documented, public, never for real
  data); the production profile refuses to start without one (``settings.py``).
* **Data-encryption keys (DEKs)** are random, stored in ``core.DataKey`` only *wrapped* by the KEK
  (SM4-GCM or AES-256-GCM under a KEK-derived key), so a copy of the database alone decrypts nothing.
  Each DEK has a short random id; every stored value names its DEK, so values written under an old DEK
  still decrypt after a rotation (``manage.py rotate_data_keys``).
* The **digest key** (HMAC-SM3, for exact-match lookups) is one DEK with the fixed id ``digest``.

A stored value is text: ``yw1$<alg>$<key id>$<base64url(nonce ‖ ciphertext ‖ tag)>`` with
``alg`` ``s4`` (SM4-GCM, GB/T 32907) or ``a2`` (AES-256-GCM); the header is the GCM associated data.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.models import DataKey

# Public on purpose: the fixed development KEK of the test and demo profiles (docs/operations.md).
DEVELOPMENT_KEK = bytes.fromhex("796977616e672d646576656c6f706d656e742d6b656b2d6e6f742d7365637265")

VERSION = "yw1"
SM4_GCM = "sm4-gcm"
AES_256_GCM = "aes-256-gcm"
HMAC_SM3 = "hmac-sm3"
CIPHERS = {SM4_GCM: "s4", AES_256_GCM: "a2"}
_ALGORITHM_OF_TAG = {tag: name for name, tag in CIPHERS.items()}
_KEY_SIZE = {SM4_GCM: 16, AES_256_GCM: 32, HMAC_SM3: 32}
DIGEST_KEY_ID = "digest"
NONCE_BYTES = 12
TAG_BYTES = 16
_HEADER = re.compile(r"yw1\$(?P<alg>[a-z0-9]{2})\$(?P<kid>[a-z0-9]{1,16})\$")
_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")


class ProtectedDataError(Exception):
    """A stored protected value cannot be read: malformed header, unknown key, or wrong KEK."""


class KeyConfigurationError(ProtectedDataError):
    """The key-encryption key is missing or malformed."""


@dataclass(frozen=True)
class Envelope:
    algorithm: str  # SM4_GCM | AES_256_GCM
    key_id: str
    header: str  # "yw1$s4$<kid>$": authenticated with the ciphertext
    nonce: bytes
    ciphertext: bytes  # ciphertext ‖ tag


def is_envelope(text: str) -> bool:
    return text.startswith(VERSION + "$")


def parse_envelope(text: str) -> Envelope | None:
    """The envelope of a stored value; ``None`` for a legacy plain value (no ``yw1$`` prefix).

    Anything that starts like an envelope but is not a well-formed one raises
    :class:`ProtectedDataError` — and nothing else (tests/test_protected.py, a property test).
    """
    if not isinstance(text, str) or not is_envelope(text):
        return None
    match = _HEADER.match(text)
    if match is None or match["alg"] not in _ALGORITHM_OF_TAG:
        raise ProtectedDataError("malformed protected value header")
    body = text[match.end() :]
    if not _B64URL.fullmatch(body):
        raise ProtectedDataError("malformed protected value body")
    try:
        blob = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as error:
        raise ProtectedDataError("malformed protected value body") from error
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise ProtectedDataError("protected value too short")
    return Envelope(
        algorithm=_ALGORITHM_OF_TAG[match["alg"]],
        key_id=match["kid"],
        header=match.group(0),
        nonce=blob[:NONCE_BYTES],
        ciphertext=blob[NONCE_BYTES:],
    )


# --- the key-encryption key -------------------------------------------------------------------
def _decode_key_text(text: str, source: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text) if re.fullmatch(r"[0-9a-fA-F]{64}", text) else base64.b64decode(text)
    except (binascii.Error, ValueError) as error:
        raise KeyConfigurationError(f"{source}: not hex or base64") from error
    if len(key) != 32:
        raise KeyConfigurationError(f"{source}: the key-encryption key must be 32 bytes (64 hex digits)")
    return key


def load_kek() -> bytes:
    """The KEK from the environment or the key file; the development key outside production."""
    if getattr(settings, "YIWANG_DATA_KEK", ""):
        return _decode_key_text(settings.YIWANG_DATA_KEK, "YIWANG_DATA_KEK")
    key_file = getattr(settings, "YIWANG_DATA_KEY_FILE", "")
    if key_file:
        try:
            text = Path(key_file).read_text(encoding="ascii")
        except OSError as error:
            raise KeyConfigurationError(f"YIWANG_DATA_KEY_FILE {key_file}: {error.strerror}") from error
        return _decode_key_text(text, f"YIWANG_DATA_KEY_FILE {key_file}")
    if getattr(settings, "IS_PRODUCTION", False):
        raise KeyConfigurationError("YIWANG_PROFILE=production needs YIWANG_DATA_KEK or YIWANG_DATA_KEY_FILE")
    return DEVELOPMENT_KEK


def kek_id(kek: bytes) -> str:
    """A public fingerprint of the KEK (SM3, 8 hex digits): tells 'wrong KEK' from 'damaged data'."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"yiwang-kek-id" + kek)
    return digest.finalize().hex()[:8]


def _wrapping_key(kek: bytes, algorithm: str) -> bytes:
    size = 16 if algorithm == SM4_GCM else 32
    hkdf = HKDF(algorithm=hashes.SM3(), length=size, salt=b"yiwang-kek", info=algorithm.encode())
    return hkdf.derive(kek)


# --- authenticated encryption -----------------------------------------------------------------
def gcm_encrypt(algorithm: str, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    if algorithm == AES_256_GCM:
        return AESGCM(key).encrypt(nonce, plaintext, aad)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(plaintext) + encryptor.finalize() + encryptor.tag


def gcm_decrypt(algorithm: str, key: bytes, nonce: bytes, blob: bytes, aad: bytes) -> bytes:
    """Raises :class:`InvalidTag` when the key is wrong or the data was changed."""
    if algorithm == AES_256_GCM:
        return AESGCM(key).decrypt(nonce, blob, aad)
    if len(blob) < TAG_BYTES:
        raise InvalidTag
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, blob[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(blob[:-TAG_BYTES]) + decryptor.finalize()


def wrap_key(kek: bytes, key_id: str, algorithm: str, key: bytes) -> str:
    wrap_algorithm = AES_256_GCM if algorithm == AES_256_GCM else SM4_GCM
    nonce = os.urandom(NONCE_BYTES)
    aad = f"yiwang-dek|{key_id}|{algorithm}".encode()
    blob = gcm_encrypt(wrap_algorithm, _wrapping_key(kek, wrap_algorithm), nonce, key, aad)
    return base64.b64encode(nonce + blob).decode()


def unwrap_key(kek: bytes, key_id: str, algorithm: str, wrapped: str) -> bytes:
    wrap_algorithm = AES_256_GCM if algorithm == AES_256_GCM else SM4_GCM
    raw = base64.b64decode(wrapped)
    aad = f"yiwang-dek|{key_id}|{algorithm}".encode()
    return gcm_decrypt(
        wrap_algorithm, _wrapping_key(kek, wrap_algorithm), raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad
    )


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC (RFC 2104) over SM3 (GB/T 32905), from OpenSSL through ``cryptography``."""
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


# --- the key ring (process cache of unwrapped DEKs) -------------------------------------------
class KeyRing:
    """Unwrapped DEKs by id, the active DEK per algorithm, and the digest key; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._kek: bytes | None = None
            self._keys: dict[str, tuple[str, bytes]] = {}
            self._active: dict[str, tuple[str, float]] = {}

    @property
    def kek(self) -> bytes:
        if self._kek is None:
            self._kek = load_kek()
        return self._kek

    def _unwrap(self, row: DataKey) -> tuple[str, bytes]:
        key_id, algorithm = row.key_id, row.algorithm
        if row.kek_id != kek_id(self.kek):
            raise ProtectedDataError(
                f"data key {key_id!r} is wrapped by key-encryption key {row.kek_id}, "
                f"but the configured one is {kek_id(self.kek)}: check YIWANG_DATA_KEK / YIWANG_DATA_KEY_FILE"
            )
        try:
            key = unwrap_key(self.kek, key_id, algorithm, row.wrapped)
        except (InvalidTag, binascii.Error, ValueError) as error:
            raise ProtectedDataError(
                f"data key {key_id!r} cannot be unwrapped with the configured KEK"
            ) from error
        return algorithm, key

    def key(self, key_id: str) -> tuple[str, bytes]:
        """(algorithm, key bytes) of a DEK, loaded from ``core.DataKey`` on first use."""
        found = self._keys.get(key_id)
        if found is not None:
            return found
        with self._lock:
            row = DataKey.objects.using("default").filter(key_id=key_id).first()
            if row is None:
                raise ProtectedDataError(f"unknown data key {key_id!r} (deleted, or another database's key)")
            self._keys[key_id] = found = self._unwrap(row)
        return found

    def active_key(self, algorithm: str) -> tuple[str, bytes]:
        """The DEK new values are encrypted with: the newest unretired one of ``algorithm``.

        Re-read from the database every ``YIWANG_DATA_KEY_CACHE_SECONDS`` so that a rotation done by
        another process is followed; created on first use.
        """
        cached = self._active.get(algorithm)
        ttl = float(getattr(settings, "YIWANG_DATA_KEY_CACHE_SECONDS", 60))
        if cached is not None and time.monotonic() - cached[1] < ttl and cached[0] in self._keys:
            return cached[0], self._keys[cached[0]][1]
        with self._lock:
            row = (
                DataKey.objects.using("default")
                .filter(algorithm=algorithm, retired_at__isnull=True)
                .order_by("-created_at", "-key_id")
                .first()
            )
            if row is None:
                return self.new_key(algorithm)
            self._keys[row.key_id] = self._unwrap(row)
            self._active[algorithm] = (row.key_id, time.monotonic())
            return row.key_id, self._keys[row.key_id][1]

    def new_key(self, algorithm: str, *, retire_others: bool = False) -> tuple[str, bytes]:
        """Create a DEK of ``algorithm``, wrap it with the KEK, store it and make it the active one.

        ``retire_others`` (a rotation): the other DEKs are no longer used for new values; they stay
        for reading the values not yet re-encrypted (and old backups).
        """
        if algorithm not in CIPHERS:
            raise KeyConfigurationError(f"unknown data cipher {algorithm!r}: use {SM4_GCM} or {AES_256_GCM}")
        with self._lock:
            key_id, key = secrets.token_hex(4), os.urandom(_KEY_SIZE[algorithm])
            DataKey.objects.using("default").create(
                key_id=key_id,
                algorithm=algorithm,
                wrapped=wrap_key(self.kek, key_id, algorithm, key),
                kek_id=kek_id(self.kek),
            )
            if retire_others:
                DataKey.objects.using("default").filter(retired_at__isnull=True).exclude(
                    key_id__in=[key_id, DIGEST_KEY_ID]
                ).update(retired_at=timezone.now())
                self._active.clear()
            self._keys[key_id] = (algorithm, key)
            self._active[algorithm] = (key_id, time.monotonic())
            return key_id, key

    def digest_key(self) -> bytes:
        found = self._keys.get(DIGEST_KEY_ID)
        if found is not None:
            return found[1]
        with self._lock:
            if not DataKey.objects.using("default").filter(key_id=DIGEST_KEY_ID).exists():
                key = os.urandom(_KEY_SIZE[HMAC_SM3])
                try:
                    with transaction.atomic(using="default"):
                        DataKey.objects.using("default").create(
                            key_id=DIGEST_KEY_ID,
                            algorithm=HMAC_SM3,
                            wrapped=wrap_key(self.kek, DIGEST_KEY_ID, HMAC_SM3, key),
                            kek_id=kek_id(self.kek),
                        )
                except IntegrityError:
                    pass  # another process made it first: use theirs
            return self.key(DIGEST_KEY_ID)[1]


keyring = KeyRing()


def configured_cipher() -> str:
    algorithm = getattr(settings, "YIWANG_DATA_CIPHER", SM4_GCM) or SM4_GCM
    if algorithm not in CIPHERS:
        raise KeyConfigurationError(f"YIWANG_DATA_CIPHER={algorithm!r}: use {SM4_GCM} or {AES_256_GCM}")
    return algorithm


def encrypt_text(plaintext: str) -> str:
    algorithm = configured_cipher()
    key_id, key = keyring.active_key(algorithm)
    header = f"{VERSION}${CIPHERS[algorithm]}${key_id}$"
    nonce = os.urandom(NONCE_BYTES)
    blob = gcm_encrypt(algorithm, key, nonce, plaintext.encode(), header.encode())
    return header + base64.urlsafe_b64encode(nonce + blob).decode().rstrip("=")


def decrypt_text(stored: str) -> str:
    """The plaintext of a stored value; a legacy plain value (no header) is returned as it is."""
    envelope = parse_envelope(stored)
    if envelope is None:
        return stored
    algorithm, key = keyring.key(envelope.key_id)
    if algorithm != envelope.algorithm:
        raise ProtectedDataError(
            f"data key {envelope.key_id!r} is {algorithm}, the value says {envelope.algorithm}"
        )
    try:
        plaintext = gcm_decrypt(algorithm, key, envelope.nonce, envelope.ciphertext, envelope.header.encode())
        return plaintext.decode()
    except (InvalidTag, UnicodeDecodeError) as error:
        raise ProtectedDataError(
            f"protected value under data key {envelope.key_id!r} fails authentication"
        ) from error


def key_id_of(stored: str) -> str | None:
    """The DEK id a stored value is encrypted with (``None`` for a plain value); raises on garbage."""
    envelope = parse_envelope(stored)
    return None if envelope is None else envelope.key_id


def digest_text(canonical: str) -> str:
    """HMAC-SM3 of an already canonical value under the digest key, hex; ``""`` for ``""``."""
    if canonical == "":
        return ""
    return hmac_sm3(keyring.digest_key(), canonical.encode()).hex()


def _reset_on_settings_change(*, setting: str, **kwargs: object) -> None:
    if setting.startswith("YIWANG_DATA_") or setting == "IS_PRODUCTION":
        keyring.clear()


setting_changed.connect(_reset_on_settings_change)
