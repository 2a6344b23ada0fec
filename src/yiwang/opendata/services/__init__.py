"""Use cases of opendata: one module per use case, public functions re-exported here."""

from yiwang.opendata.services.access import (
    IssuedKey,
    authenticate_key,
    issue_key,
    record_download,
    revoke_key,
    usage_today,
)
from yiwang.opendata.services.generation import enqueue_generation, generate_dataset_files, generate_files
from yiwang.opendata.services.publishing import publish_dataset, search_text, update_dataset, withdraw_dataset

__all__ = [
    "IssuedKey",
    "authenticate_key",
    "enqueue_generation",
    "generate_dataset_files",
    "generate_files",
    "issue_key",
    "publish_dataset",
    "record_download",
    "revoke_key",
    "search_text",
    "update_dataset",
    "usage_today",
    "withdraw_dataset",
]
