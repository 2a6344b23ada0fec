"""Prometheus metrics (监控指标) at /metrics in the text exposition format, written by hand.

Request counts and a latency histogram per route name and status come from
:class:`MetricsMiddleware` (in-process counters, one set per worker process); the task queue depth
and the calendar gauges are read from the database at scrape time, and so are the gauges of the
apps: an app registers a collector (:func:`register_collector`, e.g. the case counts of
``yiwang.cases.work_metrics``), so the kernel names no app.  Only loopback clients or a caller
presenting ``Authorization: Bearer <YIWANG_METRICS_TOKEN>`` may read it.
"""

from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_tasks_db.models import DBTaskResult

from yiwang.core.calendar import horizon_warning, is_provisional_year

BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LOOPBACK = {"127.0.0.1", "::1"}

_lock = threading.Lock()
# (route, method, status) -> count
_requests: dict[tuple[str, str, str], int] = {}
# route -> [bucket counts..., +Inf count], sum
_latency: dict[str, tuple[list[int], float]] = {}
# name -> a callable returning exposition lines (# HELP, # TYPE and samples), read at scrape time
Collector = Callable[[], list[str]]
_collectors: dict[str, Collector] = {}


def register_collector(name: str, collector: Collector) -> None:
    """Add an app's gauges to /metrics; registering a name again replaces its collector."""
    with _lock:
        _collectors[name] = collector


def escape_label(value: str) -> str:
    """A label value escaped for the text exposition format."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def record_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one request and add its duration to the route's histogram."""
    with _lock:
        key = (route, method, str(status))
        _requests[key] = _requests.get(key, 0) + 1
        counts, total = _latency.get(route, ([0] * (len(BUCKETS) + 1), 0.0))
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                counts[i] += 1
        counts[-1] += 1
        _latency[route] = (counts, total + seconds)


def reset() -> None:
    """Forget the in-process counters (tests only)."""
    with _lock:
        _requests.clear()
        _latency.clear()


def _route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class MetricsMiddleware:
    """Times every request and records it under its URL pattern name (never the raw path)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        record_request(
            _route_name(request), request.method or "", response.status_code, time.perf_counter() - start
        )
        return response


def _allowed(request: HttpRequest) -> bool:
    token: str = getattr(settings, "YIWANG_METRICS_TOKEN", "") or ""
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())
    return request.META.get("REMOTE_ADDR", "") in LOOPBACK


def _db_lines() -> list[str]:
    lines = [
        "# HELP yiwang_task_queue_depth Tasks waiting to run (READY) in the database queue.",
        "# TYPE yiwang_task_queue_depth gauge",
        f"yiwang_task_queue_depth {DBTaskResult.objects.ready().count()}",
    ]
    today = timezone.localdate()
    following = today.year + 1
    lines += [
        "# HELP yiwang_calendar_year_loaded Whether the official holiday schedule of a year is loaded "
        "(0: counted provisionally).",
        "# TYPE yiwang_calendar_year_loaded gauge",
        *(
            f'yiwang_calendar_year_loaded{{year="{year}"}} {int(not is_provisional_year(year))}'
            for year in (today.year, following)
        ),
        "# HELP yiwang_calendar_horizon_warning 1 from 1 October while next year's schedule is missing.",
        "# TYPE yiwang_calendar_horizon_warning gauge",
        f"yiwang_calendar_horizon_warning {int(horizon_warning(today) is not None)}",
    ]
    with _lock:
        collectors = list(_collectors.values())
    for collector in collectors:
        lines += collector()
    return lines


def render() -> str:
    """The whole exposition as text."""
    with _lock:
        requests = sorted(_requests.items())
        latency = sorted((r, (list(c), s)) for r, (c, s) in _latency.items())
    lines = [
        "# HELP yiwang_http_requests_total HTTP requests by route name, method and status.",
        "# TYPE yiwang_http_requests_total counter",
    ]
    for (route, method, status), n in requests:
        lines.append(
            f'yiwang_http_requests_total{{route="{escape_label(route)}",method="{escape_label(method)}",'
            f'status="{status}"}} {n}'
        )
    lines += [
        "# HELP yiwang_http_request_duration_seconds HTTP request latency by route name.",
        "# TYPE yiwang_http_request_duration_seconds histogram",
    ]
    for route, (counts, total) in latency:
        label = f'route="{escape_label(route)}"'
        for bound, n in zip(BUCKETS, counts, strict=False):
            lines.append(f'yiwang_http_request_duration_seconds_bucket{{{label},le="{bound}"}} {n}')
        lines.append(f'yiwang_http_request_duration_seconds_bucket{{{label},le="+Inf"}} {counts[-1]}')
        lines.append(f"yiwang_http_request_duration_seconds_sum{{{label}}} {total:.6f}")
        lines.append(f"yiwang_http_request_duration_seconds_count{{{label}}} {counts[-1]}")
    lines += _db_lines()
    return "\n".join(lines) + "\n"


@never_cache
def metrics_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """GET /metrics: loopback or bearer token only; everyone else gets 403."""
    if not _allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(render(), content_type="text/plain; version=0.0.4; charset=utf-8")
