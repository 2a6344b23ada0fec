"""``yiwang demo_consumer``: the demo department system calling the sharing gateway over real HTTP —
a client-credentials token from ``/o/token/``, then one query per demo subject, printed.
``--serve`` instead serves its own small page (``sharing.demo_consumer_page``) on ``PORT+2``: enter
an ID number or credit code, see what the gateway answers."""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yiwang.sharing.demo_consumer_page import GatewayClient, serve

# The demo consumer's fixed credentials (registered by yiwang.demo.sharing_consumer; demo only).
DEMO_CLIENT_ID = "demo-sharing-consumer"
DEMO_CLIENT_SECRET = "demo-sharing-consumer-secret-not-for-production"  # noqa: S105 - demo only


def _post(url: str, data: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


class Command(BaseCommand):
    help = "Call the sharing gateway as the demo consumer system (client credentials, real HTTP)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
        parser.add_argument("--resource", default="", help="resource code")
        parser.add_argument("--subject", default="", help="ID number / credit code / region code")
        parser.add_argument("--fields", default="", help="comma-separated field names")
        parser.add_argument("--purpose", default="演示：办件核验")
        parser.add_argument("--case-number", default="")
        parser.add_argument("--prefix", default="/api/v1/sharing")
        parser.add_argument("--serve", action="store_true", help="serve the demo system's page instead")
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")) + 2)

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["base_url"].rstrip("/")
        if options["serve"]:
            client = GatewayClient(base, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, prefix=options["prefix"])
            self.stdout.write(f"demo consumer page on http://{options['host']}:{options['port']}/ → {base}")
            serve(client, options["host"], options["port"], default_resource=options["resource"])
            return
        if not options["resource"] or not options["subject"]:
            self.stderr.write("--resource and --subject are required (or --serve)")
            return
        basic = base64.b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
        status, token = _post(
            f"{base}/o/token/",
            b"grant_type=client_credentials",
            {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 200:
            self.stderr.write(f"token refused: {status} {token}")
            return
        body = {
            "subject": options["subject"],
            "fields": [f for f in options["fields"].split(",") if f],
            "purpose": options["purpose"],
            "case_number": options["case_number"],
        }
        status, answer = _post(
            f"{base}{options['prefix']}/gateway/{options['resource']}/query",
            json.dumps(body).encode(),
            {"Authorization": f"Bearer {token['access_token']}", "Content-Type": "application/json"},
        )
        self.stdout.write(f"{status} {json.dumps(answer, ensure_ascii=False, indent=2)}")
