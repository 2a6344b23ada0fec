"""``manage.py federation_crossregion``: in the 省市协同 demo, the province lists its cities' items open
to filing elsewhere (跨域通办, docs/crossregion.md) as soon as they answer: it waits for every child
node's ``/healthz``, runs what the ``crossregion_refresh`` job runs (refresh every peer, settle pending
filings), then again every ``--every`` seconds.  ``--once`` returns after the first refresh."""

from __future__ import annotations

import time
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.crossregion.services import refresh_all, settle_pending
from yiwang.exchange.models import ExchangeNode, NodeRole


def _answers(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as answer:  # noqa: S310 - a paired node
            return int(answer.status) == 200
    except OSError:
        return False


class Command(BaseCommand):
    help = "省市协同演示：等下级平台启动后刷新其可跨域办理事项，并定期刷新"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=600.0, help="seconds between refreshes")
        parser.add_argument("--wait", type=float, default=300.0, help="seconds to wait for the cities")
        parser.add_argument("--once", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        children = list(ExchangeNode.objects.filter(role=NodeRole.CHILD, active=True).exclude(base_url=""))
        deadline = time.monotonic() + options["wait"]
        while not all(_answers(node.base_url) for node in children) and time.monotonic() < deadline:
            time.sleep(1)
        while True:
            for node_id, outcome in refresh_all().items():
                self.stdout.write(f"跨域通办 items of {node_id}: {outcome}")
            self.stdout.write(f"跨域通办 filings settled: {settle_pending()}")
            self.stdout.flush()
            if options["once"]:
                return
            time.sleep(options["every"])
