"""Settings of the demo department system (演示部门系统); everything from the environment."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("YIWANG_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get(
    "DEPT_SECRET_KEY", "yiwang-demo-dept-insecure-key-0123456789abcdefghijkl"
)  # demo only
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
INSTALLED_APPS = ["django.contrib.sessions", "django.contrib.contenttypes", "yiwang_demo_dept"]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
ROOT_URLCONF = "yiwang_demo_dept.urls"
WSGI_APPLICATION = "yiwang_demo_dept.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DEPT_DATABASE", str(VAR_DIR / "demo_dept.sqlite3")),
    }
}
# Signed-cookie sessions: nothing to migrate.  Own cookie names: the platform runs on the same host.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_NAME = "dept_sessionid"
CSRF_COOKIE_NAME = "dept_csrftoken"
SESSION_COOKIE_AGE = 30 * 60
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# The platform (OIDC provider) and this system's registered client (see `yiwang loaddemo`).
SSO_BASE_URL = os.environ.get("DEPT_SSO_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
SSO_CLIENT_ID = os.environ.get("DEPT_SSO_CLIENT_ID", "yiwang-demo-dept")
SSO_CLIENT_SECRET = os.environ.get("DEPT_SSO_CLIENT_SECRET", "yiwang-demo-dept-secret")  # demo only
SSO_SCOPES = os.environ.get("DEPT_SSO_SCOPES", "openid profile assurance company")
DEPT_NAME = os.environ.get("DEPT_NAME", "演示部门业务系统（市场监管）")

# Its exchange node: "推送人口库更新" pushes a signed bases.population.feed package to the platform
# (docs/exchange.md, docs/bases.md "Feeds"); the platform registers the node in `yiwang loaddemo`.
DEPT_EXCHANGE_NODE_ID = os.environ.get("DEPT_EXCHANGE_NODE_ID", "340100-demo-dept")
DEPT_EXCHANGE_SM2_PRIVATE_KEY = os.environ.get(
    "DEPT_EXCHANGE_SM2_PRIVATE_KEY", "ed033adcbcff097bb45b453c482a6fa5d6e058d53d7551f72781aa1e7a1e9565"
)  # demo only, documented (yiwang.demo.dept_feed)
DEPT_PLATFORM_NODE_ID = os.environ.get(
    "DEPT_PLATFORM_NODE_ID", os.environ.get("YIWANG_EXCHANGE_NODE_ID", "") or "yiwang-demo-3401"
)
DEPT_EXCHANGE_STATE = Path(os.environ.get("DEPT_EXCHANGE_STATE", VAR_DIR / "demo_dept_exchange.json"))
