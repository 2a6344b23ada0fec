"""版本与审核: draft → submitted → approved → published → withdrawn, revisions, immutable versions,
field-level diff, and who may do what (owning region's managers edit; another manager reviews)."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.accounts.models import User
from yiwang.catalog import services
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import (
    ImmutableVersionError,
    ItemReview,
    ItemStatus,
    ServiceItem,
    ServiceItemVersion,
)
from yiwang.catalog.tests.factories import BaseItemFactory, ServiceItemFactory
from yiwang.catalog.versions import diff_snapshots
from yiwang.core.errors import DomainError
from yiwang.core.models import Organisation


@pytest.fixture
def draft(market_bureau: Organisation, manager: User) -> ServiceItem:
    base = BaseItemFactory(
        code="117001", name="食品经营许可", legal_basis="《中华人民共和国食品安全法》第三十五条"
    )
    return services.create_item(
        actor=manager,
        implementing_body=market_bureau,
        base_item=base,
        exercise_level="3",
        statutory_limit_days=10,
        committed_limit_days=5,
        conditions="有与经营的食品品种相适应的场所",
        handling_forms=["1", "2"],
        service_objects=["2"],
        result_name="食品经营许可证",
        faq=[{"question": "可以网上办理吗？", "answer": "可以，全程网办。"}],
        materials=[{"name": "食品经营许可申请书", "originals": 1}, {"name": "营业执照", "copies": 1}],
        fee_items=[{"name": "工本费", "standard": "不收费", "legal_basis": ""}],
    )


def publish_reviewed(item: ServiceItem, submitter: User, reviewer: User) -> ServiceItem:
    services.submit_item(item, submitter, "请审核")
    services.review_item(item, reviewer, approve=True, comment="同意发布")
    return services.publish_item(item, submitter)


def test_review_and_publication_write_an_immutable_version(
    draft: ServiceItem, manager: User, manager2: User
) -> None:
    services.submit_item(draft, manager)
    assert draft.status == ItemStatus.SUBMITTED and draft.submitted_by == manager
    with pytest.raises(DomainError) as exc:
        services.update_item(draft, actor=manager, conditions="改")
    assert exc.value.code == CatalogErrorCode.ITEM_NOT_EDITABLE
    with pytest.raises(DomainError) as exc:
        services.review_item(draft, manager, approve=True)
    assert exc.value.code == CatalogErrorCode.SELF_REVIEW and exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.review_item(draft, manager2, approve=False)
    assert exc.value.fields == {"comment": ["请填写退回理由"]}

    services.review_item(draft, manager2, approve=False, comment="请补充受理条件")
    assert draft.status == ItemStatus.DRAFT and draft.review_comment == "请补充受理条件"
    services.update_item(draft, actor=manager, conditions="有与经营的食品品种、数量相适应的场所")
    publish_reviewed(draft, manager, manager2)

    assert draft.status == ItemStatus.PUBLISHED and draft.version == 1
    version = ServiceItemVersion.objects.get(item=draft)
    assert version.version == 1 and version.reviewed_by == manager2 and version.review_comment == "同意发布"
    assert version.snapshot["conditions"] == "有与经营的食品品种、数量相适应的场所"
    assert version.snapshot["fee_items"] == [{"name": "工本费", "standard": "不收费", "legal_basis": ""}]
    assert version.snapshot["faq"][0]["question"] == "可以网上办理吗？"
    decisions = list(ItemReview.objects.order_by("created_at", "pk").values_list("decision", flat=True))
    assert decisions == ["submitted", "rejected", "submitted", "approved"]

    # immutable: neither the instance nor the queryset may change or delete it
    version.review_comment = "改"
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.delete()
    with pytest.raises(ImmutableVersionError):
        ServiceItemVersion.objects.filter(pk=version.pk).update(review_comment="改")
    with pytest.raises(ImmutableVersionError):
        ServiceItemVersion.objects.filter(pk=version.pk).delete()
    assert ServiceItemVersion.objects.get(pk=version.pk).review_comment == "同意发布"


def test_nobody_edits_a_published_item(
    draft: ServiceItem, manager: User, manager2: User, wuhu_manager: User, clerk: User
) -> None:
    publish_reviewed(draft, manager, manager2)
    for actor in (None, manager, manager2):
        with pytest.raises(DomainError) as exc:
            services.update_item(draft, actor=actor, conditions="直接修改")
        assert exc.value.code == CatalogErrorCode.ITEM_NOT_EDITABLE and exc.value.status == 409
    for actor in (wuhu_manager, clerk):
        with pytest.raises(DomainError) as exc:
            services.start_revision(draft, actor)
        assert exc.value.status == 403


def test_revision_replaces_the_content_under_the_same_item(
    draft: ServiceItem, manager: User, manager2: User
) -> None:
    publish_reviewed(draft, manager, manager2)
    original_material = draft.materials.get(name="营业执照")
    revision = services.start_revision(draft, manager)
    assert revision.is_revision and revision.status == ItemStatus.DRAFT
    assert revision.implementation_code == draft.implementation_code
    with pytest.raises(DomainError) as exc:
        services.start_revision(draft, manager)
    assert exc.value.code == CatalogErrorCode.REVISION_EXISTS
    with pytest.raises(DomainError) as exc:
        services.update_item(revision, actor=manager, base_code="117002")
    assert exc.value.code == CatalogErrorCode.CODE_FROZEN

    kept = revision.materials.get(name="营业执照")
    services.update_item(
        revision,
        actor=manager,
        committed_limit_days=3,
        materials=[
            {
                "public_id": str(kept.public_id),
                "name": "营业执照",
                "copies": 0,
                "source_kind": "licence",
                "licence_type_code": "11100000000013338W011",
            },
            {"name": "健康证明", "originals": 1},
        ],
    )
    rows = {row.field: row for row in services.diff_with_published(revision)}
    assert rows["committed_limit_days"].old == "5" and rows["committed_limit_days"].new == "3"
    assert rows["materials.食品经营许可申请书"].change == "removed"
    assert rows["materials.健康证明"].change == "added"
    assert rows["materials.营业执照.copies"].old == "1" and rows["materials.营业执照.copies"].new == "0"
    assert rows["materials.营业执照.source_kind"].new == "licence"

    # the published version is what the portal shows until the revision is published
    assert services.get_published_item(draft.public_id).committed_limit_days == 5
    revision_pk = revision.pk
    publish_reviewed(revision, manager, manager2)
    assert not ServiceItem.objects.filter(pk=revision_pk).exists()
    assert revision.public_id == draft.public_id  # the caller's object now is the published item
    item = services.get_published_item(draft.public_id)
    assert item.version == 2 and item.committed_limit_days == 3
    assert {m.name for m in item.materials.all()} == {"营业执照", "健康证明"}
    assert item.materials.get(name="营业执照").public_id == original_material.public_id  # identity kept
    rows = {row.field for row in services.diff_versions(item, 1, 2)}
    assert {"committed_limit_days", "materials.健康证明"} <= rows
    assert [v.version for v in services.versions_of(item)] == [2, 1]


def test_discard_revision(draft: ServiceItem, manager: User, manager2: User) -> None:
    publish_reviewed(draft, manager, manager2)
    revision = services.start_revision(draft, manager)
    services.discard_revision(revision, manager)
    assert not ServiceItem.objects.filter(revision_of=draft).exists()
    with pytest.raises(DomainError):
        services.discard_revision(draft, manager)


def test_versions_keep_what_was_published(draft: ServiceItem, manager: User, manager2: User) -> None:
    publish_reviewed(draft, manager, manager2)
    draft.refresh_from_db()
    snapshot_v1 = services.guide_snapshot(services.get_published_item(draft.public_id))
    revision = services.start_revision(draft, manager)
    services.update_item(revision, actor=manager, committed_limit_days=2)
    publish_reviewed(revision, manager, manager2)
    version_1 = services.get_version(draft, 1)
    assert version_1.snapshot["committed_limit_days"] == snapshot_v1["committed_limit_days"] == 5
    assert services.get_version(draft, 2).snapshot["committed_limit_days"] == 2
    with pytest.raises(DomainError) as exc:
        services.get_version(draft, 9)
    assert exc.value.code == CatalogErrorCode.VERSION_NOT_FOUND


def test_publishing_an_inconsistent_item_is_refused_with_reasons(
    draft: ServiceItem, manager: User, manager2: User
) -> None:
    services.submit_item(draft, manager)
    services.review_item(draft, manager2, approve=True)
    base = draft.base_item
    services.update_base_item(base, actor=None, name="食品经营许可（含仅销售预包装食品备案）")
    with pytest.raises(DomainError) as exc:
        services.publish_item(draft, manager)
    assert exc.value.code == CatalogErrorCode.INCONSISTENT_WITH_BASE and exc.value.status == 409
    assert (
        "name" in exc.value.fields and "食品经营许可（含仅销售预包装食品备案）" in exc.value.fields["name"][0]
    )


@pytest.mark.parametrize("who", ["citizen", "clerk", "wuhu_manager"])
def test_only_managers_of_the_region_act(
    draft: ServiceItem, manager: User, who: str, request: pytest.FixtureRequest
) -> None:
    actor = request.getfixturevalue(who)
    calls: list[Any] = [
        lambda: services.submit_item(draft, actor),
        lambda: services.update_item(draft, actor=actor, conditions="x"),
        lambda: services.schedule_item(draft, actor),
    ]
    for call in calls:
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.status == 403
    services.submit_item(draft, manager)
    with pytest.raises(DomainError) as exc:
        services.review_item(draft, actor, approve=True)
    assert exc.value.status == 403
    draft.refresh_from_db()
    assert draft.status == ItemStatus.SUBMITTED


def test_can_review(draft: ServiceItem, manager: User, manager2: User, wuhu_manager: User) -> None:
    assert not services.can_review(manager2, draft)  # not submitted yet
    services.submit_item(draft, manager)
    assert services.can_review(manager2, draft)
    assert not services.can_review(manager, draft) and not services.can_review(wuhu_manager, draft)


def test_diff_snapshots_rows() -> None:
    old = {
        "name": "甲",
        "handling_forms": [{"code": "1", "label": "窗口办理"}],
        "fee_required": False,
        "faq": [{"question": "Q1", "answer": "A1"}],
        "version": 1,
        "item_type": "01",
        "item_type_label": "行政许可",
    }
    new = {
        "name": "甲",
        "handling_forms": [{"code": "1", "label": "窗口办理"}, {"code": "2", "label": "电脑端网上办理"}],
        "fee_required": True,
        "faq": [{"question": "Q1", "answer": "A2"}, {"question": "Q2", "answer": "B"}],
        "version": 2,
        "item_type": "20",
        "item_type_label": "公共服务",
    }
    rows = {row.field: row for row in diff_snapshots(old, new)}
    assert set(rows) == {"handling_forms", "fee_required", "faq.Q1.answer", "faq.Q2", "item_type"}
    assert rows["handling_forms"].new == "窗口办理、电脑端网上办理"
    assert rows["fee_required"].old == "否" and rows["fee_required"].new == "是"
    assert rows["item_type"].old == "01 行政许可" and rows["item_type"].new == "20 公共服务"
    assert diff_snapshots(old, old) == []


def test_factory_items_get_a_version_on_first_revision(db: None, manager: User) -> None:
    item = ServiceItemFactory(implementing_body__region__code="3401")
    assert not item.versions.exists()
    services.start_revision(item, None)
    assert [v.version for v in item.versions.all()] == [1]
