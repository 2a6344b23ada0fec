"""Publishing datasets (开放发布): a data official of the resource's provider publishes, updates or
withdraws a dataset; the files are generated afterwards by a task (:mod:`yiwang.opendata.tasks`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import User
from yiwang.catalog.search import normalise, pinyin_initials, pinyin_syllables, tokenize
from yiwang.core import audit
from yiwang.core.errors import Conflict, CoreErrorCode, DomainError
from yiwang.opendata.errors import OpendataErrorCode
from yiwang.opendata.models import (
    Dataset,
    DatasetLicence,
    DatasetSource,
    DatasetStatus,
    DatasetTheme,
    Distribution,
    DistributionFormat,
)
from yiwang.opendata.services.generation import enqueue_generation
from yiwang.sharing.models import OpenType, Resource, ResourceStatus, UpdateCycle
from yiwang.sharing.services.permissions import require_official_of

MAX_KEYWORDS = 20
#: The fields a publisher writes (``publish_dataset`` / ``update_dataset``).
DESCRIPTION_KEYS = (
    "title",
    "description",
    "keywords",
    "theme",
    "licence",
    "licence_note",
    "update_frequency",
)


def _invalid(message: str, field: str) -> DomainError:
    return DomainError(CoreErrorCode.VALIDATION_ERROR, message, {field: [message]})


def search_text(title: str, description: str, keywords: Iterable[str]) -> str:
    """What the portal's search matches: words (jieba), the text itself, and the title's pinyin."""
    text = " ".join([title, description, *keywords])
    return " ".join(
        [normalise(text), *tokenize(text), "".join(pinyin_syllables(title)), pinyin_initials(title)]
    )[:20000]


def _clean(values: dict[str, Any], resource: Resource) -> dict[str, Any]:
    data = {key: values.get(key) for key in DESCRIPTION_KEYS}
    data["title"] = str(data["title"] or "").strip()
    if not data["title"]:
        raise _invalid("请填写数据集名称", "title")
    data["description"] = str(data["description"] or "").strip()
    keywords = [str(k).strip()[:40] for k in (data["keywords"] or []) if str(k).strip()]
    if len(keywords) > MAX_KEYWORDS:
        raise _invalid(f"关键词最多 {MAX_KEYWORDS} 个", "keywords")
    data["keywords"] = list(dict.fromkeys(keywords))
    for key, choices, default in (
        ("theme", DatasetTheme, None),
        ("licence", DatasetLicence, DatasetLicence.CC_BY_4),
        ("update_frequency", UpdateCycle, resource.update_cycle),
    ):
        value = data[key] or default
        if value not in choices.values:
            raise _invalid("取值不正确", key)
        data[key] = str(value)
    data["licence_note"] = str(data["licence_note"] or "").strip()
    if resource.open_type == OpenType.CONDITIONAL and not data["licence_note"]:
        raise DomainError(
            OpendataErrorCode.NOT_OPEN,
            "有条件开放的资源须写明使用条件",
            {"licence_note": ["有条件开放须填写"]},
            status=409,
        )
    return data


def _check_resource(resource: Resource) -> None:
    if resource.status != ResourceStatus.PUBLISHED or resource.published_version is None:
        raise Conflict("资源尚未发布", code=OpendataErrorCode.NOT_PUBLISHED)
    if resource.open_type not in (OpenType.OPEN, OpenType.CONDITIONAL):
        raise Conflict("资源的开放属性为“不开放”", code=OpendataErrorCode.NOT_OPEN)


def publish_dataset(*, actor: User, resource: Resource, source: str, **values: Any) -> Dataset:
    """开放 A dataset from ``resource`` (open, or conditional with a licence note); files follow."""
    require_official_of(actor, resource.provider, "开放本部门的资源")
    _check_resource(resource)
    if source not in DatasetSource.values:
        raise _invalid("数据来源不正确", "source")
    data = _clean(values, resource)
    with transaction.atomic():
        dataset = Dataset.objects.create(
            resource=resource,
            source=source,
            publisher=resource.provider,
            published_by=actor,
            search_text=search_text(data["title"], data["description"], data["keywords"]),
            **data,
        )
        Distribution.objects.bulk_create(
            [Distribution(dataset=dataset, format=fmt) for fmt in DistributionFormat.values]
        )
        audit.record(
            "opendata.dataset_published",
            actor=actor,
            obj=dataset,
            detail={"resource": resource.code, "source": source, "title": dataset.title},
        )
        enqueue_generation(dataset)
    return dataset


def update_dataset(dataset: Dataset, *, actor: User, **values: Any) -> Dataset:
    """更新 The description of a dataset, and new files from the current data."""
    require_official_of(actor, dataset.publisher, "更新本部门的数据集")
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().select_related("resource").get(pk=dataset.pk)
        if locked.status != DatasetStatus.PUBLISHED:
            raise Conflict("数据集已撤回", code=OpendataErrorCode.INVALID_TRANSITION)
        _check_resource(locked.resource)
        current = {key: getattr(locked, key) for key in DESCRIPTION_KEYS}
        data = _clean({**current, **{k: v for k, v in values.items() if v is not None}}, locked.resource)
        for key, value in data.items():
            setattr(locked, key, value)
        locked.search_text = search_text(locked.title, locked.description, locked.keywords)
        locked.modified = timezone.now()
        locked.lock_version += 1
        locked.save(update_fields=[*DESCRIPTION_KEYS, "search_text", "modified", "lock_version"])
        audit.record("opendata.dataset_updated", actor=actor, obj=locked, detail={"title": locked.title})
        enqueue_generation(locked)
    return locked


def withdraw_dataset(dataset: Dataset, *, actor: User, reason: str) -> Dataset:
    """撤回 The dataset leaves the portal; its files can no longer be downloaded."""
    require_official_of(actor, dataset.publisher, "撤回本部门的数据集")
    reason = reason.strip()
    if not reason:
        raise _invalid("请填写撤回原因", "reason")
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        if locked.status != DatasetStatus.PUBLISHED:
            raise Conflict("数据集已撤回", code=OpendataErrorCode.INVALID_TRANSITION)
        locked.status, locked.withdraw_reason = DatasetStatus.WITHDRAWN, reason
        locked.modified = timezone.now()
        locked.lock_version += 1
        locked.save(update_fields=["status", "withdraw_reason", "modified", "lock_version"])
        audit.record("opendata.dataset_withdrawn", actor=actor, obj=locked, detail={"reason": reason})
    return locked
