"""DCAT-AP 2 metadata as JSON-LD (https://semiceu.github.io/DCAT-AP/): the catalogue at
``/open-data/catalog.jsonld`` and each dataset at ``/open-data/datasets/<id>.jsonld``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from yiwang.opendata.models import LICENCE_URLS, MEDIA_TYPES, Dataset, DatasetLicence, DistributionFormat

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
#: EU frequency vocabulary for the update cycles of the catalogue.
FREQUENCIES = {
    "realtime": "CONT",
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "yearly": "ANNUAL",
    "irregular": "IRREG",
}
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"


def _base(base_url: str | None) -> str:
    return (base_url or getattr(settings, "YIWANG_PUBLIC_URL", "") or "").rstrip("/")


def _date(value: Any) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:dateTime"}


def dataset_node(dataset: Dataset, base_url: str | None = None) -> dict[str, Any]:
    base = _base(base_url)
    page = base + reverse("opendata:dataset", args=[dataset.public_id])
    licence = LICENCE_URLS[DatasetLicence(dataset.licence)]
    if licence.startswith("/"):
        licence = base + licence
    distributions = []
    for distribution in dataset.distributions.all():
        url = base + reverse("opendata:download", args=[dataset.public_id, distribution.format])
        node: dict[str, Any] = {
            "@id": url + "#distribution",
            "@type": "dcat:Distribution",
            "dct:title": f"{dataset.title} ({distribution.format.upper()})",
            "dcat:accessURL": {"@id": page},
            "dcat:downloadURL": {"@id": url},
            "dcat:mediaType": MEDIA_TYPES[DistributionFormat(distribution.format)],
            "dct:format": {"@id": FILE_TYPE_BASE + distribution.format.upper()},
            "dct:license": {"@id": licence},
        }
        if distribution.generated_at:
            node["dcat:byteSize"] = {"@value": str(distribution.byte_size), "@type": "xsd:decimal"}
            node["dct:modified"] = _date(distribution.generated_at)
            node["spdx:checksum"] = {
                "@type": "spdx:Checksum",
                "spdx:algorithm": "spdx:checksumAlgorithm_sha256",
                "spdx:checksumValue": distribution.sha256,
            }
        distributions.append(node)
    node = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": str(dataset.public_id),
        "dct:title": {"@value": dataset.title, "@language": "zh"},
        "dct:description": {"@value": dataset.description, "@language": "zh"},
        "dcat:keyword": [{"@value": k, "@language": "zh"} for k in dataset.keywords],
        "dcat:theme": {"@id": base + reverse("opendata:index") + f"?theme={dataset.theme}"},
        "dct:publisher": {
            "@type": "foaf:Organization",
            "foaf:name": dataset.publisher.name,
            "dct:identifier": dataset.publisher.credit_code,
        },
        "dct:issued": _date(dataset.issued),
        "dct:modified": _date(dataset.modified),
        "dct:accrualPeriodicity": {
            "@id": FREQUENCY_BASE + FREQUENCIES.get(dataset.update_frequency, "IRREG")
        },
        "dct:license": {"@id": licence},
        "dcat:landingPage": {"@id": page},
        "dcat:distribution": distributions,
    }
    if dataset.licence_note:
        node["dct:accessRights"] = {"@value": dataset.licence_note, "@language": "zh"}
    return node


def _context() -> dict[str, str]:
    return {**CONTEXT, "spdx": "http://spdx.org/rdf/terms#"}


def dataset_document(dataset: Dataset, base_url: str | None = None) -> dict[str, Any]:
    return {"@context": _context(), **dataset_node(dataset, base_url)}


def catalogue_document(datasets: list[Dataset], base_url: str | None = None) -> dict[str, Any]:
    base = _base(base_url)
    return {
        "@context": _context(),
        "@id": base + reverse("opendata:catalog_jsonld"),
        "@type": "dcat:Catalog",
        "dct:title": {"@value": "政务数据开放目录", "@language": "zh"},
        "dct:description": {"@value": "由政务信息资源共享平台开放的数据集", "@language": "zh"},
        "foaf:homepage": {"@id": base + reverse("opendata:index")},
        "dcat:dataset": [dataset_node(d, base_url) for d in datasets],
    }
