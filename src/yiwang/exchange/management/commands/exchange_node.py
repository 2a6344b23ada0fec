"""Register or update a peer exchange node."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.core.errors import DomainError
from yiwang.exchange.services import register_node


class Command(BaseCommand):
    help = "Register (or update) a peer exchange node: node id, name, base URL, role and public key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("node_id")
        parser.add_argument("base_url")
        parser.add_argument("--name", default="")
        parser.add_argument("--role", default="peer", choices=["parent", "child", "peer"])
        parser.add_argument("--sm2-public-key", default="")
        parser.add_argument("--ed25519-public-key", default="")
        parser.add_argument("--token", default="")
        parser.add_argument("--pull", action="store_true", help="pull its packages on every exchange_sync")
        parser.add_argument("--inactive", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            node = register_node(
                node_id=o["node_id"],
                name=o["name"],
                base_url=o["base_url"],
                role=o["role"],
                sm2_public_key=o["sm2_public_key"],
                ed25519_public_key=o["ed25519_public_key"],
                outbound_token=o["token"],
                pull_from=o["pull"],
                active=not o["inactive"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.message}: {exc.fields}") from exc
        self.stdout.write(f"node {node.node_id} ({node.public_id}) saved")
