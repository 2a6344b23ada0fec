#!/usr/bin/env python3
"""模拟身份证读卡器 The simulated ID-card reader bridge of a self-service kiosk (docs/kiosk.md).

A real kiosk runs a small local service next to its card reader; the kiosk page (in the kiosk's
browser) asks it for the card on the reader and posts the signed read to the platform.  This
simulator answers like that service with one configurable demo card always "on the reader":

    GET  /card     200 {"card": {name, id_number, issued_at, nonce, device}, "signature": hex}
                   (a fresh nonce and time on every read; 204 while no card is set)
    GET  /health   200 {"ok": true, "device": ...}
    PUT  /card     {"name": ..., "id_number": ...} puts another card on the reader (from
                   127.0.0.1 only); {} takes it away (204 on the next GET /card)

The signature is HMAC-SM3 over the canonical JSON of the five card fields (keys sorted, separators
"," and ":", UTF-8, no ASCII escaping) with the kiosk's reader secret as the key.  CORS answers the
kiosk's origin only (``--origin``).  Stdlib + ``cryptography`` (for SM3); no Django.

    python scripts/card_reader_sim.py --config var/kiosk_reader.json --port 8005
    python scripts/card_reader_sim.py --device <uuid> --secret <secret> --origin http://127.0.0.1:8000

The config file is the one ``manage.py kiosk_device HALL NAME --reader-config FILE`` writes.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac

FIELDS = ("device", "id_number", "issued_at", "name", "nonce")
DEMO_CARD = {"name": "张伟", "id_number": "340104199005121312"}  # the demo citizen


def canonical_message(fields: dict[str, Any]) -> bytes:
    body = {name: fields[name] for name in FIELDS}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(secret: str, fields: dict[str, Any]) -> str:
    mac = hmac.HMAC(secret.encode("utf-8"), hashes.SM3())
    mac.update(canonical_message(fields))
    return mac.finalize().hex()


class Reader:
    """The reader's state: the device it belongs to, its secret, and the card lying on it."""

    def __init__(self, *, device: str, secret: str, origin: str, card: dict[str, str] | None) -> None:
        self.device = device
        self.secret = secret
        self.origin = origin
        self.card = card
        self.lock = threading.Lock()

    def read(self) -> dict[str, Any] | None:
        with self.lock:
            card = dict(self.card) if self.card else None
        if card is None:
            return None
        fields = {
            "name": card["name"],
            "id_number": card["id_number"],
            "issued_at": int(time.time()),
            "nonce": secrets.token_hex(16),
            "device": self.device,
        }
        return {"card": fields, "signature": sign(self.secret, fields)}

    def put(self, card: dict[str, Any]) -> None:
        with self.lock:
            if card.get("name") and card.get("id_number"):
                self.card = {"name": str(card["name"])[:50], "id_number": str(card["id_number"])[:18]}
            else:
                self.card = None


def handler_for(reader: Reader) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "YiwangCardReaderSim/1.0"

        def _headers(self, status: int, length: int = 0, content_type: str = "application/json") -> None:
            self.send_response(status)
            if reader.origin:
                self.send_header("Access-Control-Allow-Origin", reader.origin)
                self.send_header("Vary", "Origin")
                self.send_header("Access-Control-Allow-Methods", "GET, PUT, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Content-Type")
                # Chromium's Private Network Access preflight (a page asking a loopback service).
                self.send_header("Access-Control-Allow-Private-Network", "true")
            self.send_header("Cache-Control", "no-store")
            if length:
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(length))
            self.end_headers()

        def _json(self, status: int, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            self._headers(status, len(data))
            self.wfile.write(data)

        def do_OPTIONS(self) -> None:
            self._headers(204)

        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] == "/card":
                read = reader.read()
                if read is None:
                    self._headers(204)
                else:
                    self._json(200, read)
            elif self.path.split("?", 1)[0] == "/health":
                self._json(200, {"ok": True, "device": reader.device})
            else:
                self._json(404, {"code": "not_found"})

        def do_PUT(self) -> None:
            if self.path != "/card" or self.client_address[0] not in ("127.0.0.1", "::1"):
                self._json(404, {"code": "not_found"})
                return
            length = min(int(self.headers.get("Content-Length") or 0), 4096)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._json(400, {"code": "invalid_json"})
                return
            reader.put(body if isinstance(body, dict) else {})
            self._headers(204)

        def log_message(self, format: str, *args: Any) -> None:
            sys.stdout.write("card-reader %s\n" % (format % args))

    return Handler


def make_server(reader: Reader, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    return ThreadingHTTPServer((host, port), handler_for(reader))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--config", help="JSON file with device, secret, origin (kiosk_device --reader-config)"
    )
    parser.add_argument("--device", default=os.environ.get("KIOSK_READER_DEVICE", ""))
    parser.add_argument("--secret", default=os.environ.get("KIOSK_READER_SECRET", ""))
    parser.add_argument("--origin", default=os.environ.get("KIOSK_READER_ORIGIN", "http://127.0.0.1:8000"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("KIOSK_READER_PORT", "8731")))
    parser.add_argument("--name", default=DEMO_CARD["name"])
    parser.add_argument("--id-number", default=DEMO_CARD["id_number"])
    args = parser.parse_args(argv)
    device, secret, origin = args.device, args.secret, args.origin
    if args.config:
        if not os.path.exists(args.config):
            sys.exit(f"card reader: {args.config} not found (run manage.py kiosk_device ... --reader-config)")
        with open(args.config, encoding="utf-8") as handle:
            config = json.load(handle)
        device = config.get("device", device)
        secret = config.get("secret", secret)
        origin = config.get("origin", origin)
    if not device or not secret:
        sys.exit("card reader: --device and --secret (or --config) are required")
    reader = Reader(
        device=device, secret=secret, origin=origin, card={"name": args.name, "id_number": args.id_number}
    )
    server = make_server(reader, args.host, args.port)
    print(
        f"card reader simulator on http://{args.host}:{server.server_port}/card for device {device}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
