"""The static files the production server serves: ``collectstatic`` with the hashed manifest storage (what
``make run`` and a deployment run) finds every file the vendored stylesheets and scripts refer to (a CSS
naming its source map broke ``make run`` once: scripts/build_assets.py copies both)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_collectstatic_with_the_manifest_storage_resolves_every_reference(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("YIWANG_PROFILE", "DATABASE_URL")}
    # The manifest storage without compression: the same reference checks, a few seconds instead of ~30.
    env |= {
        "STATIC_ROOT": str(tmp_path / "static"),
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
        "YIWANG_VAR_DIR": str(tmp_path / "var"),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--no-input", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest and "vendor/htmx/htmx.min.js" in manifest
