"""Background work of opendata (django-tasks; inline in tests)."""

from yiwang.opendata.services.generation import generate_dataset_files

__all__ = ["generate_dataset_files"]
