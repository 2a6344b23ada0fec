"""The web worker's warm-up (gunicorn post_worker_init) does the lazy work of the first request:
in a fresh process the hook imports the URLconf and the API, builds the URL reverse map, compiles
the first pages' templates and loads jieba — so the first request imports nothing new (issue 16
point 12: the home page's first hit took 3.6 s).  No timing is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]

PROBE = r"""
import json, sys
import django
django.setup()
from django.urls import get_resolver
before = {"api": "yiwang.api" in sys.modules, "jieba": "jieba" in sys.modules,
          "views": "yiwang.portal.views.catalog" in sys.modules}
import yiwang.gunicorn_conf as conf
conf.post_worker_init(None)
from django.template import engines
loader = engines["django"].engine.template_loaders[0]
import jieba
from yiwang.catalog import search
modules = set(sys.modules)
from django.urls import resolve
match = resolve("/")
from django.template.loader import get_template
get_template("portal/home.html")
new = sorted(name for name in set(sys.modules) - modules if name.startswith(("yiwang", "ninja", "jieba")))
print(json.dumps({
    "before": before,
    "api": "yiwang.api" in sys.modules and "yiwang.cases.api" in sys.modules,
    "reverse_built": bool(get_resolver()._reverse_dict),
    "home_compiled": any("portal/home.html" in str(key) for key in getattr(loader, "get_template_cache", {})),
    "jieba": bool(jieba.dt.initialized) and search._jieba_module is not None,
    "new_modules_on_first_request": new,
    "view": match.func.__module__,
}))
"""


def test_post_worker_init_does_the_first_requests_lazy_work():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "yiwang.settings", "YIWANG_PROFILE": "demo", "DEBUG": "0"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["before"] == {"api": False, "jieba": False, "views": False}  # Django itself is lazy
    assert report["api"] and report["reverse_built"] and report["home_compiled"] and report["jieba"]
    assert report["new_modules_on_first_request"] == []
    assert report["view"] == "yiwang.portal.views.catalog"
