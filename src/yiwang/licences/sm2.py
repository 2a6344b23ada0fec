"""SM2-with-SM3 signatures (GB/T 32918) fast enough for licence verification at scale.

``gmssl`` (used by :mod:`yiwang.core.crypto`) does its field arithmetic on hex strings and needs
~55 ms per signature or verification, too slow for ≥ 500 verifications/s.  This module computes
the same signatures with Python integers: Jacobian coordinates, and fixed-base comb tables (8-bit
windows, affine points) for the generator and for each public key seen, so that a scalar
multiplication is 32 mixed additions and no doublings.  Signatures are interchangeable with
gmssl's (tests sign with one and verify with the other, and reproduce the GB/T 32918.5 example).

Signing is not constant-time; it is used for the platform's own record signatures in the server
process, where timing is not observable per key with any precision, as with gmssl.
"""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from gmssl import sm2 as _gm

P = int(_gm.default_ecc_table["p"], 16)
N = int(_gm.default_ecc_table["n"], 16)
A = int(_gm.default_ecc_table["a"], 16)
B = int(_gm.default_ecc_table["b"], 16)
GX = int(_gm.default_ecc_table["g"][:64], 16)
GY = int(_gm.default_ecc_table["g"][64:], 16)
DEFAULT_USER_ID = b"1234567812345678"
_BITS = 8  # window width: 32 mixed additions per scalar multiplication
_WINDOWS = 256 // _BITS
_DIGITS = (1 << _BITS) - 1

Affine = tuple[int, int]
Jacobian = tuple[int, int, int]


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def _double(point: Jacobian) -> Jacobian:
    x, y, z = point
    if not y or not z:
        return (1, 1, 0)
    # a = -3: M = 3 (x - z²)(x + z²)
    zz = z * z % P
    m = 3 * (x - zz) * (x + zz) % P
    yy = y * y % P
    s = 4 * x * yy % P
    x3 = (m * m - 2 * s) % P
    y3 = (m * (s - x3) - 8 * yy * yy) % P
    z3 = 2 * y * z % P
    return (x3, y3, z3)


def _add_mixed(point: Jacobian, other: Affine) -> Jacobian:
    x1, y1, z1 = point
    if not z1:
        return (other[0], other[1], 1)
    x2, y2 = other
    z1z1 = z1 * z1 % P
    u2 = x2 * z1z1 % P
    s2 = y2 * z1 * z1z1 % P
    h = (u2 - x1) % P
    r = (s2 - y1) % P
    if not h:
        return _double(point) if not r else (1, 1, 0)
    hh = h * h % P
    hhh = h * hh % P
    v = x1 * hh % P
    x3 = (r * r - hhh - 2 * v) % P
    y3 = (r * (v - x3) - y1 * hhh) % P
    z3 = z1 * h % P
    return (x3, y3, z3)


def _to_affine(point: Jacobian) -> Affine | None:
    x, y, z = point
    if not z:
        return None
    zi = pow(z, -1, P)
    zi2 = zi * zi % P
    return (x * zi2 % P, y * zi2 * zi % P)


def _add(point: Jacobian, other: Jacobian) -> Jacobian:
    affine = _to_affine(other)
    return point if affine is None else _add_mixed(point, affine)


def _table(base: Affine) -> tuple[tuple[Affine, ...], ...]:
    """table[i][j-1] = j·2^(8i)·base, affine (one inversion per point, built once per key)."""
    rows = []
    window: Jacobian = (base[0], base[1], 1)
    for _ in range(_WINDOWS):
        multiples: list[Affine] = []
        current: Jacobian = window
        for _j in range(_DIGITS):
            affine = _to_affine(current)
            assert affine is not None
            multiples.append(affine)
            current = _add_mixed(current, multiples[0])
        rows.append(tuple(multiples))
        for _k in range(_BITS):
            window = _double(window)
    return tuple(rows)


@lru_cache(maxsize=1)
def _g_table() -> tuple[tuple[Affine, ...], ...]:
    return _table((GX, GY))


@lru_cache(maxsize=256)
def _key_table(public_key_hex: str) -> tuple[tuple[Affine, ...], ...]:
    x, y = _parse_public(public_key_hex)
    return _table((x, y))


def _parse_public(public_key_hex: str) -> Affine:
    text = public_key_hex.lower()
    if len(text) == 130 and text.startswith("04"):
        text = text[2:]
    if len(text) != 128:
        raise ValueError("SM2 public key must be 64 bytes (x‖y)")
    x, y = int(text[:64], 16), int(text[64:], 16)
    if (y * y - (x * x * x + A * x + B)) % P:
        raise ValueError("point is not on the SM2 curve")
    return x, y


def _comb(*pairs: tuple[tuple[tuple[Affine, ...], ...], int]) -> Jacobian:
    acc: Jacobian = (1, 1, 0)
    for table, scalar in pairs:
        for i in range(_WINDOWS):
            digit = (scalar >> (_BITS * i)) & _DIGITS
            if digit:
                acc = _add_mixed(acc, table[i][digit - 1])
    return acc


def public_key_of(private_key_hex: str) -> str:
    point = _to_affine(_comb((_g_table(), int(private_key_hex, 16))))
    assert point is not None
    return f"{point[0]:064x}{point[1]:064x}"


@lru_cache(maxsize=256)
def _z(public_key_hex: str, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    x, y = _parse_public(public_key_hex)
    entl = (len(user_id) * 8).to_bytes(2, "big")
    parts = [A, B, GX, GY, x, y]
    return _sm3(entl + user_id + b"".join(v.to_bytes(32, "big") for v in parts))


def _e(public_key_hex: str, data: bytes) -> int:
    return int.from_bytes(_sm3(_z(public_key_hex.lower()) + data), "big")


def sign(
    private_key_hex: str, data: bytes, *, public_key_hex: str | None = None, k_hex: str | None = None
) -> str:
    """SM2-with-SM3 signature ``r‖s`` (128 lower-case hex), default user ID 1234567812345678."""
    d = int(private_key_hex, 16)
    public = (public_key_hex or public_key_of(private_key_hex)).lower()
    e = _e(public, data)
    inverse = pow(1 + d, -1, N)
    while True:
        k = int(k_hex, 16) if k_hex else int.from_bytes(os.urandom(32), "big") % (N - 1) + 1
        point = _to_affine(_comb((_g_table(), k)))
        assert point is not None
        r = (e + point[0]) % N
        if r == 0 or r + k == N:
            if k_hex:
                raise ValueError("unusable k")
            continue
        s = inverse * (k - r * d) % N
        if s:
            return f"{r:064x}{s:064x}"
        if k_hex:
            raise ValueError("unusable k")


def verify(public_key_hex: str, signature_hex: str, data: bytes) -> bool:
    """True when ``signature_hex`` (r‖s) is a valid SM2-with-SM3 signature of ``data``."""
    try:
        table = _key_table(public_key_hex.lower())
        if len(signature_hex) != 128:
            return False
        r, s = int(signature_hex[:64], 16), int(signature_hex[64:], 16)
    except ValueError:
        return False
    if not (1 <= r < N and 1 <= s < N):
        return False
    t = (r + s) % N
    if not t:
        return False
    point = _to_affine(_comb((_g_table(), s), (table, t)))
    if point is None:
        return False
    return (_e(public_key_hex, data) + point[0]) % N == r
