"""The demo key file (演示密钥): one SM2 key pair for the gateway and one for the platform.

{"gateway": {"private": hex, "public": hex}, "platform": {"private": hex, "public": hex}}; the gateway
reads gateway.private and platform.public, the platform the other two.  Created on first use.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from pathlib import Path
from typing import Any

from yiwang.core.crypto import sm2_generate_keypair

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent


def default_path() -> Path:
    """YIWANG_PAYGATE_KEYS_FILE, else <YIWANG_VAR_DIR or repo/var>/paygate-keys.json."""
    explicit = os.environ.get("YIWANG_PAYGATE_KEYS_FILE")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("YIWANG_VAR_DIR", PROJECT_DIR / "var")) / "paygate-keys.json"


def _valid(data: Any) -> bool:
    try:
        return all(
            isinstance(data[side][part], str) and int(data[side][part], 16) > 0
            for side in ("gateway", "platform")
            for part in ("private", "public")
        )
    except (KeyError, TypeError, ValueError):
        return False


def load_or_create(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """Read the key file, creating it (mode 0600) when missing; two processes racing get one file."""
    target = Path(path)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        pairs = {"gateway": sm2_generate_keypair(), "platform": sm2_generate_keypair()}
        data = {side: {"private": p.private_key_hex, "public": p.public_key_hex} for side, p in pairs.items()}
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        try:
            os.link(temporary, target)  # fails if another process created it meanwhile: theirs wins
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    data = json.loads(target.read_text(encoding="utf-8"))
    if not _valid(data):
        raise ValueError(f"{target}: not a paygate key file (gateway/platform private/public hex)")
    return data


@functools.cache
def configured() -> dict[str, dict[str, str]]:
    """The keys of the running gateway (settings.PAYGATE_KEYS_FILE), read once."""
    from django.conf import settings

    return load_or_create(settings.PAYGATE_KEYS_FILE)
