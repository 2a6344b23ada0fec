"""Root test configuration shared by every app's tests."""

from __future__ import annotations

import os

os.environ.setdefault("YIWANG_PROFILE", "test")
