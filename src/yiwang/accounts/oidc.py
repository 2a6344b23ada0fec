"""Single sign-on (统一身份认证): the platform as an OpenID Connect provider (django-oauth-toolkit).

* Clients (接入系统) are DOT ``Application`` rows registered by administrators, each with an
  :class:`~yiwang.accounts.models.SsoClientProfile`: the integration mode and the scopes it may ask for.
  ``skip_authorization`` marks a trusted "unified" client (no consent screen).
* Unified mode: ``sub`` is the account's public id.  Mapping mode: ``sub`` is a pairwise id per
  client (:func:`pairwise_sub`); the department system maps it once to its own user through the
  mapping API and then also receives ``local_user_id``.
* A natural person who may act for a company (legal representative or authorised agent) chooses
  the principal at login; the choice is kept per user and client (:class:`SsoActingContext`) and
  the tokens then describe the company (``credit_code``, ``company_name``) and the ``acting_agent``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from contextvars import ContextVar
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.hashers import check_password
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from jwcrypto import jwt as jwcrypto_jwt
from jwcrypto.common import JWException
from oauth2_provider.exceptions import (
    InvalidOIDCClientError,
    InvalidOIDCRedirectURIError,
    OAuthToolkitError,
)
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_access_token_model, get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator, is_valid_resource_uri
from oauth2_provider.scopes import SettingsScopes
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import AuthorizationView, RPInitiatedLogoutView, TokenView
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError
from oauthlib.openid.connect.core.exceptions import AccountSelectionRequired

from yiwang.accounts.errors import AccountErrorCode
from yiwang.accounts.models import (
    AccountKind,
    ClientUserMapping,
    IntegrationMode,
    LegalPerson,
    LoginChannel,
    SsoActingContext,
    SsoClientProfile,
    User,
)
from yiwang.accounts.reads import companies_for_agent
from yiwang.accounts.refusals import record_refusal
from yiwang.accounts.services.agents import check_agent_may_act
from yiwang.accounts.services.assurance import effective_assurance_level
from yiwang.accounts.services.login import register_login_success
from yiwang.core import audit
from yiwang.core.errors import CoreErrorCode, DomainError

Application = get_application_model()
AccessToken = get_access_token_model()
SSO_CHOICE_SESSION_KEY = "yiwang_sso_acting_choice"
# Errors of a silent (prompt=none) request: routine answers to the client, not refusals to audit.
SILENT_ERRORS = frozenset(
    {"login_required", "consent_required", "interaction_required", "account_selection_required"}
)
# The browser request being authorised: oauthlib validates the authorization request before the
# session user is handed to it, and the silent-login checks need that user (OIDC Core 3.1.2.6).
_authorization_request: ContextVar[HttpRequest | None] = ContextVar(
    "yiwang_oidc_authorization_request", default=None
)


def demo_mode() -> bool:
    return bool(settings.YIWANG_DEMO and not settings.IS_PRODUCTION)


def issuer(request: Any) -> str:
    """The issuer identifier, ``<site>/o`` (or ``OIDC_ISS_ENDPOINT``), from a Django or oauthlib request.

    The one computation behind the discovery ``issuer`` (DOT's ``oidc_issuer``), the ID token's
    ``iss`` (:meth:`YiwangOAuth2Validator.get_oidc_issuer_endpoint`) and the RFC 9207 ``iss`` of every
    authorization response (:meth:`YiwangAuthorizationView.redirect`).
    """
    return str(oauth2_settings.oidc_issuer(request))


def with_issuer(uri: str, issuer_id: str) -> str:
    """``uri`` with exactly one ``iss`` parameter (RFC 9207): in the fragment if it carries the response."""
    parts = urlsplit(uri)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "iss"]
    fragment = [(k, v) for k, v in parse_qsl(parts.fragment, keep_blank_values=True) if k != "iss"]
    (fragment if parts.fragment else query).append(("iss", issuer_id))
    return urlunsplit(parts._replace(query=urlencode(query), fragment=urlencode(fragment)))


def requested_prompt(request: HttpRequest) -> set[str]:
    return set(request.GET.get("prompt", "").split())


def parse_max_age(value: Any) -> int | None:
    """``max_age`` in seconds, or ``None`` when absent or not a non-negative integer."""
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


def authenticated_within(user: Any, max_age: int) -> bool:
    """Did ``user`` log in at most ``max_age`` seconds ago? (``auth_time`` is ``last_login``, as in DOT.)"""
    last_login = getattr(user, "last_login", None)
    return last_login is not None and (timezone.now() - last_login).total_seconds() <= max_age


def session_signed_in(user: Any) -> bool:
    """An active session user; staff only once they passed the second factor (MFA)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.kind != AccountKind.STAFF or bool(getattr(user, "is_verified", lambda: False)())


CLAIM_SCOPES = {
    "sub": "openid",
    "name": "profile",
    "preferred_username": "profile",
    "account_kind": "profile",
    "phone_number": "phone",
    "phone_number_verified": "phone",
    "assurance_level": "assurance",
    "acr": "assurance",
    "id_number": "identity",
    "company_name": "company",
    "credit_code": "company",
    "acting_agent": "company",
    "local_user_id": "openid",
}


def profile_of(application: Any) -> SsoClientProfile | None:
    if application is None:
        return None
    try:
        return application.yiwang_profile  # type: ignore[no-any-return]
    except SsoClientProfile.DoesNotExist:
        return None


def pairwise_sub(application: Any, user: User) -> str:
    """A stable id of ``user`` for this client only (mapping mode): systems cannot correlate users."""
    message = f"{application.client_id}:{user.public_id}".encode()
    return hmac.new(settings.YIWANG_SSO_PAIRWISE_SALT.encode(), message, hashlib.sha256).hexdigest()[:40]


def subject_for(application: Any, user: User) -> str:
    profile = profile_of(application)
    if profile is not None and profile.mode == IntegrationMode.MAPPING:
        mapping, _ = ClientUserMapping.objects.get_or_create(
            application=application, user=user, defaults={"pairwise_sub": pairwise_sub(application, user)}
        )
        return mapping.pairwise_sub
    return str(user.public_id)


def subjects_of(user: User, application: Any) -> set[str]:
    """The subjects ``user`` appears as to ``application``: its own, or the company's it acts for."""
    subjects = {subject_for(application, user)}
    company = _acting_company(user, application)
    if company is not None:
        subjects.add(subject_for(application, company.user))
    return subjects


class ClientScopes(SettingsScopes):
    """Per-client scopes: a client may only ask for the scopes its profile allows."""

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        all_scopes = list(super().get_available_scopes(application, request, *args, **kwargs))
        profile = profile_of(application)
        if profile is None:
            return ["openid"] if "openid" in all_scopes else []
        return [scope for scope in all_scopes if scope in profile.scope_set]

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return ["openid"]


def _acting_company(user: User, application: Any) -> LegalPerson | None:
    if user.kind == AccountKind.LEGAL:
        return getattr(user, "legal_person", None)
    context = (
        SsoActingContext.objects.filter(user=user, application=application).select_related("company").first()
    )
    return context.company if context is not None else None


def claims_for(user: User, application: Any) -> dict[str, Any]:
    """Every claim the platform can state about ``user`` for ``application`` (filtered by scope later)."""
    company = _acting_company(user, application)
    level = effective_assurance_level(user)
    claims: dict[str, Any] = {
        "sub": subject_for(application, user),
        "name": str(user),
        "preferred_username": user.username,
        "account_kind": user.kind,
        "phone_number": user.phone,
        "phone_number_verified": bool(user.phone_verified_at),
        "assurance_level": level,
        "acr": f"urn:yiwang:loa:{level}",
    }
    person = getattr(user, "natural_person", None)
    if person is not None:
        claims["id_number"] = person.id_number
    if company is not None:
        claims["company_name"] = company.name
        claims["credit_code"] = company.credit_code
        if user.kind != AccountKind.LEGAL:
            # An agent or the legal representative logs in for the company: the company is the
            # principal (its account's subject and level), the person is the acting agent.
            company_user = company.user
            claims["acting_agent"] = {
                "sub": claims["sub"],
                "name": str(user),
                "role": "legal_representative"
                if person is not None and company.legal_representative_id == person.pk
                else "agent",
            }
            claims["sub"] = subject_for(application, company_user)
            claims["account_kind"] = AccountKind.LEGAL
            claims["assurance_level"] = min(level, effective_assurance_level(company_user))
            claims["acr"] = f"urn:yiwang:loa:{claims['assurance_level']}"
            claims["name"] = company.name
            user = company_user
    mapping = (
        ClientUserMapping.objects.filter(application=application, user=user).exclude(local_user_id="").first()
    )
    if mapping is not None:
        claims["local_user_id"] = mapping.local_user_id
    return claims


class YiwangOAuth2Validator(OAuth2Validator):
    """Claims by scope, per-client subjects, and audit records for issued tokens."""

    oidc_claim_scope = CLAIM_SCOPES

    def get_claim_dict(self, request: Any) -> dict[str, Any]:
        return claims_for(request.user, request.client)

    def get_discovery_claims(self, request: Any) -> list[str]:
        return list(CLAIM_SCOPES)

    def get_additional_claims(self, request: Any) -> dict[str, Any]:  # pragma: no cover - see get_claim_dict
        return {}

    def get_oidc_issuer_endpoint(self, request: Any) -> str:
        return issuer(request)

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        """Exact string match with a registered URI; only the demo keeps RFC 8252's loopback ports."""
        if not super().validate_redirect_uri(client_id, redirect_uri, request, *args, **kwargs):
            return False
        return demo_mode() or redirect_uri in request.client.redirect_uris.split()

    # --- prompt=none, max_age and id_token_hint (OIDC Core 3.1.2.1, 3.1.2.6) ----------------------
    @staticmethod
    def _session_user(request: Any) -> Any:
        """The logged-in user: oauthlib has it when issuing the code, the browser request before."""
        user = getattr(request, "user", None)
        if user is None:
            user = getattr(_authorization_request.get(), "user", None)
        return user

    def validate_silent_login(self, request: Any) -> bool:
        user = self._session_user(request)
        if not session_signed_in(user):
            return False
        max_age = parse_max_age(request.max_age)
        return max_age is None or authenticated_within(user, max_age)

    def validate_silent_authorization(self, request: Any) -> bool:
        """Consent given before (or a trusted client), and the principal already chosen for this client."""
        user = self._session_user(request)
        scopes = list(request.scopes or [])
        if "company" in scopes and companies_for_agent(user):
            context = (
                SsoActingContext.objects.filter(user=user, application=request.client)
                .select_related("company")
                .first()
            )
            if context is None:
                raise AccountSelectionRequired(request=request)
            if context.company is not None:
                try:
                    check_agent_may_act(user, context.company)
                except DomainError as exc:
                    raise AccountSelectionRequired(request=request) from exc
        if request.client.skip_authorization:
            return True
        tokens = AccessToken.objects.filter(user=user, application=request.client, expires__gt=timezone.now())
        return any(token.allow_scopes(scopes) for token in tokens)

    def _hinted_token(self, id_token_hint: str, request: Any) -> tuple[Any, dict[str, Any]]:
        """The client and claims of an ID token this provider signed (expired ones are fine as hints)."""
        try:
            key = self._get_key_for_token(id_token_hint)
            if key is None:
                raise ValueError("no audience")
            claims = json.loads(jwcrypto_jwt.JWT(key=key, jwt=id_token_hint, check_claims={}).claims)
            audience = self._get_client_by_audience(claims["aud"])
        except (JWException, ValueError, KeyError, TypeError) as exc:
            raise InvalidRequestError(
                description="id_token_hint is not an ID token of this provider", request=request
            ) from exc
        if claims.get("iss") != issuer(request) or audience is None:
            raise InvalidRequestError(
                description="id_token_hint is not an ID token of this provider", request=request
            )
        return audience, claims

    def validate_user_match(self, id_token_hint: Any, scopes: Any, claims: Any, request: Any) -> bool:
        """The session user must be the one named by ``id_token_hint`` (and a requested ``sub``)."""
        user = self._session_user(request)
        if not getattr(user, "is_authenticated", False):
            return not id_token_hint
        if id_token_hint:
            audience, hint = self._hinted_token(id_token_hint, request)
            if hint.get("sub") not in subjects_of(user, audience):
                return False
        requested = ((claims or {}).get("id_token") or {}).get("sub")
        if isinstance(requested, dict) and requested.get("value"):
            return requested["value"] in subjects_of(user, request.client)
        return True

    def save_bearer_token(self, token: Any, request: Any, *args: Any, **kwargs: Any) -> None:
        super().save_bearer_token(token, request, *args, **kwargs)
        audit.record(
            "sso.token_issued",
            actor=request.user,
            object_type="oauth2_provider.Application",
            object_id=str(request.client.client_id),
            detail={"grant_type": request.grant_type, "scope": token.get("scope", "")},
        )
        if request.grant_type == "authorization_code":
            register_login_success(request.user, channel=LoginChannel.SSO)


# --- views -----------------------------------------------------------------------------------------
class YiwangAuthorizationView(AuthorizationView):
    """授权页: login (portal), choice of principal (self or a company), consent for third parties.

    Trusted "unified" clients (``skip_authorization``) skip the consent, but a person who may act for
    a company still chooses in whose name to log in when the client asks for the ``company`` scope.
    """

    template_name = "oauth2_provider/authorize.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.kind == AccountKind.STAFF  # type: ignore[union-attr]
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and "none" not in requested_prompt(request)  # silent: login_required (see the validator)
        ):
            return redirect_to_login(request.get_full_path(), reverse("workbench:login"))
        token = _authorization_request.set(request)
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]
        finally:
            _authorization_request.reset(token)

    def _login_again(self, login_url: str | None = None) -> HttpResponse:
        """To the login page and back here, without what the new login satisfies (prompt=login, max_age)."""
        parts = urlsplit(self.request.get_full_path())
        query = []
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key == "max_age":
                continue
            if key == "prompt":
                value = " ".join(p for p in value.split() if p != "login")
                if not value:
                    continue
            query.append((key, value))
        return redirect_to_login(
            urlunsplit(parts._replace(query=urlencode(query))), login_url or self.get_login_url()
        )

    def handle_no_permission(self) -> HttpResponse:
        if requested_prompt(self.request) & {"none", "create"}:
            return super().handle_no_permission()  # type: ignore[no-any-return]
        return self._login_again()

    def redirect(self, redirect_to: str, application: Any) -> HttpResponse:
        """Every response to the client carries the issuer (RFC 9207), errors included."""
        return super().redirect(with_issuer(redirect_to, issuer(self.request)), application)  # type: ignore[no-any-return]

    def _silent(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """prompt=none: the code at once, or an error to the client; never a page (OIDC Core 3.1.2.6).

        The validator refuses with login_required (no session, too old for max_age, another user
        than id_token_hint), consent_required or account_selection_required.
        """
        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        if "openid" not in scopes:  # plain OAuth 2.0 knows no prompt: the ordinary flow
            return super().get(request, *args, **kwargs)  # type: ignore[no-any-return]
        application = Application.objects.get(client_id=credentials["client_id"])
        if isinstance(credentials.get("ui_locales"), list):
            credentials["ui_locales"] = " ".join(credentials["ui_locales"])
        resources = request.GET.getlist("resource")
        if resources:
            if not all(is_valid_resource_uri(uri) for uri in resources):
                return super().get(request, *args, **kwargs)  # type: ignore[no-any-return]  # invalid_target
            credentials["resource"] = resources
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self.error_response(error, application)
        return self.redirect(uri, application)

    def _companies(self) -> list[LegalPerson]:
        return companies_for_agent(self.request.user)  # type: ignore[arg-type]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scopes = request.GET.get("scope", "").split()
        application = Application.objects.filter(client_id=request.GET.get("client_id", "")).first()
        prompt = requested_prompt(request)
        if "none" in prompt:
            if application is not None and not ("company" in scopes and self._companies()):
                _set_acting(request.user, application, None)  # type: ignore[arg-type]
            return self._silent(request, *args, **kwargs)  # a principal chosen before stands
        max_age = parse_max_age(request.GET.get("max_age"))
        if request.user.is_authenticated and (
            "login" in prompt or (max_age is not None and not authenticated_within(request.user, max_age))
        ):
            try:  # only for a valid request of a registered client: no logout by any crafted link
                self.validate_authorization_request(request)
            except OAuthToolkitError as error:
                return self.error_response(error, application=None)
            staff = request.user.kind == AccountKind.STAFF  # type: ignore[union-attr]
            logout(request)  # 重新认证 the login pages only serve signed-out users
            return self._login_again(reverse("workbench:login") if staff else None)
        if application is not None and request.user.is_authenticated:
            company: LegalPerson | None = None
            if "company" in scopes and self._companies():
                choices = request.session.get(SSO_CHOICE_SESSION_KEY, {})
                choice = choices.pop(application.client_id, None)
                if choice is None:
                    return redirect(
                        reverse("portal:sso_choose") + "?" + urlencode({"next": request.get_full_path()})
                    )
                request.session[SSO_CHOICE_SESSION_KEY] = choices
                if choice != "self":
                    company = LegalPerson.objects.filter(credit_code=choice).first()
                    try:
                        if company is None:
                            raise DomainError(
                                AccountErrorCode.AGENT_NOT_AUTHORISED, "所选企业不存在", status=403
                            )
                        check_agent_may_act(request.user, company)  # type: ignore[arg-type]
                    except DomainError as exc:
                        return render(
                            request,
                            "error.html",
                            {
                                "error_title": "无法以该企业身份登录",
                                "error_message": exc.message,
                                "status": 403,
                            },
                            status=403,
                        )
            _set_acting(request.user, application, company)  # type: ignore[arg-type]
        return super().get(request, *args, **kwargs)  # type: ignore[no-any-return]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        profile = profile_of(application)
        context["client_organisation"] = profile.organisation if profile else None
        if application is not None and self.request.user.is_authenticated:
            context["acting_company"] = _acting_company(self.request.user, application)  # type: ignore[arg-type]
        all_scopes: dict[str, str] = dict(settings.OAUTH2_PROVIDER["SCOPES"])  # type: ignore[call-overload]
        context["scope_labels"] = [all_scopes.get(scope, scope) for scope in context.get("scopes") or []]
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        if not form.cleaned_data.get("allow"):
            audit.record(
                "sso.consent_denied",
                actor=self.request.user,
                object_type="oauth2_provider.Application",
                object_id=str(form.cleaned_data.get("client_id", ""))[:100],
            )
        return super().form_valid(form)  # type: ignore[no-any-return]

    def error_response(self, error: Any, application: Any, **kwargs: Any) -> HttpResponse:
        oauth_error = getattr(error, "oauthlib_error", None)
        if getattr(oauth_error, "error", "") in SILENT_ERRORS:
            return super().error_response(error, application, **kwargs)  # type: ignore[no-any-return]
        record_refusal(
            "sso.authorize_refused",
            actor=self.request.user if self.request.user.is_authenticated else None,
            object_type="oauth2_provider.Application",
            object_id=self.request.GET.get("client_id", self.request.POST.get("client_id", ""))[:100],
            detail={
                "error": getattr(oauth_error, "error", "") or str(error)[:100],
                "redirect_uri": self.request.GET.get("redirect_uri", "")[:200],
            },
        )
        return super().error_response(error, application, **kwargs)  # type: ignore[no-any-return]


def _set_acting(user: User, application: Any, company: LegalPerson | None) -> None:
    if not getattr(user, "is_authenticated", False):
        return
    SsoActingContext.objects.update_or_create(
        user=user, application=application, defaults={"company": company}
    )


class YiwangLogoutView(RPInitiatedLogoutView):
    """RP-initiated logout: outside the demo the ``post_logout_redirect_uri`` matches exactly, too;
    an unknown ``client_id`` is a 400 ``invalid_request`` like any other bad request, not a 500."""

    def get_request_application(self, id_token: Any, client_id: Any) -> Any:
        try:
            return super().get_request_application(id_token, client_id)
        except ObjectDoesNotExist as exc:
            raise InvalidOIDCClientError() from exc

    def validate_post_logout_redirect_uri(self, application: Any, post_logout_redirect_uri: Any) -> None:
        super().validate_post_logout_redirect_uri(application, post_logout_redirect_uri)
        if (
            post_logout_redirect_uri
            and not demo_mode()
            and post_logout_redirect_uri not in application.post_logout_redirect_uris.split()
        ):
            raise InvalidOIDCRedirectURIError("This client does not have this redirect uri registered.")


class YiwangTokenView(TokenView):
    """令牌端点: refused requests (forged or replayed codes, wrong secrets, bad PKCE) are audited."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().post(request, *args, **kwargs)
        if response.status_code >= 400:
            try:
                error = json.loads(response.content).get("error", "")
            except ValueError:
                error = ""
            client_id = request.POST.get("client_id", "")
            if not client_id and request.META.get("HTTP_AUTHORIZATION", "").startswith("Basic "):
                try:
                    raw = base64.b64decode(request.META["HTTP_AUTHORIZATION"][6:]).decode()
                    client_id = unquote(raw.split(":", 1)[0])
                except (ValueError, UnicodeDecodeError):
                    client_id = "?"
            audit.record(
                "sso.token_refused",
                object_type="oauth2_provider.Application",
                object_id=client_id[:100],
                detail={"error": error, "grant_type": request.POST.get("grant_type", "")[:40]},
            )
        return response


# --- client management and the mapping API --------------------------------------------------------
def authenticate_client(client_id: str, client_secret: str) -> Any:
    """A confidential client by its id and secret (for the mapping API)."""
    application = Application.objects.filter(client_id=client_id).first()
    if (
        application is None
        or not client_secret
        or not check_password(client_secret, application.client_secret)
    ):
        record_refusal(
            "sso.client_auth_failed", object_type="oauth2_provider.Application", object_id=client_id[:100]
        )
        raise DomainError(AccountErrorCode.SSO_CLIENT_INVALID, "接入系统身份验证失败", status=401)
    return application


def map_user(application: Any, *, sub: str, local_user_id: str) -> ClientUserMapping:
    """用户映射 The department system tells once which of its users a pairwise ``sub`` is."""
    profile = profile_of(application)
    if profile is None or profile.mode != IntegrationMode.MAPPING:
        raise DomainError(AccountErrorCode.SSO_CLIENT_INVALID, "该接入系统不是用户映射模式", status=409)
    local_user_id = local_user_id.strip()
    if not local_user_id:
        raise DomainError(
            CoreErrorCode.VALIDATION_ERROR, "请提供部门系统用户编号", {"local_user_id": ["必填"]}
        )
    with transaction.atomic():
        mapping = (
            ClientUserMapping.objects.select_for_update()
            .filter(application=application, pairwise_sub=sub)
            .first()
        )
        if mapping is None:
            raise DomainError(CoreErrorCode.NOT_FOUND, "未找到该用户（请先通过单点登录获得 sub）", status=404)
        if mapping.local_user_id and mapping.local_user_id != local_user_id:
            raise DomainError(
                AccountErrorCode.SSO_MAPPING_CONFLICT,
                "该用户已映射到另一个部门系统用户，映射只能建立一次",
                status=409,
            )
        if (
            ClientUserMapping.objects.filter(application=application, local_user_id=local_user_id)
            .exclude(pk=mapping.pk)
            .exists()
        ):
            raise DomainError(
                AccountErrorCode.SSO_MAPPING_CONFLICT, "该部门系统用户已映射到其他平台用户", status=409
            )
        if not mapping.local_user_id:
            mapping.local_user_id = local_user_id
            mapping.mapped_at = timezone.now()
            mapping.save(update_fields=["local_user_id", "mapped_at", "updated_at"])
            audit.record(
                "sso.user_mapped",
                object_type="oauth2_provider.Application",
                object_id=application.client_id,
                detail={"sub": sub, "local_user_id": local_user_id},
            )
    return mapping


def register_client(
    *,
    name: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str] | None = None,
    mode: str = IntegrationMode.UNIFIED,
    trusted: bool = False,
    allowed_scopes: str = "openid profile assurance",
    client_id: str | None = None,
    client_secret: str | None = None,
    organisation: Any = None,
    actor: User | None = None,
) -> tuple[Any, str]:
    """登记接入系统 Register (or update) a confidential OIDC client; returns it and its secret."""
    secret = client_secret or generate_client_secret()
    with transaction.atomic():
        application = Application.objects.filter(client_id=client_id).first() if client_id else None
        if application is None:
            application = Application(client_id=client_id) if client_id else Application()
        application.name = name
        application.client_type = Application.CLIENT_CONFIDENTIAL
        application.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        application.redirect_uris = " ".join(redirect_uris)
        application.post_logout_redirect_uris = " ".join(post_logout_redirect_uris or [])
        application.skip_authorization = trusted
        application.algorithm = Application.RS256_ALGORITHM
        application.client_secret = secret
        application.save()
        SsoClientProfile.objects.update_or_create(
            application=application,
            defaults={"mode": mode, "allowed_scopes": allowed_scopes, "organisation": organisation},
        )
        audit.record(
            "sso.client_registered",
            actor=actor,
            object_type="oauth2_provider.Application",
            object_id=application.client_id,
            detail={"name": name, "mode": mode, "trusted": trusted, "scopes": allowed_scopes},
        )
    return application, secret
