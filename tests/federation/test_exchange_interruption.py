"""Exchange between two real instances, interrupted (issue #26 "stopping either instance mid-exchange
loses nothing and duplicates nothing (test counts)").

The province sends the city a large 空间地理 feed (``bases.geography.feed``: detailed village
boundaries, some 1.3 MiB, pushed in chunks of 64 KiB); the city has authorised the province's node to feed its
geography base as 安徽省自然资源厅 (docs/bases.md).  Counted in the city's database: the rows of the
base, its change log (``BaseChange`` rows of the package's batch), the packages received.
"""

from __future__ import annotations

import os
import re
import signal
import threading
import time

import pytest

pytestmark = pytest.mark.federation

VILLAGES = 160  # records of each package
POINTS = 1_500  # boundary points of each village: ~1.3 MiB zipped (20+ chunks of 64 KiB)
KILL_AFTER = 512 * 1024  # kill once this much has arrived (and before the end)
SMALL_CHUNK = 64 * 1024
RESENT = 10  # records of package 2 sent again in a new package  # the interrupted pushes send small chunks: a wide window to kill in

AUTHORISE_PROVINCE = """
from yiwang.bases.services import authorise_feed
from yiwang.core.identifiers import make_credit_code
from yiwang.core.models import Organisation, Region, RegionLevel
from yiwang.exchange.models import ExchangeNode

anhui, _ = Region.objects.get_or_create(
    code="34", defaults={{"full_code": "340000000000", "name": "安徽省", "level": RegionLevel.PROVINCE}}
)
department, _ = Organisation.objects.get_or_create(
    credit_code=make_credit_code("1", "1", "340000", "00300501"),
    defaults={{"name": "安徽省自然资源厅", "short_name": "省自然资源厅", "region": anhui}},
)
authorise_feed(node=ExchangeNode.objects.get(node_id={province!r}), base="geography", organisation=department)
result = department.name
"""

BUILD = """
import random
from django.conf import settings
from yiwang.bases.services import send_feed
from yiwang.exchange.models import ExchangeNode

settings.YIWANG_EXCHANGE_PUSH_ON_COMMIT = False  # this test drives every push itself
rng = random.Random({version})
records = []
for i in range({villages}):
    lat, lng = 31.70 + (i % 40) * 0.01, 117.10 + (i // 40) * 0.01
    ring = [[round(lng + rng.uniform(0, 0.01), 6), round(lat + rng.uniform(0, 0.01), 6)] for _ in range({points})]
    records.append({{
        "code": f"3401049{{i:05d}}", "name": f"蜀山区测绘村{{i}}", "version": {version},
        "centroid": {{"lat": lat + 0.005, "lng": lng + 0.005}},
        "boundary": {{"type": "Polygon", "coordinates": [ring + ring[:1]]}},
    }})
package = send_feed("geography", records, ExchangeNode.objects.get(node_id={city!r}))
result = {{"id": str(package.public_id), "pk": package.pk, "size": package.size, "sequence": package.sequence}}
"""

PUSH_SMALL_CHUNKS = """
from yiwang.exchange.models import OutgoingPackage
from yiwang.exchange.services import push_package
push_package(OutgoingPackage.objects.get(pk={pk}), chunk_bytes={chunk})
"""

PUSH = """
from yiwang.exchange.models import OutgoingPackage
from yiwang.exchange.services import push_package
package = push_package(OutgoingPackage.objects.get(pk={pk}), chunk_bytes={chunk})
result = [package.state, package.receipt and package.receipt.get("result")]
"""


_T0 = [0.0]


def _t(what):
    print(f"  [{time.monotonic() - _T0[0]:5.1f} s] {what}")


def _received(city, package_id):
    row = city.query(
        "SELECT received_bytes, state FROM exchange_incomingpackage WHERE replace(CAST(public_id AS TEXT), '-', '') = ?",
        package_id.replace("-", ""),
    )
    return row[0] if row else (0, None)


