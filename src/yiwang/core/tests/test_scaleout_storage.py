"""Files in an S3-compatible object store (issue #26, docs/scale-out.md "Object storage").

A real S3 server on a free port (moto's server, ``python -m moto.server``: there is no MinIO server
on PyPI or in Debian) and the platform's storage set as ``YIWANG_S3_*`` configures it
(django-storages' S3Storage).  A citizen applies through the API with two materials; the files are
objects in the bucket, not on the disk; another process configured only by the ``YIWANG_S3_*``
environment (another node) reads the same bytes; the permission-checked download streams them from
the store; a FileField's URL is a signed link of five minutes; deleting removes the object.

Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.files.storage import default_storage
from django.utils import timezone

from yiwang.cases.models import CaseMaterial
from yiwang.core.calendar import seed_calendar
from yiwang.testing import portal
from yiwang.testing.clients import token_client
from yiwang.testing.scaleout import ROOT, free_port, node_env

pytestmark = pytest.mark.django_db

BUCKET = "yiwang-files"
KEYS = {"access_key": "yiwang-test", "secret_key": "yiwang-test-secret", "region_name": "cn-north-1"}


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url, timeout=1).status_code == 200:
                    break
            assert process.poll() is None and time.monotonic() < deadline, "the S3 server did not start"
            time.sleep(0.1)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region_name"],
    )


def _s3_env(endpoint: str) -> dict[str, str]:
    return {
        "YIWANG_S3_ENDPOINT_URL": endpoint,
        "YIWANG_S3_BUCKET": BUCKET,
        "YIWANG_S3_ACCESS_KEY": KEYS["access_key"],
        "YIWANG_S3_SECRET_KEY": KEYS["secret_key"],
        "YIWANG_S3_REGION": KEYS["region_name"],
    }


@pytest.fixture
def object_store(s3_server: str, settings: Any, tmp_path: Path) -> str:
    """The platform's default storage is the bucket, configured as settings.py does from YIWANG_S3_*."""
    client = _client(s3_server)
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": KEYS["region_name"]}
        )
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "from yiwang import settings; import json; print(json.dumps(settings.STORAGES))",
        ],
        env=node_env(tmp_path, **_s3_env(s3_server)),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    settings.STORAGES = {**settings.STORAGES, "default": json.loads(other.stdout)["default"]}
    settings.MEDIA_ROOT = tmp_path / "media"
    return s3_server


READ_ON_ANOTHER_NODE = """
import hashlib, sys, django
django.setup()
from django.core.files.storage import default_storage
with default_storage.open(sys.argv[1], "rb") as handle:
    print(type(default_storage._wrapped).__name__, hashlib.sha256(handle.read()).hexdigest())
"""


def test_materials_live_in_the_object_store_and_every_node_reads_them(
    object_store: str, tmp_path: Path
) -> None:
    this_year = timezone.localdate().year
    seed_calendar([this_year, this_year + 1])
    department = portal.make_department()
    item = portal.make_item(department, form_fields=[])
    citizen = portal.make_citizen("citizen")
    materials = {m.name: str(m.public_id) for m in item.materials.filter(mandatory=True)}
    licence = b"%PDF-1.4\n1 0 obj<<>>endobj\n% licence scan\ntrailer<<>>\n%%EOF\n"
    applicant = token_client(citizen)
    files = {
        f"material_{material_id}": portal.pdf_upload(f"m{n}.pdf", licence + str(n).encode())
        for n, material_id in enumerate(materials.values())
    }
    response = applicant.post(
        "/api/v1/cases",
        {"item_id": str(item.public_id), "form_data": "{}", **files},
        headers={"Idempotency-Key": "s3-apply-1"},
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    stored = list(CaseMaterial.objects.filter(case__public_id=case_id).order_by("pk"))
    assert len(stored) == len(materials) >= 1
    material = stored[0]
    name = material.file.name

    # An object in the bucket, nothing on this node's disk.
    client = _client(object_store)
    body = client.get_object(Bucket=BUCKET, Key=name)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == material.sha256
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.pdf"))

    # Another node (a process configured by the environment only) reads the same bytes.
    other = subprocess.run(
        [sys.executable, "-c", READ_ON_ANOTHER_NODE, name],
        env=node_env(tmp_path / "other", **_s3_env(object_store)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert other.returncode == 0, other.stderr[-2000:]
    assert other.stdout.split() == ["S3Storage", material.sha256]

    # The platform's permission-checked download streams it from the store.
    download = applicant.get(f"/api/v1/cases/{case_id}/materials/{material.public_id}")
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == material.sha256
    stranger = token_client(portal.make_citizen("stranger", real_name="李梅"))
    assert stranger.get(f"/api/v1/cases/{case_id}/materials/{material.public_id}").status_code in {403, 404}

    # A FileField's URL is a signed link of limited life (SigV4, five minutes) to the object.  (The
    # test server does not check signatures; MinIO and the clouds refuse unsigned or expired links.)
    url = material.file.url
    assert url.startswith(f"{object_store}/{BUCKET}/{name}?")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url
    assert requests.get(url, timeout=10).content == body

    # Deleting (the clean-up of a rolled-back filing) removes the object for every node.
    default_storage.delete(name)
    assert not default_storage.exists(name)
    with pytest.raises(client.exceptions.ClientError):
        client.head_object(Bucket=BUCKET, Key=name)
