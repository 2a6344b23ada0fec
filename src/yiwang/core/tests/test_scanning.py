"""Upload scanning (core.scanning): the clamd client speaks INSTREAM to a fake daemon over a real
TCP and unix socket; the built-in fallback finds the EICAR string, across chunk boundaries too;
an unreachable or confused daemon is an error (fail closed), never a clean result."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from yiwang.core import scanning
from yiwang.core.scanning import EICAR, ClamdScanner, EicarScanner, ScannerUnavailable
from yiwang.testing.clamd import fake_clamd


def test_eicar_is_68_bytes_and_found_across_chunks() -> None:
    assert len(EICAR) == 68
    scanner = EicarScanner()
    assert scanner.scan([b"%PDF-1.4\n", EICAR]).signature == "EICAR-Test-File"
    assert not scanner.scan([b"x" * 10 + EICAR[:30], EICAR[30:] + b"y"]).clean
    assert scanner.scan([b"%PDF-1.4\n", EICAR[:67], b"!"]).clean


def test_clamd_over_tcp_reports_clean_and_infected_streams() -> None:
    with fake_clamd() as daemon:
        scanner = ClamdScanner(daemon.address, timeout=5)
        assert scanner.scan([b"%PDF-1.4\n", b"hello"]) == scanning.ScanResult(True, "", "clamd")
        infected = scanner.scan([b"%PDF-1.4\n" + EICAR])
    assert (infected.clean, infected.signature) == (False, "Eicar-Signature")
    assert daemon.commands == [b"zINSTREAM\0", b"zINSTREAM\0"]
    assert daemon.streams == [b"%PDF-1.4\nhello", b"%PDF-1.4\n" + EICAR]
    assert daemon.chunk_sizes[0] == [9, 5]  # each chunk framed with its own length


def test_large_streams_go_in_chunks_of_at_most_64_kib(tmp_path: Path) -> None:
    data = b"a" * (scanning.CHUNK * 2 + 10)
    with fake_clamd(tmp_path / "clamd.sock") as daemon:
        assert ClamdScanner(daemon.address, timeout=5).scan([data]).clean
    assert daemon.address.startswith("unix:")
    assert daemon.chunk_sizes == [[scanning.CHUNK, scanning.CHUNK, 10]]
    assert daemon.streams == [data]


def test_an_unreachable_daemon_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(f"unix:{tmp_path / 'missing.sock'}", timeout=1).scan([b"x"])
    with fake_clamd() as daemon:
        port = daemon.address.rsplit(":", 1)[1]
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(f"127.0.0.1:{port}", timeout=1).scan([b"x"])


def test_an_error_reply_is_not_a_clean_result() -> None:
    with fake_clamd(reply="INSTREAM size limit exceeded. ERROR") as daemon, pytest.raises(ScannerUnavailable):
        ClamdScanner(daemon.address, timeout=5).scan([b"x"])


def test_the_setting_chooses_the_scanner(settings) -> None:
    settings.YIWANG_CLAMD = ""
    assert isinstance(scanning.get_scanner(), EicarScanner)
    settings.YIWANG_CLAMD = "tcp:127.0.0.1:3310"
    assert isinstance(scanning.get_scanner(), ClamdScanner)


def test_framing_is_big_endian() -> None:
    assert struct.pack("!L", 5) == b"\x00\x00\x00\x05"
