"""`yiwang federation-demo`: the province's own demo data (loaded twice: nothing changes the second
time) and the programs the one supervisor runs for both instances (docs/federation-demo.md)."""

from __future__ import annotations

import json
import subprocess

import pytest

from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.federation


@pytest.mark.django_db
def test_the_province_demo_has_its_own_departments_base_catalogue_items_and_accounts():
    from yiwang.accounts.models import User
    from yiwang.catalog.models import BaseItem, ItemStatus, ServiceItem
    from yiwang.demo.content import ITEMS
    from yiwang.demo.federation import PROVINCE_ITEMS, load_province_demo

    report = load_province_demo()
    assert report["organisations"] == 5
    assert report["base_items"] == len({spec["base_code"] for spec in ITEMS})
    items = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).select_related("implementing_body")
    assert sorted(item.name for item in items) == sorted(PROVINCE_ITEMS)
    assert {item.exercise_level for item in items} == {"2"}
    assert all(item.implementing_body.name.startswith("安徽省") for item in items)
    assert set(report["accounts"]) <= set(User.objects.values_list("username", flat=True))
    counts = (
        BaseItem.objects.count(),
        ServiceItem.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    load_province_demo()
    assert (
        BaseItem.objects.count(),
        ServiceItem.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_one_supervisor_runs_web_worker_and_scheduler_of_each_instance(monkeypatch, tmp_path):
    from yiwang import cli, supervisor

    monkeypatch.setenv("YIWANG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("PORT", "18800")
    monkeypatch.setenv("FEDERATION_DATABASE_URL_BASE", "sqlite")
    prepared: list[dict[str, str]] = []
    monkeypatch.setattr(subprocess, "run", lambda argv, env, check: prepared.append(env))
    seen: list[supervisor.Program] = []
    monkeypatch.setattr(supervisor.Supervisor, "run", lambda self: seen.extend(self.programs) or 0)
    assert cli.run_federation_demo() == 0
    assert [p.name for p in seen] == [
        "province.web",
        "province.worker",
        "province.scheduler",
        "city.web",
        "city.worker",
        "city.scheduler",
    ]
    province, city = seen[0].env, seen[3].env
    assert (province["PORT"], city["PORT"]) == ("18800", "18900")
    assert province["DATABASE_URL"] == f"sqlite:///{tmp_path}/federation/province/yiwang.sqlite3"
    assert city["YIWANG_UPSTREAM_OIDC_ISSUER"] == "http://127.0.0.1:18800/o"
    assert [env["YIWANG_FEDERATION_ROLE"] for env in prepared] == ["province", "city"]
    plan = json.loads(prepared[0]["YIWANG_FEDERATION_PLAN"])
    assert plan["peer"]["node_id"] == "340100-city" and plan["peer"]["role"] == "child"
    assert plan["oidc_client"]["redirect_uris"] == ["http://localhost:18900/accounts/upstream/callback/"]
    assert (tmp_path / "federation" / "city" / "instance.env").stat().st_mode & 0o777 == 0o600