def _counts(city, package_id):
    ident = package_id.replace("-", "")
    return {
        "geography rows": city.scalar("SELECT count(*) FROM bases_regiongeometry WHERE code LIKE '3401049%'"),
        "changes of the batch": city.scalar(
            "SELECT count(*) FROM bases_basechange WHERE replace(CAST(batch_id AS TEXT), '-', '') = ?", ident
        ),
        "packages received": city.scalar(
            "SELECT count(*) FROM exchange_incomingpackage WHERE replace(CAST(public_id AS TEXT), '-', '') = ?",
            ident,
        ),
        "batches applied": city.scalar(
            "SELECT count(*) FROM core_auditevent WHERE action = 'bases.batch_applied'"
        ),
    }


def _kill_when_bytes_arrived(city, package, deadline_s=60.0):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        received, state = _received(city, package["id"])
        if received >= KILL_AFTER and state == "receiving":
            city.kill()  # SIGKILL to the web server, the worker and the console
            return
        time.sleep(0.02)


def _start_push_and_wait_for_bytes(province, city, package, *, deadline_s=60.0):
    """A separate sender process pushes in small chunks; returns it once the city holds KILL_AFTER
    bytes or more of the package (and not yet all)."""
    sender = province.python_background(PUSH_SMALL_CHUNKS.format(pk=package["pk"], chunk=SMALL_CHUNK))
    deadline = time.monotonic() + deadline_s
    while True:
        received, state = _received(city, package["id"])
        if received >= KILL_AFTER:
            assert state == "receiving" and received < package["size"], (received, state)
            return sender, received
        assert sender.poll() is None, (
            "the sender finished or died early:\n" + province.log("background")[-3000:]
        )
        assert time.monotonic() < deadline, (received, state)
        time.sleep(0.02)


def _first_chunk_offset_after(city, mark, package_id):
    """The offset of the first chunk the city's web server logged after ``mark`` (the log's length then)."""
    log = city.log("web")[mark:]
    offsets = re.findall(rf"PUT /api/v1/exchange/packages/{package_id}/chunks\?offset=(\d+)", log)
    assert offsets, log[-2000:]
    return int(offsets[0]), len(offsets)


