"""Filing (POST /api/v1/cases) in few statements: one idempotency look-up, the material rows in one
INSERT; a retry with the same key answers 200 with the case already filed.  Counts pinned."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.cases.models import Case, CaseMaterial
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import pdf_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


@pytest.fixture
def caching(settings):
    settings.YIWANG_CATALOG_CACHE_SECONDS = 60  # as in production: the guide as filed is cached
    cache.clear()
    yield
    cache.clear()


def _post(client, item, materials, key):
    return client.post(
        "/api/v1/cases",
        {
            "item_id": str(item.public_id),
            "form_data": json.dumps({"shop_name": "小店"}),
            f"material_{materials['营业执照']}": pdf_upload("a.pdf"),
            f"material_{materials['经营场所证明']}": pdf_upload("b.pdf"),
        },
        headers={"Idempotency-Key": key},
    )


@pytest.mark.usefixtures("caching")
def test_filing_statements_are_pinned(item, citizen):
    client = token_client(citizen)
    materials = {str(m.name): str(m.public_id) for m in item.materials.all()}
    assert _post(client, item, materials, "warm").status_code == 201
    with CaptureQueriesContext(connection) as filing:
        response = _post(client, item, materials, "second")
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in filing.captured_queries]
    material_inserts = [s for s in statements if s.startswith('INSERT INTO "cases_casematerial"')]
    assert len(material_inserts) == 1  # both rows in one statement
    idempotency_reads = [s for s in statements if '"cases_case"."idempotency_key"' in s]
    assert len(idempotency_reads) == 1
    # token, item + materials, idempotency, applicant identity, savepoint, case, materials, number,
    # case number update, delivery, popularity, queue counter, event, the case marked for the metrics'
    # aggregates (one INSERT … ON CONFLICT DO NOTHING), the material store's capture (the case's
    # materials read once, one INSERT: yiwang.space), audit, release, the detail (3);
    # the audit entry is 2 statements on PostgreSQL (one appends to the chain) and 5 on SQLite
    assert len(statements) == (23 if connection.vendor == "postgresql" else 26), statements
    case = Case.objects.get(number=response.json()["number"])
    assert CaseMaterial.objects.filter(case=case).count() == 2
    assert all(m.pk for m in CaseMaterial.objects.filter(case=case))
    assert sorted(m["material_name"] for m in response.json()["materials"]) == ["经营场所证明", "营业执照"]

    with CaptureQueriesContext(connection) as retry:
        again = _post(client, item, materials, "second")
    assert again.status_code == 200
    assert again.json()["number"] == response.json()["number"]
    assert len(retry.captured_queries) == 10
    assert Case.objects.filter(applicant=citizen).count() == 2
