"""One supervisor process for a single node (``yiwang demo``, ``make run``).

It starts each program (web server, task worker(s), scheduler, demo department system) as a child
in its own session, prefixes every line the child prints with the program's name, restarts a child
that dies (after 1 s, doubling up to 30 s while it keeps dying young) and, on the first SIGINT
(Ctrl-C) or SIGTERM, sends SIGTERM to every child, waits for them, and kills what is left after
``stop_timeout`` seconds.  Children are told to die with the supervisor (``PR_SET_PDEATHSIG``,
set by ``yiwang.cli`` when ``YIWANG_SUPERVISOR_PID`` is in its environment), so even a supervisor
killed with SIGKILL leaves no orphan behind.

Production runs the same programs as separate systemd services (``deploy/systemd/``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Any


@dataclass
class Program:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    delay: float = 1.0
    reader: threading.Thread | None = None


class Supervisor:
    MIN_DELAY = 1.0
    MAX_DELAY = 30.0
    HEALTHY_AFTER = 30.0  # a child that ran this long is restarted after MIN_DELAY again

    def __init__(self, programs: list[Program], *, out: IO[str] | None = None, stop_timeout: float = 20.0):
        self.programs = programs
        self.out = out or sys.stdout
        self.stop_timeout = stop_timeout
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.width = max(len(program.name) for program in programs)

    # --- output ----------------------------------------------------------------------------------
    def say(self, name: str, line: str) -> None:
        with self.lock:
            self.out.write(f"{name:<{self.width}} | {line.rstrip()}\n")
            self.out.flush()

    def _pump(self, program: Program, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self.say(program.name, raw.decode("utf-8", errors="replace"))
        stream.close()

    # --- children --------------------------------------------------------------------------------
    def start(self, program: Program) -> None:
        env = {
            **os.environ,
            **program.env,
            "PYTHONUNBUFFERED": "1",
            "YIWANG_SUPERVISOR_PID": str(os.getpid()),
        }
        process = subprocess.Popen(  # noqa: S603 - argv built by yiwang.cli, no shell
            program.argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches the supervisor only; it stops the children
        )
        program.process = process
        program.started_at = time.monotonic()
        program.restart_at = None
        assert process.stdout is not None
        program.reader = threading.Thread(target=self._pump, args=(program, process.stdout), daemon=True)
        program.reader.start()
        self.say("supervisor", f"started {program.name} (pid {process.pid})")

    def _check(self, program: Program) -> None:
        now = time.monotonic()
        if program.process is None:
            if program.restart_at is not None and now >= program.restart_at:
                self.start(program)
            return
        code = program.process.poll()
        if code is None:
            return
        if now - program.started_at >= self.HEALTHY_AFTER:
            program.delay = self.MIN_DELAY
        delay, program.delay = program.delay, min(program.delay * 2, self.MAX_DELAY)
        program.process = None
        program.restart_at = now + delay
        self.say("supervisor", f"{program.name} exited with status {code}; restarting in {delay:.0f} s")

    @staticmethod
    def _signal_group(pid: int, signum: int) -> bool:
        """Signal the child's whole session (a gunicorn master and its workers); False when empty."""
        try:
            os.killpg(pid, signum)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def stop_all(self) -> None:
        running = [p for p in self.programs if p.process is not None]
        for program in running:
            assert program.process is not None
            self.say("supervisor", f"stopping {program.name} (pid {program.process.pid})")
            with contextlib.suppress(ProcessLookupError):
                program.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for program in running:
            assert program.process is not None
            try:
                program.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.say("supervisor", f"{program.name} did not stop in {self.stop_timeout:.0f} s: killed")
                self._signal_group(program.process.pid, signal.SIGKILL)
                program.process.wait()
            # Whatever the leader left in its session (e.g. a worker still finishing) goes too.
            grace = time.monotonic() + 5
            while self._signal_group(program.process.pid, 0) and time.monotonic() < grace:
                time.sleep(0.1)
            self._signal_group(program.process.pid, signal.SIGKILL)
        for program in running:
            if program.reader is not None:
                program.reader.join(timeout=2)
            program.process = None

    # --- main loop -------------------------------------------------------------------------------
    def _on_signal(self, signum: int, frame: Any) -> None:
        if not self.stopping.is_set():
            self.say("supervisor", f"{signal.Signals(signum).name}: stopping all")
        self.stopping.set()

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            for program in self.programs:
                self.start(program)
            while not self.stopping.wait(0.2):
                for program in self.programs:
                    self._check(program)
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not cut the clean stop
            self.stop_all()
            self.say("supervisor", "all stopped")
        return 0


def die_with_supervisor() -> None:
    """In a supervised child: get SIGTERM when the supervisor dies (Linux), exit if it already has.

    Only a direct child acts (the variable is removed, so what the child starts is not affected)."""
    supervisor = os.environ.pop("YIWANG_SUPERVISOR_PID", "")
    if not supervisor.isdigit() or os.getppid() != int(supervisor):
        return
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG, kept across exec
    except (OSError, AttributeError):
        return
    if os.getppid() != int(supervisor):  # it died between the check and prctl
        raise SystemExit(0)
