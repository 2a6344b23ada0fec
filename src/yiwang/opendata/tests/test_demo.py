"""The demo datasets: published from the demo's open resources by their providers' officials, files
generated without a personal field, idempotent."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from yiwang.opendata.demo import publish_demo_datasets
from yiwang.opendata.models import Dataset

pytestmark = pytest.mark.django_db


def test_demo_datasets(django_capture_on_commit_callbacks):
    call_command("loaddemo", "--skip-regions", stdout=io.StringIO())
    Dataset.objects.all().delete()  # the loader may publish them already
    with django_capture_on_commit_callbacks(execute=True):
        report = publish_demo_datasets()
    assert report.published == ["合肥市行政区划及边界", "市场主体登记统计"]
    stats = Dataset.objects.get(title="市场主体登记统计")
    payload = json.loads(stats.distributions.get(format="json").file.open("rb").read())
    assert [c["name"] for c in payload["columns"]] == [
        "region",
        "industry",
        "status",
        "company_count",
        "registered_capital_fen",
    ]
    assert "legal_representative" not in json.dumps(payload)
    assert publish_demo_datasets().published == []
