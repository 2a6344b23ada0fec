"""`yiwang federation-demo`: the province's own demo data (loaded twice: nothing changes the second
time), the city's items open to filing at the province (跨域通办), the programs the one supervisor runs
for both instances and what the banner points to (docs/federation-demo.md)."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from django.core.management import call_command

from yiwang import cli, supervisor
from yiwang.accounts.models import User
from yiwang.catalog.models import BaseItem, ItemStatus, ServiceItem
from yiwang.catalog.services import create_item, publish_item
from yiwang.core.models import AuditEvent
from yiwang.crossregion.reads import OPEN_ELSEWHERE, items_open_elsewhere
from yiwang.demo.content import ITEMS
from yiwang.demo.federation import (
    CITY_TONGBAN,
    PROVINCE_ITEMS,
    city_config,
    federation_banner,
    province_config,
)
from yiwang.demo.federation_instance import load_province_demo, open_city_items
from yiwang.demo.loader import demo_base_item, item_fields
from yiwang.testing.catalog import OrganisationFactory

pytestmark = pytest.mark.federation


@pytest.mark.django_db
def test_the_province_demo_has_its_own_departments_base_catalogue_items_and_accounts():
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


@pytest.mark.django_db
def test_the_city_opens_some_items_to_filing_elsewhere_once():
    names = sorted(CITY_TONGBAN)[:2]
    organisation = OrganisationFactory(name="合肥市市场监督管理局")
    items = []
    for spec in ITEMS:  # as the city's `loaddemo` makes them: base item, published, not open elsewhere
        if spec["name"] in (*names, "高龄津贴申领"):
            fields = item_fields(spec, organisation)
            item = create_item(
                actor=None,
                implementing_body=organisation,
                base_item=demo_base_item(fields),
                materials=spec["materials"],
                **fields,
            )
            publish_item(item, None)
            items += [item] if spec["name"] in names else []
    assert list(items_open_elsewhere()) == []
    assert sorted(open_city_items()) == sorted(f"{name} ({CITY_TONGBAN[name]})" for name in names)
    for item in items:
        item.refresh_from_db()
        assert (item.tongban_range, item.version, item.status) == (
            CITY_TONGBAN[item.name],
            2,
            ItemStatus.PUBLISHED,
        )
    assert sorted(i.name for i in items_open_elsewhere()) == names  # what the province's refresh lists
    assert set(CITY_TONGBAN.values()) <= {r.value for r in OPEN_ELSEWHERE}  # listed to the province
    audits = AuditEvent.objects.count()
    assert open_city_items() == []  # the second time: nothing
    assert AuditEvent.objects.count() == audits
    assert ServiceItem.objects.filter(revision_of__isnull=False).count() == 0


@pytest.mark.django_db
def test_the_province_refreshes_its_cities_items_once_they_answer():
    out = io.StringIO()
    call_command("federation_crossregion", "--once", "--wait", "0", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "跨域通办 filings settled: 0"  # no city paired here


def test_the_banner_says_where_to_try_sso_crossregion_and_the_overview(tmp_path):
    province = province_config(8000, "sqlite://", tmp_path / "p")
    city = city_config(8100, "sqlite://", tmp_path / "c")
    text = federation_banner(province, city)
    assert "http://localhost:8100/login/ → 使用安徽省政务服务网统一身份认证登录" in text
    assert "http://127.0.0.1:8000/crossregion/" in text and "http://127.0.0.1:8000/crossregion/mine/" in text
    assert "http://127.0.0.1:8000/workbench/federation/" in text


def test_one_supervisor_runs_web_worker_and_scheduler_of_each_instance(monkeypatch, tmp_path):
    monkeypatch.setenv("YIWANG_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("PORT", "18800")
    monkeypatch.setenv("FEDERATION_DATABASE_URL_BASE", "sqlite")
    prepared: list[dict[str, str]] = []
    commands: list[str] = []
    monkeypatch.setattr(
        subprocess, "run", lambda argv, env, check: prepared.append(env) or commands.append(argv[-1])
    )
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
        "province.crossregion",
    ]
    assert commands == ["federation_prepare", "federation_prepare"]
    assert seen[-1].argv[-1] == "federation_crossregion" and seen[-1].env == seen[0].env
    province, city = seen[0].env, seen[3].env
    assert (province["PORT"], city["PORT"]) == ("18800", "18900")
    assert province["DATABASE_URL"] == f"sqlite:///{tmp_path}/federation/province/yiwang.sqlite3"
    assert city["YIWANG_UPSTREAM_OIDC_ISSUER"] == "http://127.0.0.1:18800/o"
    assert [env["YIWANG_FEDERATION_ROLE"] for env in prepared] == ["province", "city"]
    plan = json.loads(prepared[0]["YIWANG_FEDERATION_PLAN"])
    assert plan["peer"]["node_id"] == "340100-city" and plan["peer"]["role"] == "child"
    assert plan["oidc_client"]["redirect_uris"] == ["http://localhost:18900/accounts/upstream/callback/"]
    assert (tmp_path / "federation" / "city" / "instance.env").stat().st_mode & 0o777 == 0o600
