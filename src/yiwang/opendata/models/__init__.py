"""The tables of opendata: each aggregate in its own module, re-exported here."""

from yiwang.opendata.models.datasets import (
    LICENCE_URLS,
    MEDIA_TYPES,
    Dataset,
    DatasetLicence,
    DatasetSource,
    DatasetStatus,
    DatasetTheme,
    Distribution,
    DistributionFormat,
)
from yiwang.opendata.models.keys import KeyUsage, OpenDataKey

__all__ = [
    "LICENCE_URLS",
    "MEDIA_TYPES",
    "Dataset",
    "DatasetLicence",
    "DatasetSource",
    "DatasetStatus",
    "DatasetTheme",
    "Distribution",
    "DistributionFormat",
    "KeyUsage",
    "OpenDataKey",
]
