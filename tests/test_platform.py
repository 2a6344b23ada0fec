"""Platform-level checks: API schema and docs served, production profile passes check --deploy, CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_openapi_document_lists_the_journey():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/catalog/items",
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/workbench/todo",
        "/api/v1/workbench/cases/{case_id}/accept",
        "/api/v1/workbench/cases/{case_id}/decide",
        "/api/v1/accounts/token",
    ):
        assert path in paths, path


@pytest.mark.django_db
def test_api_docs_page_is_served_without_a_cdn():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"cdn." not in response.content


@pytest.mark.django_db
def test_unknown_api_path_uses_json_404():
    response = Client().get("/api/v1/nope")
    assert response.status_code == 404


def test_production_profile_passes_check_deploy():
    env = {
        **os.environ,
        "YIWANG_PROFILE": "production",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-check-0123456789",
        "ALLOWED_HOSTS": "zwfw.example.gov.cn",
        "DATABASE_URL": "sqlite:////tmp/yiwang-deploy-check.sqlite3",
        "YIWANG_PUBLIC_URL": "https://zwfw.example.gov.cn",
        "YIWANG_AUDIT_KEY": "audit-chain-key-for-the-deploy-check-0123456789",
        "YIWANG_AUDIT_CHECKPOINT_KEY": "audit-checkpoint-key-for-the-deploy-check-0123456789",
        "YIWANG_DATA_KEK": "5f" * 32,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_profile_refuses_the_demo_secret_key():
    env = {**os.environ, "YIWANG_PROFILE": "production"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_profile_refuses_to_start_without_a_public_url():
    env = {
        **os.environ,
        "YIWANG_PROFILE": "production",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-check-0123456789",
        "DATABASE_URL": "sqlite:////tmp/yiwang-deploy-check.sqlite3",
    }
    env.pop("YIWANG_PUBLIC_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "YIWANG_PUBLIC_URL" in result.stderr


def test_public_url_follows_port_unless_set():
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.YIWANG_PUBLIC_URL)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yiwang.settings",
        "PORT": "18800",
        "YIWANG_PROFILE": "demo",
    }
    env.pop("YIWANG_PUBLIC_URL", None)
    run = [sys.executable, "-c", code]
    derived = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert derived.stdout.strip() == "http://127.0.0.1:18800", derived.stderr
    env["YIWANG_PUBLIC_URL"] = "https://zwfw.example.gov.cn/"
    given = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert given.stdout.strip() == "https://zwfw.example.gov.cn", given.stderr


def test_cli_help_lists_the_verbs():
    result = subprocess.run(
        [sys.executable, "-c", "from yiwang.cli import main; main(['help'])"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert result.returncode == 0
    for verb in ("demo", "serve", "worker", "scheduler", "loaddemo"):
        assert verb in result.stdout


def test_production_profile_refuses_to_start_without_an_audit_key(tmp_path):
    env = {
        **os.environ,
        "YIWANG_PROFILE": "production",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-check-0123456789",
        "DATABASE_URL": "sqlite:////tmp/yiwang-deploy-check.sqlite3",
        "YIWANG_PUBLIC_URL": "https://zwfw.example.gov.cn",
        "YIWANG_AUDIT_CHECKPOINT_KEY": "audit-checkpoint-key-for-the-deploy-check-0123456789",
        "YIWANG_DATA_KEK": "00" * 32,  # the personal-data key is required too (checked before)
    }
    env.pop("YIWANG_AUDIT_KEY", None)
    env.pop("YIWANG_AUDIT_KEY_FILE", None)
    run = [sys.executable, "manage.py", "check"]
    result = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "YIWANG_AUDIT_KEY" in result.stderr
    key_file = tmp_path / "audit.key"  # a key file outside the database works as well
    key_file.write_text("audit-chain-key-from-a-file-0123456789abcdef\n")
    env["YIWANG_AUDIT_KEY_FILE"] = str(key_file)
    result = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "YIWANG_AUDIT_KEY" not in result.stderr, result.stderr
