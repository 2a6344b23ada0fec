"""Send a base feed (部门供数) to a node: ``bases_feed --base population --file rows.json --to <node>``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.bases.models import BaseKind
from yiwang.bases.services import send_feed
from yiwang.core.errors import DomainError
from yiwang.exchange.models import DeliveryMode, ExchangeNode, OutgoingState
from yiwang.exchange.services import push_package

MAX_FILE_BYTES = 64 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Build, sign and send a bases.<base>.feed exchange package of the records in a JSON file "
        "(an array of records with version) to a registered node; pushes at once and prints the receipt."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--base", required=True, choices=BaseKind.values)
        parser.add_argument("--file", required=True, help="JSON array of records (docs/bases.md)")
        parser.add_argument("--to", required=True, dest="to", help="receiver node id")
        parser.add_argument("--pull", action="store_true", help="leave it for the receiver to pull")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{path}: no such file, or larger than {MAX_FILE_BYTES} bytes")
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: not JSON ({exc})") from exc
        node = ExchangeNode.objects.filter(node_id=options["to"], active=True).first()
        if node is None:
            raise CommandError(f"no active exchange node {options['to']!r} (manage.py exchange_node)")
        mode = DeliveryMode.PULL if options["pull"] else DeliveryMode.PUSH
        try:
            package = send_feed(options["base"], records, node, mode=mode)
            if mode == DeliveryMode.PUSH:
                package = push_package(package)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message} {exc.fields or ''}") from exc
        self.stdout.write(
            f"package {package.public_id} ({package.kind} #{package.sequence}) to {node.node_id}: {package.state}"
        )
        if package.receipt:
            self.stdout.write(json.dumps(package.receipt, ensure_ascii=False, sort_keys=True))
        if package.state in (OutgoingState.REFUSED, OutgoingState.FAILED):
            raise CommandError(package.last_error or str(package.state))
