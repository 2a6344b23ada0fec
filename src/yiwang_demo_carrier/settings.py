"""Settings of the simulated carrier (演示快递); everything from the environment."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("YIWANG_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get(
    "CARRIER_SECRET_KEY", "yiwang-demo-carrier-insecure-key-0123456789abc"
)  # demo only
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
INSTALLED_APPS = ["yiwang_demo_carrier"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "yiwang_demo_carrier.urls"
WSGI_APPLICATION = "yiwang_demo_carrier.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
    }
]
DATABASES: dict[str, dict[str, str]] = {}  # the carrier keeps its parcels with sqlite3 (store.py)
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

CARRIER_DATABASE = os.environ.get("CARRIER_DATABASE", str(VAR_DIR / "carrier.sqlite3"))
# Seconds between two steps of a parcel (揽收 → 运输 → 派送 → 签收); tests use 0.2.
CARRIER_SIM_STEP_S = float(os.environ.get("CARRIER_SIM_STEP_S", "20"))
# Accounts "key:secret,key:secret"; the platform's default account is `yiwang`.
CARRIER_ACCOUNTS = dict(
    entry.split(":", 1)
    for entry in os.environ.get("CARRIER_ACCOUNTS", "yiwang:yiwang-demo-carrier-secret-0123456789").split(",")
    if ":" in entry
)
# Province prefixes outside the service area: orders there are refused as undeliverable.
CARRIER_UNSERVED = tuple(x for x in os.environ.get("CARRIER_UNSERVED", "71,81,82").split(",") if x)
CARRIER_DEFAULT_OUTCOME = os.environ.get("CARRIER_DEFAULT_OUTCOME", "delivered")
CARRIER_CALLBACK_MAX_ATTEMPTS = int(os.environ.get("CARRIER_CALLBACK_MAX_ATTEMPTS", "12"))
