"""Prepare the benchmark database and write the fixture the load scenarios read (run by bench/run.py).

Runs in its own process (Django, no gevent): migrate, demo data, ``bench_seed`` when the bench items
are missing (the seeded database is reused), ``collectstatic``, bench API tokens for a citizen and
the demo clerks whose to-do queue is not empty (clerks with an empty queue are left out of the to-do
mix), the log-in details of those clerks (password, the state of their demo TOTP device) and of the
bench citizen for the HTML scenarios, which log in through the real pages; a few e-licences to
verify, an application payload that the API accepts, the ids the scenarios pick from (each clerk's
case pages come from his own queue), the pgbench scripts of the raw baseline (the SQL the ORM sends,
rendered with real parameters, one set per scenario) and the EXPLAIN plans of the hot queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiwang_bench uv run python bench/prepare.py --out var/bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")

SEARCH_QUERIES = [
    "营业执照",
    "身份证",
    "gtgsh",
    "低保",
    "食品经营许可",
    "个体户 变更",
    "公积金提取",
    "yyzz",
    "退休",
]
TODO_ROLES = {"window_clerk", "approver", "handler"}
RAW_PREFIX = "RAWBENCH"  # case numbers inserted by the raw baseline (deleted afterwards)


def log(message: str) -> None:
    print(f"[prepare {time.strftime('%H:%M:%S')}] {message}", flush=True)


def sql_of(qs: Any) -> str:
    """The SQL the ORM sends for ``qs`` with its parameters inlined (PostgreSQL)."""
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    return str(connection.ops.compose_sql(sql, params))  # type: ignore[attr-defined]  # PostgreSQL only


def ensure_data(items: int, cases: int) -> None:
    from django.core.management import call_command

    from yiwang.catalog.models import ItemStatus, ServiceItem
    from yiwang.demo.bench_seed import BENCH_PREFIX

    call_command("migrate", "--no-input", verbosity=0)
    if (
        not ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
        .exclude(base_code__startswith="BN")
        .exists()
    ):
        log("loading demo data")
        call_command("loaddemo")
    if not ServiceItem.objects.filter(base_code__startswith=BENCH_PREFIX).exists():
        log(f"seeding {items} items and {cases} cases (minutes)")
        started = time.monotonic()
        call_command("bench_seed", items=items, cases=cases, verbosity=1)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        log(f"seeded in {time.monotonic() - started:.0f} s")
    else:
        from yiwang.cases.models import Case
        from yiwang.demo.bench_seed import sync_number_sequences

        if Case.objects.count() < cases * 0.9:
            raise SystemExit(
                "the bench database holds the bench items but not its cases (an interrupted seed): "
                "drop it (dropdb) and run again"
            )

        log(f"bench data present: reused ({sync_number_sequences()} case-number counters of today synced)")
    call_command("collectstatic", "--no-input", verbosity=0)


def tokens(users: list[Any], name: str) -> list[str]:
    from yiwang.accounts.models import ApiToken
    from yiwang.accounts.services import issue_api_token

    ApiToken.objects.filter(name=name, user__in=users).delete()
    return [issue_api_token(user, name=name) for user in users]


APPLY_ITEMS = 32  # filings spread over this many items, as real traffic is (see docs/benchmarks.md)


def apply_payload(token: str) -> dict[str, Any]:
    """Items and forms the API accepts for the bench citizen (each tried through the real endpoint).

    The first payload (kept at the top level) prefers an item with mandatory uploads; ``payloads``
    lists up to :data:`APPLY_ITEMS` accepted ones, which the scenario picks from at random.
    """
    from django.test import Client

    from yiwang.catalog.models import ItemStatus, ServiceItem

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    candidates = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, base_code__startswith="BN").order_by(
        "pk"
    )[:400]
    values = {
        "text": "压测",
        "textarea": "压测申请",
        "number": 1,
        "date": "2026-01-01",
        "phone": "13800138000",
    }
    payloads: list[dict[str, Any]] = []
    for item in candidates:
        form: dict[str, Any] = {}
        for spec in item.form_fields or []:
            if spec.get("choices"):
                choice = spec["choices"][0]
                form[spec["name"]] = choice.get("value", choice) if isinstance(choice, dict) else choice
            else:
                form[spec["name"]] = values.get(spec.get("type", "text"), "压测")
        materials = [str(m.public_id) for m in item.materials.filter(mandatory=True)]
        files = {f"material_{m}": _pdf(m) for m in materials}
        response = client.post(
            "/api/v1/cases", {"item_id": str(item.public_id), "form_data": json.dumps(form), **files}
        )
        if response.status_code == 201:
            payload = {"item_id": str(item.public_id), "form_data": json.dumps(form), "materials": materials}
            # an item with uploads first (the realistic case)
            if materials:
                payloads.insert(0, payload)
            else:
                payloads.append(payload)
            if len(payloads) >= APPLY_ITEMS:
                break
    if payloads:
        found = {**payloads[0], "payloads": payloads}
        log(
            f"apply payloads: {len(payloads)} items; first {found['item_id']} "
            f"({len(found['materials'])} materials)"
        )
        return found
    raise SystemExit("no bench item accepts an application from the bench citizen")


def _pdf(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(f"{name[:8]}.pdf", body, content_type="application/pdf")


def licence_identifiers(n: int) -> list[str]:
    from yiwang.cases.tests.factories import make_citizen
    from yiwang.licences.models import Licence
    from yiwang.licences.tests import factories

    existing = list(Licence.objects.order_by("pk").values_list("identifier", flat=True)[:n])
    if len(existing) >= n:
        return existing
    issuer, _seal, _approver = factories.make_issuer(f"合肥市市场监督管理局压测{time.time_ns() % 100000}")
    licence_type = factories.make_type(f"{factories.MINISTRY}{time.time_ns() % 1000:03d}")
    holder = make_citizen(f"benchholder{time.time_ns()}")
    log(f"issuing {n - len(existing)} licences")
    for _ in range(n - len(existing)):
        existing.append(factories.issue(licence_type, issuer, holder).identifier)
    return existing


def staff_logins(clerks: list[Any]) -> list[dict[str, Any]]:
    """What the HTML scenarios need to log a clerk in like a browser, and the cases of his queue.

    The TOTP state (drift, last step used) is read so that the bench computes codes the server
    accepts; clerks without the demo authenticator (fixed key) cannot log in and are left out."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yiwang.cases.queries import staff_todo
    from yiwang.core.demo_accounts import DEMO_ACCOUNTS, DEMO_TOTP_KEY_HEX

    logins = []
    for clerk in clerks:
        device = TOTPDevice.objects.filter(user=clerk, confirmed=True, key=DEMO_TOTP_KEY_HEX).first()
        if device is None:
            continue
        cases = [str(p) for p in staff_todo(clerk).values_list("public_id", flat=True)[:100]]
        if not cases:
            continue
        logins.append(
            {
                "username": clerk.username,
                "password": DEMO_ACCOUNTS[0].password,
                "totp": {
                    "key_hex": device.key,
                    "drift": device.drift,
                    "last_t": device.last_t,
                    "tolerance": device.tolerance,
                    "step": device.step,
                    "t0": device.t0,
                    "digits": device.digits,
                },
                "cases": cases,
                "queue": staff_todo(clerk).count(),
            }
        )
    return logins


