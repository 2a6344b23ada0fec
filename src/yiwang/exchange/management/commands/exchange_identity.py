"""Show this node's exchange identity, or generate a key file (``--generate NODE_ID --key-file PATH``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.exchange.identity import configured_identity, generate_identity, write_key_file


class Command(BaseCommand):
    help = "Show the exchange node identity (node id, SM2 public key) or generate a key file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--generate", metavar="NODE_ID", default="")
        parser.add_argument("--key-file", default="")
        parser.add_argument("--force", action="store_true")

    def handle(self, *args: Any, generate: str, key_file: str, force: bool, **options: Any) -> None:
        if generate:
            if not key_file:
                raise CommandError("--generate needs --key-file")
            path = Path(key_file)
            if path.exists() and not force:
                raise CommandError(f"{path} exists (use --force to replace it)")
            identity = generate_identity(generate)
            write_key_file(path, identity)
            self.stdout.write(f"wrote {path}: set YIWANG_EXCHANGE_KEY_FILE={path}")
        else:
            found = configured_identity()
            if found is None:
                raise CommandError("no identity: set YIWANG_EXCHANGE_NODE_ID and YIWANG_EXCHANGE_KEY_FILE")
            identity = found
        self.stdout.write(f"node_id={identity.node_id}\nsm2_public_key={identity.sm2_public_key}")
