"""Warm a web worker before it takes traffic (gunicorn ``post_worker_init``, yiwang/gunicorn_conf.py).

Without it the first request a worker serves pays for what Django does lazily: importing the
URLconf — every view module and the whole JSON API, whose routers build their pydantic schemas —
(1.5–2 s on the 2-core demo machine), the translation catalogues, the compiled templates of the
pages, and jieba's dictionary (about a second; search and the home page's suggestions use it).
The first hit on the home page after ``make run`` took 3.6 s.  Each step is independent and no
step touches the database, so a worker starts even while the database is away.

The kernel's own steps (URLconf, translations, templates) are built in; an app adds its own with
:func:`register_step` (the catalogue registers its search dictionary in ``CatalogConfig.ready``),
so this module names no app.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

logger = logging.getLogger("yiwang.warmup")

# The pages a visitor opens first, and what they extend.
TEMPLATES = (
    "base.html",
    "portal/home.html",
    "portal/search.html",
    "portal/item_guide.html",
    "portal/_item_guide_body.html",
    "portal/login.html",
)


Step = Callable[[], object]
# name -> step, run after the kernel's own steps in the order registered
_registered: dict[str, Step] = {}


def register_step(name: str, step: Step) -> None:
    """Add an app's warm-up step (no database access); registering a name again replaces it."""
    _registered[name] = step


def warm_up() -> dict[str, float]:
    """Do the lazy work now; returns the seconds each step took (a failed step is logged, skipped)."""
    steps: dict[str, Step] = {
        "urlconf": _urlconf,
        "translations": _translations,
        "templates": _templates,
        **_registered,
    }
    took: dict[str, float] = {}
    for name, step in steps.items():
        started = time.perf_counter()
        try:
            step()
        except Exception:  # a warm-up must never stop a worker from starting
            logger.warning("warm-up step %s failed", name, exc_info=True)
            continue
        took[name] = time.perf_counter() - started
    return took


def _urlconf() -> None:
    from django.conf import settings
    from django.conf.urls.i18n import is_language_prefix_patterns_used
    from django.urls import get_resolver

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module and the API
    resolver.reverse_dict  # noqa: B018 - builds the reverse lookup ({% url %})
    is_language_prefix_patterns_used(settings.ROOT_URLCONF)  # LocaleMiddleware asks on every request


def _translations() -> None:
    from django.conf import settings
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("办事指南")


def _templates() -> None:
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    for name in TEMPLATES:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            logger.info("warm-up: no template %s", name)
