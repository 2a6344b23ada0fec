"""/metrics: Prometheus text exposition, request counters, access control."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.test.utils import override_settings

from yiwang.core import metrics

SAMPLE = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_]+="[^"]*",?)*\})? -?[0-9.e+]+$')


def _parse(text: str) -> dict[str, float]:
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) \w+ .+$", line), line
            continue
        assert SAMPLE.match(line), line
        name, value = line.rsplit(" ", 1)
        samples[name] = float(value)
    return samples


@pytest.fixture(autouse=True)
def _fresh_counters() -> None:
    metrics.reset()


@pytest.mark.django_db
def test_metrics_format_parses_and_counts_requests(client: Client) -> None:
    client.get("/healthz")
    client.get("/healthz")
    first = _parse(client.get("/metrics").content.decode())
    key = 'yiwang_http_requests_total{route="healthz",method="GET",status="200"}'
    assert first[key] == 2
    assert first['yiwang_http_request_duration_seconds_count{route="healthz"}'] == 2
    assert first['yiwang_http_request_duration_seconds_bucket{route="healthz",le="+Inf"}'] == 2
    assert first["yiwang_task_queue_depth"] == 0
    assert first['yiwang_cases{status="submitted"}'] == 0

    client.get("/healthz")
    second = _parse(client.get("/metrics").content.decode())
    assert second[key] == 3
    assert second['yiwang_http_requests_total{route="metrics",method="GET",status="200"}'] == 1


def test_metrics_refused_for_remote_without_token(client: Client) -> None:
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403


@pytest.mark.django_db
@override_settings(YIWANG_METRICS_TOKEN="s3cret")
def test_metrics_remote_with_token(client: Client) -> None:
    refused = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong")
    assert refused.status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret")
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("text/plain; version=0.0.4")
