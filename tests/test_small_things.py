"""Issue 16 point 12: /favicon.ico is served; `make totp USER=clerk` works without uv on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_favicon_ico_is_served():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # ICO header
    assert "max-age" in response["Cache-Control"]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_totp_runs_yiwang_totp_for_the_given_user_through_uv_outside_path():
    # Not USER, nor an enclosing make's level and flags (which make it print "Entering directory").
    env = {k: v for k, v in os.environ.items() if k not in ("USER", "MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    env["PATH"] = "/usr/bin:/bin"  # uv installed to ~/.local/bin is not on PATH
    result = subprocess.run(
        ["make", "-n", "totp", "USER=approver"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    command = result.stdout.strip().splitlines()[-1]
    assert command.endswith("yiwang totp approver")
    assert command.split()[0] != "uv"  # the full path Makefile found, so it works off PATH
    default = subprocess.run(
        ["make", "-n", "totp"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert default.stdout.strip().splitlines()[-1].endswith("yiwang totp clerk")
