"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Run with ``YIWANG_PROFILE=test uv run pytest tests/e2e``.  Without /usr/bin/chromium every test here
is skipped with the reason (install it with ``apt-get install -y chromium`` or ``make chromium``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import CHROMIUM, CHROMIUM_ARGS, new_context

# Playwright's sync API runs an event loop in the test thread, which makes Django's async-safety
# check refuse the (synchronous) ORM calls of the tests.  The variable is set only while a browser
# is open: left in os.environ it would leak into other tests (``check --deploy`` refuses it).
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    reasons = []
    if not CHROMIUM.exists():
        reasons.append(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents and reasons:
            item.add_marker(pytest.mark.skip(reason="; ".join(reasons)))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(autouse=True)
def e2e_media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = new_context(browser)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()
