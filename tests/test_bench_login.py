"""The benchmark's log-in helper (bench/browser.py) computes TOTP codes the server accepts.

The HTML scenarios log several sessions of one clerk in back to back through the real MFA page;
the bench follows the device's drift and last used step so that no code is a replay.  These tests
hold its model against django_otp's own verification (time frozen: no dependence on the date)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
import time_machine
from django_otp.plugins.otp_totp.models import TOTPDevice

from yiwang.accounts.models import User
from yiwang.core.demo_accounts import DEMO_TOTP_KEY_HEX

BROWSER = Path(__file__).resolve().parent.parent / "bench" / "browser.py"
# 5 s into a 30-second step: clear of a step boundary.
FROZEN = datetime.fromtimestamp((1_800_000_000 // 30) * 30 + 5, tz=UTC)


def bench_browser() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_browser", BROWSER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_hotp_matches_the_rfc_4226_vectors():
    browser = bench_browser()
    key = bytes.fromhex(DEMO_TOTP_KEY_HEX)  # "12345678901234567890", the RFC's test key
    assert [browser.hotp(key, counter) for counter in range(3)] == ["755224", "287082", "359152"]


def device_for(username: str) -> TOTPDevice:
    user = User.objects.create_user(username=username, password="Bench@2026-x")
    return TOTPDevice.objects.create(user=user, name="bench", key=DEMO_TOTP_KEY_HEX, confirmed=True)


def state(device: TOTPDevice) -> dict[str, int | str]:
    device.refresh_from_db()
    return {
        "key_hex": device.key,
        "drift": device.drift,
        "last_t": device.last_t,
        "tolerance": device.tolerance,
        "step": device.step,
        "t0": device.t0,
        "digits": device.digits,
    }


@pytest.mark.django_db
def test_back_to_back_logins_of_one_clerk_are_all_accepted_and_none_is_a_replay():
    browser = bench_browser()
    device = device_for("benchclerk")
    with time_machine.travel(FROZEN, tick=False):
        totp = browser.Totp(**state(device))
        used = []
        for _ in range(6):
            code = totp.next_code()
            device.refresh_from_db()
            assert device.verify_token(code), code
            used.append(code)
        assert len(set(used)) == len(used)
        device.refresh_from_db()
        assert not device.verify_token(used[-1])  # a replay is refused
        assert (device.drift, device.last_t) == (totp.drift, totp.last_t)


@pytest.mark.django_db
def test_a_new_bench_process_starts_from_the_device_state_in_the_database():
    browser = bench_browser()
    device = device_for("benchclerk2")
    with time_machine.travel(FROZEN, tick=False):
        first = browser.Totp(**state(device))
        for _ in range(3):
            assert device.verify_token(first.next_code())
            device.refresh_from_db()
        # what bench/prepare.py writes into the fixture for the next run
        second = browser.Totp(**state(device))
        assert device.verify_token(second.next_code())
