"""Trust between a city and the province's OIDC provider (docs/identity.md "Trusting the province").

At the city:      manage.py federation_trust_upstream --site-url https://city.example [--check]
    prints what the province must register (redirect URI, post-logout URI, scopes) and, with
    --check, fetches the province's discovery document.
At the province:  manage.py federation_trust_upstream --register-client city-340100 --site-url https://city.example
    registers (or updates) the city as a trusted client in mapping mode (pairwise subjects) and prints
    the client id and secret to configure at the city (YIWANG_UPSTREAM_OIDC_CLIENT_ID / _SECRET).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from yiwang.accounts import upstream
from yiwang.accounts.models import IntegrationMode
from yiwang.accounts.oidc import register_client
from yiwang.core.errors import DomainError


class Command(BaseCommand):
    help = "Print (city) or register (province) the OIDC trust between a city and the province."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--site-url", required=True, help="the city's public base URL")
        parser.add_argument("--register-client", metavar="CLIENT_ID", default="")
        parser.add_argument("--client-secret", default="", help="keep this secret instead of a new one")
        parser.add_argument("--name", default="", help="the city platform's name (at the province)")
        parser.add_argument(
            "--mode",
            choices=[IntegrationMode.MAPPING, IntegrationMode.UNIFIED],
            default=IntegrationMode.MAPPING,
        )
        parser.add_argument("--check", action="store_true", help="fetch the province's discovery document")

    def handle(self, *args: Any, **options: Any) -> None:
        site = options["site_url"].rstrip("/")
        if not site.startswith(("http://", "https://")):
            raise CommandError("--site-url must be an http(s) URL")
        callback = site + reverse("accounts_upstream:callback")
        post_logout = site + "/"
        if options["register_client"]:
            application, secret = register_client(
                name=options["name"] or f"市级平台 {site}",
                redirect_uris=[callback],
                post_logout_redirect_uris=[post_logout],
                mode=options["mode"],
                trusted=True,
                allowed_scopes=upstream.SCOPES,
                client_id=options["register_client"],
                client_secret=options["client_secret"] or None,
            )
            self.stdout.write(f"YIWANG_UPSTREAM_OIDC_CLIENT_ID={application.client_id}")
            self.stdout.write(f"YIWANG_UPSTREAM_OIDC_CLIENT_SECRET={secret}")
            return
        self.stdout.write(f"redirect_uri={callback}")
        self.stdout.write(f"post_logout_redirect_uri={post_logout}")
        self.stdout.write(f"scopes={upstream.SCOPES}")
        self.stdout.write(f"issuer={upstream.issuer() or '(YIWANG_UPSTREAM_OIDC_ISSUER not set)'}")
        if options["check"]:
            if not upstream.configured():
                raise CommandError("YIWANG_UPSTREAM_OIDC_ISSUER and _CLIENT_ID are not set")
            try:
                meta = upstream.metadata()
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"discovery ok: authorization_endpoint={meta.get('authorization_endpoint')}")
