"""yiwang.supervisor with small stand-in programs: prefixed output, restart of a child that dies,
one SIGINT stops all, and children die with a supervisor that is killed outright."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SUPERVISOR = """
import sys
from yiwang.supervisor import Program, Supervisor
py = sys.executable
child = "from yiwang.supervisor import die_with_supervisor; die_with_supervisor(); "
Supervisor([
    Program("crash", [py, "-c", "print('crashing now', flush=True); raise SystemExit(3)"]),
    Program("sleeper", [py, "-c", child + "import time; print('asleep', flush=True); time.sleep(120)"]),
], stop_timeout=5).run()
"""


def _start() -> tuple[subprocess.Popen[bytes], list[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    lines: list[str] = []
    assert process.stdout is not None
    stream = process.stdout
    threading.Thread(target=lambda: lines.extend(raw.decode() for raw in stream), daemon=True).start()
    return process, lines


def _wait_for(lines: list[str], pattern: str, count: int = 1, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(re.findall(pattern, "".join(lines), re.MULTILINE)) < count:
        assert time.monotonic() < deadline, "".join(lines)
        time.sleep(0.1)


def _pid(lines: list[str], name: str) -> int:
    return int(re.findall(rf"started {name} \(pid (\d+)\)", "".join(lines))[-1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_prefixes_output_restarts_a_dead_child_and_stops_all_on_sigint():
    process, lines = _start()
    try:
        _wait_for(lines, r"^crash\s+\| crashing now", count=2)  # ran, died, was restarted
        _wait_for(lines, r"^sleeper\s+\| asleep")
        assert re.search(r"crash exited with status 3; restarting in \d+ s", "".join(lines))
        sleeper = _pid(lines, "sleeper")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    _wait_for(lines, "all stopped")
    deadline = time.monotonic() + 5
    while _alive(sleeper) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(sleeper)


def test_children_die_with_a_killed_supervisor():
    process, lines = _start()
    try:
        _wait_for(lines, r"^sleeper\s+\| asleep")
        sleeper = _pid(lines, "sleeper")
        os.kill(process.pid, signal.SIGKILL)  # no chance to stop anything itself
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(sleeper) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(sleeper)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
