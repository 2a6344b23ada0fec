"""A small fake ClamAV daemon for tests: a real socket (TCP or unix) that speaks clamd's INSTREAM
protocol — ``zINSTREAM\\0`` (or ``nINSTREAM\\n``), chunks prefixed by a 4-byte big-endian length, a
zero length to end — and answers ``stream: Eicar-Signature FOUND`` when the stream holds the EICAR
test string, ``stream: OK`` otherwise (or a fixed ``reply``)."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from yiwang.core.scanning import EICAR


@dataclass
class FakeClamd:
    address: str
    commands: list[bytes] = field(default_factory=list)
    streams: list[bytes] = field(default_factory=list)
    chunk_sizes: list[list[int]] = field(default_factory=list)


def _read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = conn.recv(size - len(data))
        if not part:
            raise ConnectionError("client closed early")
        data += part
    return data


def _serve_one(conn: socket.socket, fake: FakeClamd, reply: str | None) -> None:
    with conn:
        command = b""
        while not command.endswith((b"\0", b"\n")):
            command += _read_exact(conn, 1)
        fake.commands.append(command)
        terminator = command[-1:]
        if command[1:-1] != b"INSTREAM":
            conn.sendall(b"UNKNOWN COMMAND" + terminator)
            return
        stream, sizes = b"", []
        while True:
            (size,) = struct.unpack("!L", _read_exact(conn, 4))
            if size == 0:
                break
            sizes.append(size)
            stream += _read_exact(conn, size)
        fake.streams.append(stream)
        fake.chunk_sizes.append(sizes)
        answer = reply or ("stream: Eicar-Signature FOUND" if EICAR in stream else "stream: OK")
        conn.sendall(answer.encode() + terminator)


@contextmanager
def fake_clamd(unix_path: Path | None = None, *, reply: str | None = None) -> Iterator[FakeClamd]:
    """Serve on a free TCP port of 127.0.0.1 (or on ``unix_path``) until the block ends."""
    if unix_path is not None:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(unix_path))
        fake = FakeClamd(f"unix:{unix_path}")
    else:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        fake = FakeClamd(f"tcp:127.0.0.1:{server.getsockname()[1]}")
    server.listen(4)
    server.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(5)
            try:
                _serve_one(conn, fake, reply)
            except (OSError, ConnectionError):
                continue

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()
