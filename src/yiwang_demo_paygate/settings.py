"""Settings of the simulated non-tax collection gateway (模拟非税收缴网关); everything from the environment."""

from __future__ import annotations

import os
from pathlib import Path

from yiwang_demo_paygate.keys import default_path


def _float(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("YIWANG_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get(
    "PAYGATE_SECRET_KEY", "yiwang-demo-paygate-insecure-key-0123456789abcdefgh"
)  # demo only
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
INSTALLED_APPS = ["yiwang_demo_paygate"]
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "yiwang_demo_paygate.urls"
WSGI_APPLICATION = "yiwang_demo_paygate.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PAYGATE_DB", str(VAR_DIR / "paygate.sqlite3")),
        "OPTIONS": {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CSRF_COOKIE_NAME = "paygate_csrftoken"  # the platform runs on the same host
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = False
USE_TZ = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"yiwang_demo_paygate": {"handlers": ["console"], "level": "INFO"}},
}

PAYGATE_MERCHANT_ID = os.environ.get("YIWANG_PAYGATE_MERCHANT_ID", "YIWANG-DEMO")
PAYGATE_KEYS_FILE = str(default_path())
PAYGATE_PUBLIC_URL = os.environ.get("PAYGATE_PUBLIC_URL", "").rstrip("/")  # else from the request
# Seconds between notification attempts after the first (one retry per entry).
PAYGATE_RETRY_SCHEDULE = [
    max(0.0, float(part))
    for part in os.environ.get("PAYGATE_RETRY_SCHEDULE", "1,5,30,120,300,600,1800,3600").split(",")
    if part.strip()
]
PAYGATE_NOTIFY_TIMEOUT_S = _float("PAYGATE_NOTIFY_TIMEOUT_S", 5.0)
PAYGATE_REFUND_DELAY_S = _float("PAYGATE_REFUND_DELAY_S", 1.0)
PAYGATE_POLL_S = _float("PAYGATE_POLL_S", 0.2)
PAYGATE_SIM_CONTROL = os.environ.get("PAYGATE_SIM_CONTROL", "1") == "1"
PAYGATE_SIM_DROP_RATE = min(1.0, _float("PAYGATE_SIM_DROP_RATE", 0.0))
PAYGATE_SIM_DUP_RATE = min(1.0, _float("PAYGATE_SIM_DUP_RATE", 0.0))
PAYGATE_SIM_DELAY_MAX_S = _float("PAYGATE_SIM_DELAY_MAX_S", 0.0)
PAYGATE_SIM_REORDER_HOLD_S = _float("PAYGATE_SIM_REORDER_HOLD_S", 5.0)
