"""Where a gateway call's time goes, in process: the statements one ``call_resource`` runs and a
yiwang-only cumulative profile of N calls.  Fresh database, like ``bench/gateway.py``:

    createdb -h 127.0.0.1 -U postgres bench_gwprof
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_gwprof uv run python bench/profile_gateway.py
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
os.environ.setdefault("YIWANG_PROFILE", "demo")

FIELDS = ["name", "gender", "household_region"]


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from yiwang.sharing import services
    from yiwang.sharing.providers import provider_for
    from yiwang.sharing.tests.factories import ask, make_world
    from yiwang.sharing.tests.gateway_factories import population_resource
    from yiwang.testing import bases as bases_factories
    from yiwang.testing.portal import seed_test_calendar

    seed_test_calendar()
    world = make_world()
    today = timezone.localdate()
    resource = population_resource(world)
    request = ask(world.market_official, resource, FIELDS, start=today, end=today + timedelta(days=365))
    services.decide_request(request, actor=world.police_official, decision="approve")
    consumer, secrets = services.register_consumer(
        actor=world.market_official, organisation=world.market, name="剖析系统", rate_per_minute=100_000
    )
    subject = bases_factories.person(name="李娜").id_number
    lookup = provider_for("bases.population")
    assert lookup is not None

    def call() -> object:
        return services.call_resource(consumer, resource.code, subject, FIELDS, "剖析", "PROF-1")

    for _ in range(20):
        call()
    with CaptureQueriesContext(connection) as direct_q:
        lookup(subject, FIELDS)
    with CaptureQueriesContext(connection) as queries:
        call()
    print(f"direct lookup: {len(direct_q)} statements; call_resource: {len(queries)} statements")
    for q in queries.captured_queries:
        print(f"  {q['time']}s  {q['sql'][:160]}")
    n = int(os.environ.get("N", "300"))
    started = time.perf_counter()
    for _ in range(n):
        lookup(subject, FIELDS)
    direct = (time.perf_counter() - started) / n * 1000
    started = time.perf_counter()
    for _ in range(n):
        call()
    through = (time.perf_counter() - started) / n * 1000
    print(f"mean ms: direct {direct:.2f}, through the gateway {through:.2f}, overhead {through - direct:.2f}")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        call()
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats("yiwang", 30)
    if os.environ.get("HTTP", "1") == "1":
        http_profile(resource.code, subject, secrets, n)


def http_profile(code: str, subject: str, secrets: object, n: int) -> None:
    """The same call through the whole Django stack (middleware, ninja, JSON) with a real token."""
    import base64
    import json

    from django.test import Client

    client = Client()
    basic = base64.b64encode(f"{secrets.client_id}:{secrets.client_secret}".encode()).decode()  # type: ignore[attr-defined]
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    token = response.json()["access_token"]
    body = json.dumps({"subject": subject, "fields": FIELDS, "purpose": "剖析", "case_number": "PROF-1"})
    url = f"/api/v1/sharing/gateway/{code}/query"

    def post() -> int:
        return client.post(
            url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        ).status_code

    assert post() == 200
    started = time.perf_counter()
    for _ in range(n):
        post()
    print(f"through Django (test client): {(time.perf_counter() - started) / n * 1000:.2f} ms a call")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        post()
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
