"""The demo key file of the fiscal gateway (YIWANG_PAYGATE_KEYS_FILE): both sides' SM2 key pairs,
``{"gateway": {"private", "public"}, "platform": {"private", "public"}}``; the platform reads
``platform.private`` and ``gateway.public``.  Created when missing, in the same format as the demo
gateway's ``yiwang_demo_paygate.keys.load_or_create``."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from yiwang.core.crypto import sm2_generate_keypair


def _valid(data: Any) -> bool:
    return isinstance(data, dict) and all(
        isinstance(data.get(side), dict) and data[side].get("private") and data[side].get("public")
        for side in ("gateway", "platform")
    )


@functools.lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int, size: int) -> dict[str, dict[str, str]] | None:
    """The parsed key file, once per version of it (every notification needs the gateway's key)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data if _valid(data) else None  # type: ignore[no-any-return]


def load_or_create(path: Path) -> dict[str, dict[str, str]]:
    try:
        found = path.stat()
    except FileNotFoundError:
        found = None
    if found is not None:
        data = _read(str(path), found.st_mtime_ns, found.st_size)
        if data is not None:
            return {side: dict(pair) for side, pair in data.items()}
    pairs = {side: sm2_generate_keypair() for side in ("gateway", "platform")}
    data = {side: {"private": kp.private_key_hex, "public": kp.public_key_hex} for side, kp in pairs.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return data