def test_killed_receiver_and_killed_sender_resume_apply_once_and_replays_apply_nothing(fed):
    _T0[0] = time.monotonic()
    province, city = fed.province, fed.city
    assert city.python(AUTHORISE_PROVINCE.format(province=province.node_id)) == "安徽省自然资源厅"
    first = province.python(BUILD.format(version=1, villages=VILLAGES, points=POINTS, city=city.node_id))
    assert first["size"] > 2 * KILL_AFTER, first  # many small chunks; resumed in 1 MiB chunks
    print(f"\npackage 1: {first['size']:,} bytes, {VILLAGES} villages")

    _t("# --- 1.")
    # --- 1. kill -9 the receiver (every process of the city) mid-transfer --------------------------------
    _t("push 1 (the province's console sends), the city killed mid-way")
    killer = threading.Thread(target=_kill_when_bytes_arrived, args=(city, first), daemon=True)
    killer.start()
    state, _result = province.python(PUSH.format(pk=first["pk"], chunk=SMALL_CHUNK))
    killer.join(timeout=60)
    assert state == "ready"  # the network failed: a retry is scheduled
    killed_at, state = _received(city, first["id"])
    assert state == "receiving" and KILL_AFTER <= killed_at < first["size"]
    assert _counts(city, first["id"])["geography rows"] == 0
    mark = len(city.log("web"))
    _t("city killed; its web server starts again")
    city.start(worker=False, console=False)  # receiving needs the web server only
    _t("push 1 again")
    state, result = province.python(PUSH.format(pk=first["pk"], chunk=1024 * 1024))
    assert state == "applied", (state, result)
    offset, chunks = _first_chunk_offset_after(city, mark, first["id"])
    assert offset == killed_at  # resumed from received_bytes, not from 0
    counts = _counts(city, first["id"])
    print(f"receiver killed at {killed_at:,} bytes; resumed at offset {offset:,} ({chunks} chunks); {counts}")
    assert counts == {
        "geography rows": VILLAGES,
        "changes of the batch": VILLAGES,
        "packages received": 1,
        "batches applied": 1,
    }
    assert result["created"] == VILLAGES

    _t("# --- 2.")
    # --- 2. kill -9 the sender mid-push, start sending again ------------------------------------------
    second = province.python(BUILD.format(version=2, villages=VILLAGES, points=POINTS, city=city.node_id))
    _t("sender, received = _start_push_and_wait_")
    sender, _received_then = _start_push_and_wait_for_bytes(province, city, second)
    _t("os.killpg")
    os.killpg(sender.pid, signal.SIGKILL)
    sender.wait(timeout=20)
    killed_at, state = _received(city, second["id"])
    assert state == "receiving" and killed_at < second["size"]
    # The killed sender left its package "sending" under a lease; once the lease has run out the
    # exchange job (every minute) pushes it again: here the lease is let run out at once.
    mark = len(city.log("web"))
    synced = province.python(
        "import io\nfrom django.core.management import call_command\nfrom django.utils import timezone\n"
        "from yiwang.exchange.models import OutgoingPackage\n"
        f"OutgoingPackage.objects.filter(pk={second['pk']}, state='sending').update(next_attempt_at=timezone.now())\n"
        "out = io.StringIO()\ncall_command('exchange_sync', stdout=out)\n"
        f"result = [out.getvalue(), OutgoingPackage.objects.get(pk={second['pk']}).state]"
    )
    assert synced[1] == "applied", synced
    _t("offset, chunks = _first_chunk_offset_aft")
    offset, chunks = _first_chunk_offset_after(city, mark, second["id"])
    assert offset == killed_at
    counts = _counts(city, second["id"])
    print(f"sender killed at {killed_at:,} bytes; resumed at offset {offset:,} ({chunks} chunks); {counts}")
    assert counts == {
        "geography rows": VILLAGES,
        "changes of the batch": VILLAGES,  # every village updated to version 2, once
        "packages received": 1,
        "batches applied": 2,
    }
    assert city.scalar(
        "SELECT count(*) FROM bases_regiongeometry WHERE code LIKE '3401049%' AND version = 2"
    ) == (VILLAGES)

    _t("# --- 3.")
    # --- 3. replays apply nothing ---------------------------------------------------------------------
    before = {
        "changes": city.scalar("SELECT count(*) FROM bases_basechange"),
        "packages": city.scalar("SELECT count(*) FROM exchange_incomingpackage"),
        "batches": city.scalar("SELECT count(*) FROM core_auditevent WHERE action = 'bases.batch_applied'"),
    }
    replay = province.python(
        "import json\nfrom yiwang.exchange.client import signed_request\n"
        "from yiwang.exchange.identity import local_identity\n"
        "from yiwang.exchange.models import OutgoingPackage\n"
        "from yiwang.exchange.storage import read_archive_range\n"
        f"p = OutgoingPackage.objects.select_related('receiver').get(pk={first['pk']})\n"
        "me = local_identity()\n"
        "body = json.dumps({'package_id': str(p.public_id), 'kind': p.kind, 'sequence': p.sequence,"
        " 'size': p.size, 'sha256': p.sha256}).encode()\n"
        "announce = signed_request(me, p.receiver, 'POST', '/packages', body,"
        " headers={'Content-Type': 'application/json'})\n"
        "chunk = read_archive_range(p.archive, str(p.public_id), p.size, 0, 1024 * 1024)\n"
        "put = signed_request(me, p.receiver, 'PUT', f'/packages/{p.public_id}/chunks?offset=0', chunk)\n"
        "result = [announce.status, announce.json()['state'], put.status, put.json()['state']]"
    )
    assert replay == [200, "applied", 200, "applied"], replay
    _t("# The same records again")
    # The same records again in a new package: applied as a package, but every record is stale.
    third = province.python(BUILD.format(version=2, villages=RESENT, points=POINTS, city=city.node_id))
    state, result = province.python(PUSH.format(pk=third["pk"], chunk=1024 * 1024))
    assert state == "applied"
    assert (result["stale"], result["created"], result["updated"], result["changes"]) == (RESENT, 0, 0, 0)
    _t("after = {")
    after = {
        "changes": city.scalar("SELECT count(*) FROM bases_basechange"),
        "packages": city.scalar("SELECT count(*) FROM exchange_incomingpackage"),
        "batches": city.scalar("SELECT count(*) FROM core_auditevent WHERE action = 'bases.batch_applied'"),
    }
    # The city stays down: this test runs last in the folder (tests/federation/conftest.py).
    print(f"replayed package 1 and re-sent version 2: before {before}, after {after}")
    assert after == {**before, "packages": before["packages"] + 1, "batches": before["batches"] + 1}
