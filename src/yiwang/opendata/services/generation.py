"""Generating the files of a dataset (CSV, JSON, XLSX) from the provider's data, through the one
export rule (:mod:`yiwang.opendata.export`); run by a task after publishing or updating."""

from __future__ import annotations

import hashlib
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from yiwang.core import audit
from yiwang.opendata import export
from yiwang.opendata.models import Dataset, DatasetSource, Distribution
from yiwang.opendata.sources import SOURCES


def enqueue_generation(dataset: Dataset) -> None:
    """Generate the dataset's files once the current transaction commits."""
    public_id = str(dataset.public_id)
    transaction.on_commit(lambda: generate_dataset_files.enqueue(public_id))


def generate_files(dataset: Dataset) -> list[Distribution]:
    """生成 Every distribution of the dataset from the provider's data, through the export rule."""
    columns, rows = SOURCES[DatasetSource(dataset.source)]()
    table = export.table_for_resource(dataset.resource, columns, rows)
    now = timezone.now()
    written = []
    with transaction.atomic():
        for distribution in (
            Distribution.objects.select_for_update().filter(dataset=dataset).order_by("format")
        ):
            content = export.render(table, distribution.format)
            old = distribution.file.name if distribution.file else ""
            distribution.file.save(
                f"{dataset.public_id}.{distribution.format}", ContentFile(content), save=False
            )
            distribution.byte_size = len(content)
            distribution.sha256 = hashlib.sha256(content).hexdigest()
            distribution.row_count = len(table.rows)
            distribution.columns = table.columns
            distribution.generated_at = now
            distribution.save(
                update_fields=["file", "byte_size", "sha256", "row_count", "columns", "generated_at"]
            )
            if old and old != distribution.file.name:
                transaction.on_commit(partial(distribution.file.storage.delete, old))
            written.append(distribution)
        Dataset.objects.filter(pk=dataset.pk).update(modified=now)
        audit.record(
            "opendata.files_generated",
            obj=dataset,
            detail={"rows": len(table.rows), "columns": table.columns},
        )
    return written


@task()
def generate_dataset_files(dataset_id: str) -> int:
    """Generate the CSV, JSON and XLSX files of a dataset; the number of files written."""
    dataset = Dataset.objects.select_related("resource").filter(public_id=dataset_id).first()
    if dataset is None:
        return 0
    return len(generate_files(dataset))
