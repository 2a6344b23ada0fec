"""Logging in like a browser for the HTML scenarios of the benchmark (used by bench/run.py).

Staff log in through the real pages: ``GET /workbench/login/`` (the form and its CSRF token), ``POST``
user name and password, follow the redirect to ``/workbench/mfa/``, ``POST`` the current TOTP code,
land on ``/workbench/``.  Applicants log in on the portal's ``/login/`` and land on 我的办件.  Each
login gives one session (cookie jar); :class:`SessionPool` keeps one per simulated user for the whole
benchmark, so every locust user has its own session and keeps its cookie across the runs (a session
found logged out — idle timeout — is logged in again).

The TOTP code is computed here (RFC 6238, SHA-1, 6 digits) from the demo staff's fixed key.  The
server accepts a code only for a time step after the last one used (replay protection) within its
tolerance around ``now + drift`` and then moves ``drift`` to the step that matched; :class:`Totp`
follows that state (read from the database by bench/prepare.py) so that several sessions of the same
clerk can log in one after the other without waiting for the next 30-second step.
"""

from __future__ import annotations

import hashlib
import hmac
import http.cookiejar
import re
import struct
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


def hotp(key: bytes, counter: int, digits: int = 6) -> str:
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


@dataclass
class Totp:
    """One TOTP device as the server sees it (key, step, drift, last step used, tolerance)."""

    key_hex: str
    drift: int = 0
    last_t: int = -1
    tolerance: int = 1
    step: int = 30
    t0: int = 0
    digits: int = 6

    def next_code(self) -> str:
        """The code of the earliest step the server will accept now; waits when none is left."""
        while True:
            now = time.time()
            # Keep clear of a step boundary: the server must see the same step as we do.
            if (now - self.t0) % self.step > self.step - 2:
                time.sleep(2.5)
                continue
            now_t = int((now - self.t0) // self.step)
            base = now_t + self.drift
            for offset in range(-self.tolerance, self.tolerance + 1):
                t = base + offset
                if t > self.last_t:
                    # What the server records on success (OTP_TOTP_SYNC): this step and its drift.
                    self.last_t, self.drift = t, t - now_t
                    return hotp(bytes.fromhex(self.key_hex), t, self.digits)
            time.sleep(self.step - (now - self.t0) % self.step + 0.5)


@dataclass
class Account:
    username: str
    password: str
    staff: bool
    totp: Totp | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class LoginFailed(RuntimeError):
    pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _csrf(html: str, where: str) -> str:
    found = CSRF_RE.search(html)
    if not found:
        raise LoginFailed(f"no CSRF token on {where}")
    return found.group(1)


def login(host: str, account: Account) -> http.cookiejar.CookieJar:
    """Log in through the real pages; returns the browser's cookie jar (session + CSRF cookies)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def get(path: str) -> tuple[str, str]:
        with opener.open(host + path, timeout=60) as response:
            return urllib.parse.urlparse(response.geturl()).path, response.read().decode()

    def post(path: str, fields: dict[str, str], page: str) -> tuple[str, str]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": _csrf(page, path), **fields}).encode()
        request = urllib.request.Request(host + path, data=body, headers={"Referer": host + path})  # noqa: S310
        try:
            with opener.open(request, timeout=60) as response:
                return urllib.parse.urlparse(response.geturl()).path, response.read().decode()
        except urllib.error.HTTPError as error:
            raise LoginFailed(f"{account.username}: POST {path} → {error.code}") from error

    credentials = {"username": account.username, "password": account.password}
    if account.staff:
        _path, page = get("/workbench/login/")
        where, page = post("/workbench/login/", credentials, page)
        if where != "/workbench/mfa/":
            raise LoginFailed(f"{account.username}: after the password at {where}, not the MFA page")
        if account.totp is None:
            raise LoginFailed(f"{account.username}: no TOTP key")
        where, _page = post("/workbench/mfa/", {"token": account.totp.next_code()}, page)
        if where != "/workbench/":
            raise LoginFailed(f"{account.username}: after the TOTP code at {where}, not the to-do page")
    else:
        _path, page = get("/login/")
        where, _page = post("/login/", credentials, page)
        if where != "/my/cases/":
            raise LoginFailed(f"{account.username}: after the password at {where}, not 我的办件")
    return jar


def logged_in(host: str, jar: http.cookiejar.CookieJar, staff: bool) -> bool:
    """Whether the session still opens the start page without being sent to a log-in page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    try:
        with opener.open(host + ("/workbench/" if staff else "/my/cases/"), timeout=60) as response:
            return bool(response.status == 200)
    except urllib.error.HTTPError:
        return False


class SessionPool:
    """One logged-in session per simulated user, per kind (staff / applicant), for the whole benchmark."""

    def __init__(self, host: str) -> None:
        self.host = host
        self.sessions: dict[str, list[tuple[Account, http.cookiejar.CookieJar]]] = {}
        self.logins = 0
        self.login_seconds = 0.0

    def get(
        self, kind: str, accounts: list[Account], n: int
    ) -> list[tuple[Account, http.cookiejar.CookieJar]]:
        """``n`` sessions spread round-robin over ``accounts``; stale ones are logged in again."""
        pool = self.sessions.setdefault(kind, [])
        for i, (account, jar) in enumerate(pool[:n]):
            if not logged_in(self.host, jar, account.staff):
                pool[i] = (account, self._login(account))
        while len(pool) < n:
            account = accounts[len(pool) % len(accounts)]
            pool.append((account, self._login(account)))
        return pool[:n]

    def _login(self, account: Account) -> http.cookiejar.CookieJar:
        started = time.monotonic()
        jar = login(self.host, account)
        self.logins += 1
        self.login_seconds += time.monotonic() - started
        return jar
