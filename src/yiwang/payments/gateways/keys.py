"""The demo key file of the fiscal gateway (YIWANG_PAYGATE_KEYS_FILE): both sides' SM2 key pairs,
``{"gateway": {"private", "public"}, "platform": {"private", "public"}}``; the platform reads
``platform.private`` and ``gateway.public``.  Created when missing, in the same format as the demo
gateway's ``yiwang_demo_paygate.keys.load_or_create``."""

from __future__ import annotations

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


def load_or_create(path: Path) -> dict[str, dict[str, str]]:
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        if _valid(data):
            return data  # type: ignore[no-any-return]
    pairs = {side: sm2_generate_keypair() for side in ("gateway", "platform")}
    data = {side: {"private": kp.private_key_hex, "public": kp.public_key_hex} for side, kp in pairs.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return data