def pgbench_scripts(out: Path, fixture: dict[str, Any], clerks: list[Any]) -> dict[str, list[str]]:
    """One script per parameter set (pgbench picks among the -f files at random)."""
    from django.db import connection

    from yiwang.accounts.models import User
    from yiwang.cases.models import Case, CaseEvent, QueueCounter
    from yiwang.cases.queries import own_case_parts, todo_scope
    from yiwang.cases.reads import TODO_CLOCK_CAP, TODO_ORDERING, todo_clock_querysets, todo_row_queryset
    from yiwang.catalog.models import ServiceItem
    from yiwang.catalog.search import search_queryset
    from yiwang.licences.models import Licence
    from yiwang.portal.reads import MY_CASE_COLUMNS, MY_CASES_COUNT_CAP

    rng = random.Random(3)
    scripts: dict[str, list[list[str]]] = {
        "todo": [],
        "todo_page": [],
        "status": [],
        "search": [],
        "detail": [],
        "insert": [],
        "case_page": [],
        "my_cases": [],
        "guide": [],
        "licence": [],
    }
    for clerk in clerks:
        # The to-do's own statements: its rows (only the row columns, in keyset order) and its total
        # from the queue counters; the page adds the two bounded clock counts.
        scope = todo_scope(clerk)
        assert scope is not None
        rows = todo_row_queryset(clerk)
        counters = QueueCounter.objects.filter(organisation_id=scope[0], status__in=scope[1]).values("count")
        total = f"SELECT SUM(count) FROM ({sql_of(counters)}) AS t"
        scripts["todo"].append([sql_of(rows.order_by(*TODO_ORDERING)[:51]), total])
        clock = [
            f"SELECT COUNT(*) FROM ({sql_of(qs.values('id')[: TODO_CLOCK_CAP + 1])}) AS t"
            for qs in todo_clock_querysets(clerk) or ()
        ]
        scripts["todo_page"].append([sql_of(rows.order_by(*TODO_ORDERING)[:51]), total, *clock])
    for number in rng.sample([n for n, _ in fixture["status"]], min(20, len(fixture["status"]))):
        scripts["status"].append([sql_of(Case.objects.filter(number=number).select_related("item")[:1])])
    for q in SEARCH_QUERIES:
        matches = search_queryset(q, published_only=True)
        scripts["search"].append(
            [sql_of(matches[:20]), f"SELECT COUNT(*) FROM ({sql_of(matches.order_by().values('pk'))}) AS t"]
        )
    for case_id in rng.sample(fixture["cases"], min(20, len(fixture["cases"]))):
        case = Case.objects.get(public_id=case_id)
        scripts["detail"].append(
            [
                sql_of(
                    Case.objects.filter(public_id=case_id).select_related("item", "handling_organisation")
                ),
                sql_of(CaseEvent.objects.filter(case=case).order_by("sequence")),
            ]
        )
    # The HTML pages: the same rows the page needs, read as directly as SQL can.
    for login in fixture["staff_logins"]:
        for case_id in login["cases"][:5]:
            case = Case.objects.get(public_id=case_id)
            scripts["case_page"].append(
                [
                    sql_of(
                        Case.objects.filter(public_id=case_id).select_related("item", "handling_organisation")
                    ),
                    sql_of(CaseEvent.objects.filter(case=case).order_by("sequence")),
                ]
            )
    citizen = User.objects.get(username=fixture["citizen_login"]["username"])
    # 我的办件's own two statements: the page (both parts, each an index range) and the bounded total.
    order = ("-submitted_at", "-id")
    own, as_agent = (part.values(*MY_CASE_COLUMNS) for part in own_case_parts(citizen))
    page = own.order_by(*order)[:51].union(as_agent.order_by(*order)[:51], all=True).order_by(*order)[:51]
    own_ids, agent_ids = (part.order_by().values("id") for part in own_case_parts(citizen))
    ids = own_ids.union(agent_ids, all=True)
    scripts["my_cases"].append(
        [sql_of(page), f"SELECT COUNT(*) FROM ({sql_of(ids[: MY_CASES_COUNT_CAP + 1])}) AS t"]
    )
    for item_id in rng.sample(fixture["items"], min(20, len(fixture["items"]))):
        item = ServiceItem.objects.get(public_id=item_id)
        scripts["guide"].append(
            [sql_of(ServiceItem.objects.filter(public_id=item_id)), sql_of(item.materials.all())]
        )
    for identifier in fixture["licences"][:20]:
        scripts["licence"].append([sql_of(Licence.objects.filter(identifier=identifier))])
    # The submission's row work: the case row (copied from a real one), its first event, the item's
    # popularity counter.  The number is unique per transaction.
    fields = [f for f in Case._meta.concrete_fields if not f.primary_key]
    columns = [connection.ops.quote_name(str(f.column)) for f in fields]
    select = [
        {
            "number": f"'{RAW_PREFIX}' || md5(random()::text)",
            "public_id": "gen_random_uuid()",
            "idempotency_key": "''",
            "created_at": "now()",
            "updated_at": "now()",
            "submitted_at": "now()",
        }.get(str(f.column), connection.ops.quote_name(str(f.column)))
        for f in fields
    ]
    ev_fields = [f for f in CaseEvent._meta.concrete_fields if not f.primary_key]
    ev_cols = [connection.ops.quote_name(str(f.column)) for f in ev_fields]
    ev_select = [
        {"case_id": "currval(pg_get_serial_sequence('cases_case', 'id'))", "occurred_at": "now()"}.get(
            str(f.column), connection.ops.quote_name(str(f.column))
        )
        for f in ev_fields
    ]
    template = Case.objects.filter(status="submitted").order_by("-pk").values_list("pk", "item_id").first()
    assert template is not None
    case_pk, item_pk = template
    event_pk = CaseEvent.objects.filter(case_id=case_pk, sequence=1).values_list("pk", flat=True).first()
    scripts["insert"].append(
        [
            "BEGIN",
            f"INSERT INTO cases_case ({', '.join(columns)}) SELECT {', '.join(select)} "
            f"FROM cases_case WHERE id = {case_pk}",
            f"INSERT INTO cases_caseevent ({', '.join(ev_cols)}) SELECT {', '.join(ev_select)} "
            f"FROM cases_caseevent WHERE id = {event_pk}",
            f"UPDATE catalog_serviceitem SET application_count = application_count + 1 WHERE id = {item_pk}",
            "COMMIT",
        ]
    )
    files: dict[str, list[str]] = {}
    for name, bodies in scripts.items():
        files[name] = []
        for i, statements in enumerate(bodies):
            path = out / "pgbench" / f"{name}_{i:02d}.sql"
            path.parent.mkdir(parents=True, exist_ok=True)
            # pgbench wants one statement per line.
            path.write_text("".join(" ".join(stmt.split()) + ";\n" for stmt in statements))
            files[name].append(str(path))
    return files


