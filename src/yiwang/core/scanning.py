"""Malware scanning of uploads (等保三级 恶意代码防范): one :class:`Scanner` interface, two scanners.

- :class:`ClamdScanner` talks to ClamAV's daemon over its unix or TCP socket with the ``INSTREAM``
  command (``zINSTREAM\\0``, then chunks each prefixed by its length as a 4-byte big-endian
  integer, then a zero length; the daemon answers ``stream: OK`` or ``stream: <name> FOUND``).  It
  is used when ``YIWANG_CLAMD`` is set: ``unix:/run/clamav/clamd.ctl``, a bare socket path, or
  ``tcp:host:port`` / ``host:port``.  If the daemon cannot be reached the upload is refused
  (:class:`ScannerUnavailable`): fail closed.
- :class:`EicarScanner`, the built-in fallback, finds the EICAR anti-virus test string and nothing
  else.  It is **not an antivirus**: it proves the refusal path works end to end (tests, demo) where
  no ClamAV is installed.  Production installs clamd (docs/security.md).

Callers (``cases.uploads.check_upload``) ask :func:`get_scanner` and refuse an infected file.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

# The 68-byte EICAR test file (https://www.eicar.org/download-anti-malware-testfile/), split so that
# this source file is not itself flagged by a scanner on a developer's machine.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CHUNK = 64 * 1024


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""  # what was found, e.g. "Eicar-Signature"
    scanner: str = ""


class ScannerUnavailable(Exception):
    """The configured scanner could not be asked; the upload must not be accepted unscanned."""


class Scanner(Protocol):
    name: str

    def scan(self, chunks: Iterable[bytes]) -> ScanResult: ...


class EicarScanner:
    """Finds the EICAR test string anywhere in the content.  Not an antivirus (see the module)."""

    name = "eicar-builtin"

    def scan(self, chunks: Iterable[bytes]) -> ScanResult:
        tail = b""
        for chunk in chunks:
            window = tail + chunk
            if EICAR in window:
                return ScanResult(False, "EICAR-Test-File", self.name)
            tail = window[-(len(EICAR) - 1) :]
        return ScanResult(True, "", self.name)


class ClamdScanner:
    """ClamAV's clamd over ``INSTREAM`` (see the module docstring for the framing)."""

    name = "clamd"

    def __init__(self, address: str, *, timeout: float = 30.0) -> None:
        self.address = address
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        address = self.address
        try:
            if address.startswith("unix:") or address.startswith("/"):
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(address.removeprefix("unix:"))
                return sock
            host, _sep, port = address.removeprefix("tcp:").rpartition(":")
            return socket.create_connection(
                (host.strip("[]") or "127.0.0.1", int(port)), timeout=self.timeout
            )
        except (OSError, ValueError) as exc:
            raise ScannerUnavailable(f"clamd at {address} cannot be reached: {exc}") from exc

    def scan(self, chunks: Iterable[bytes]) -> ScanResult:
        with self._connect() as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    for start in range(0, len(chunk), CHUNK):
                        part = chunk[start : start + CHUNK]
                        sock.sendall(struct.pack("!L", len(part)) + part)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    data = sock.recv(4096)
                    if not data:
                        break
                    reply += data
            except OSError as exc:
                raise ScannerUnavailable(f"clamd at {self.address} failed: {exc}") from exc
        return self.parse_reply(reply.rstrip(b"\0").decode("utf-8", "replace").strip())

    def parse_reply(self, reply: str) -> ScanResult:
        # "stream: OK" | "stream: Eicar-Signature FOUND" | "INSTREAM size limit exceeded. ERROR"
        status = reply.rpartition(": ")[2] if ": " in reply else reply
        if status == "OK":
            return ScanResult(True, "", self.name)
        if status.endswith(" FOUND"):
            return ScanResult(False, status.removesuffix(" FOUND"), self.name)
        raise ScannerUnavailable(f"clamd answered {reply!r}")


def get_scanner() -> Scanner:
    address = getattr(settings, "YIWANG_CLAMD", "")
    if address:
        return ClamdScanner(address, timeout=float(getattr(settings, "YIWANG_CLAMD_TIMEOUT", 30)))
    return EicarScanner()
