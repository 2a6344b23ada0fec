"""Publishing, updating and withdrawing datasets: only the provider's data officials, only open
resources (conditional ones with a licence note), audited, files regenerated."""

from __future__ import annotations

import pytest

from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.opendata import services
from yiwang.opendata.actions import allowed_actions
from yiwang.opendata.models import DatasetSource, DatasetStatus
from yiwang.opendata.tests.factories import FIELDS, base_data, open_resource, publish, published_resource
from yiwang.sharing.models import OpenType

pytestmark = pytest.mark.django_db
GEO = DatasetSource.GEOGRAPHY


def test_only_the_providers_data_official_publishes(world):
    resource = open_resource(world.market_official, world.reviewer, GEO)
    for actor, code in (
        (world.police_official, "sharing_not_provider"),
        (world.market_clerk, "sharing_role_required"),
        (world.reviewer, "sharing_not_provider"),
    ):
        with pytest.raises(DomainError) as refused:
            publish(actor, resource, GEO)
        assert refused.value.code == code and refused.value.status == 403


def test_a_closed_or_unpublished_resource_is_not_opened(world):
    closed = published_resource(
        world.market_official,
        world.reviewer,
        name="不开放资源",
        fields=FIELDS[GEO],
        open_type=OpenType.CLOSED,
    )
    with pytest.raises(DomainError) as refused:
        publish(world.market_official, closed, GEO)
    assert refused.value.code == "opendata_not_open"
    conditional = open_resource(world.market_official, world.reviewer, GEO, open_type=OpenType.CONDITIONAL)
    with pytest.raises(DomainError) as refused:
        publish(world.market_official, conditional, GEO)
    assert refused.value.code == "opendata_not_open" and "licence_note" in refused.value.fields
    dataset = publish(world.market_official, conditional, GEO, licence_note="仅限非商业研究使用")
    assert dataset.licence_note == "仅限非商业研究使用"


def test_publish_update_withdraw_lifecycle(world, django_capture_on_commit_callbacks):
    base_data()
    official = world.market_official
    resource = open_resource(official, world.reviewer, GEO)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dataset = publish(official, resource, GEO)
    assert len(callbacks) == 1
    first = dataset.distributions.get(format="csv").sha256
    assert set(allowed_actions(official, dataset)) == {"download", "update", "withdraw"}
    assert allowed_actions(world.police_official, dataset) == ["download"]
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.update_dataset(dataset, actor=official, title="区划（新）", keywords=["区划"])
    assert updated.title == "区划（新）" and updated.lock_version == 1
    assert dataset.distributions.get(format="csv").sha256 == first  # same data, same file
    with pytest.raises(DomainError):
        services.withdraw_dataset(dataset, actor=official, reason=" ")
    withdrawn = services.withdraw_dataset(dataset, actor=official, reason="数据口径调整")
    assert withdrawn.status == DatasetStatus.WITHDRAWN
    assert allowed_actions(official, withdrawn) == []
    with pytest.raises(DomainError) as again:
        services.withdraw_dataset(withdrawn, actor=official, reason="再次")
    assert again.value.code == "opendata_invalid_transition"
    actions = list(
        AuditEvent.objects.filter(object_id=str(dataset.public_id))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        "opendata.dataset_published",
        "opendata.files_generated",
        "opendata.dataset_updated",
        "opendata.files_generated",
        "opendata.dataset_withdrawn",
    ]


def test_search_text_has_words_and_pinyin(world):
    resource = open_resource(world.market_official, world.reviewer, GEO)
    dataset = publish(world.market_official, resource, GEO, title="行政区划", keywords=["边界"])
    assert "区划" in dataset.search_text and "xingzhengquhua" in dataset.search_text
    assert "xzqh" in dataset.search_text and "边界" in dataset.search_text