def explain_plans(files: dict[str, list[str]]) -> dict[str, str]:
    from django.db import connection

    plans = {}
    with connection.cursor() as cursor:
        for name in ("todo", "status", "search", "detail"):
            first = Path(files[name][0]).read_text().splitlines()[0].rstrip(";")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {first}")
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
    return plans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--licences", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print("the benchmark needs PostgreSQL (DATABASE_URL=postgres://…)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    ensure_data(args.items, args.cases)

    from yiwang.accounts.models import User
    from yiwang.cases.models import Case
    from yiwang.cases.queries import staff_todo
    from yiwang.cases.services import staff_roles
    from yiwang.catalog.models import ItemStatus, ServiceItem
    from yiwang.core.demo_accounts import DEMO_ACCOUNTS

    citizen = User.objects.get(username="citizen")
    with_roles = [
        u
        for u in User.objects.filter(kind="staff", is_active=True).order_by("pk")
        if staff_roles(u) & TODO_ROLES
    ]
    # A clerk with nothing to do answers from an empty queue: he would flatter the to-do figures.
    clerks = [u for u in with_roles if staff_todo(u).exists()]
    empty = [u.username for u in with_roles if u not in clerks]
    if not clerks:
        raise SystemExit("no clerk has a case in his to-do queue")
    citizen_token = tokens([citizen], "bench")[0]
    clerk_tokens = tokens(clerks, "bench")
    log(
        f"tokens: citizen + {len(clerks)} staff with cases in their to-do list"
        + (f" (left out, empty queue: {', '.join(empty)})" if empty else "")
    )
    rng = random.Random(11)
    max_pk = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sample_pks = [rng.randrange(1, max_pk + 1) for _ in range(3000)]
    sample = list(Case.objects.filter(pk__in=sample_pks).values_list("number", "applicant_id_number"))
    own_cases = [
        str(p)
        for p in Case.objects.filter(applicant=citizen, pk__in=sample_pks).values_list(
            "public_id", flat=True
        )[:300]
    ]
    item_ids = [
        str(p)
        for p in ServiceItem.objects.filter(
            status=ItemStatus.PUBLISHED, pk__in=[rng.randrange(1, 110_000) for _ in range(3000)]
        ).values_list("public_id", flat=True)[:500]
    ]
    # Their guide documents (ADR 0014), as publishing them through the service would have stored
    # them: the bench seeds its items in bulk.  Current documents are skipped.
    ids_file = args.out / "guide_items.txt"
    ids_file.parent.mkdir(parents=True, exist_ok=True)
    ids_file.write_text("\n".join(item_ids))
    call_command("render_guides", "--ids", str(ids_file), stdout=sys.stderr)
    fixture: dict[str, Any] = {
        "citizen_token": citizen_token,
        "clerk_tokens": clerk_tokens,
        "clerks": [u.username for u in clerks],
        "excluded_empty_queues": empty,
        "citizen_login": {"username": citizen.username, "password": DEMO_ACCOUNTS[0].password},
        "status": [(number, id_number[-4:]) for number, id_number in sample[:1000]],
        "cases": own_cases,
        "items": item_ids,
        "queries": SEARCH_QUERIES,
        "licences": licence_identifiers(args.licences),
        "apply": apply_payload(citizen_token),
        "counts": {
            "items": ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count(),
            "cases": Case.objects.count(),
        },
        "database": connection.settings_dict["NAME"],
        "postgresql": connection.cursor().connection.info.server_version,
    }
    fixture["staff_logins"] = staff_logins(clerks)
    if not fixture["staff_logins"]:
        raise SystemExit(
            "no clerk with a to-do queue has the demo authenticator: the HTML scenarios cannot log in"
        )
    log(
        "HTML log-ins: "
        + ", ".join(f"{s['username']} ({s['queue']} in queue)" for s in fixture["staff_logins"])
    )
    files = pgbench_scripts(args.out, fixture, clerks)
    fixture["pgbench"] = files
    fixture["explain"] = explain_plans(files)
    (args.out / "fixture.json").write_text(json.dumps(fixture, ensure_ascii=False, indent=1))
    log(f"fixture written: {fixture['counts']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
