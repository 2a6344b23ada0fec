"""Queries shared by the sharing pages and API, and the read the gateway asks before every call
(:func:`active_grant`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from yiwang.core.models import Organisation
from yiwang.sharing.models import (
    Catalogue,
    Grant,
    GrantStatus,
    RequestStatus,
    Resource,
    ResourceStatus,
    ShareRequest,
)
from yiwang.sharing.services.permissions import (
    is_catalogue_manager,
    official_organisation_id,
)


def active_grant(
    consumer: Organisation | int, resource: Resource | int, at: datetime | None = None
) -> Grant | None:
    """The grant that lets ``consumer`` read ``resource`` at ``at`` (now by default): active, the
    day inside ``valid_from``…``valid_until``, the resource published and not retired.  Its
    ``fields`` are the field names allowed, ``quota_per_day`` the daily call quota (None: none)."""
    day = timezone.localdate(at or timezone.now())
    consumer_id = consumer if isinstance(consumer, int) else consumer.pk
    resource_id = resource if isinstance(resource, int) else resource.pk
    return (
        Grant.objects.filter(
            consumer_id=consumer_id,
            resource_id=resource_id,
            status=GrantStatus.ACTIVE,
            valid_from__lte=day,
            valid_until__gte=day,
            resource__published_version__isnull=False,
        )
        .exclude(resource__status=ResourceStatus.RETIRED)
        .order_by("-valid_until", "-pk")
        .first()
    )


# --- catalogue -----------------------------------------------------------------------------------
def catalogue_tree() -> list[dict[str, Any]]:
    """Every catalogue as nested ``{"catalogue": c, "children": [...]}`` nodes (one query)."""
    nodes = list(Catalogue.objects.select_related("organisation").order_by("kind", "order", "code"))
    children: dict[int | None, list[Catalogue]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def build(parent_id: int | None, depth: int) -> list[dict[str, Any]]:
        if depth > 20:
            return []
        return [
            {"catalogue": node, "children": build(node.pk, depth + 1)} for node in children.get(parent_id, [])
        ]

    return build(None, 0)


def visible_resources(user: Any) -> QuerySet[Resource]:
    """Published resources for every staff member; a provider's data officials also see its drafts;
    catalogue managers (reviewers) see every resource."""
    qs = Resource.objects.select_related("provider")
    if is_catalogue_manager(user):
        return qs
    condition = Q(published_version__isnull=False)
    organisation_id = official_organisation_id(user)
    if organisation_id is not None:
        condition |= Q(provider_id=organisation_id)
    return qs.filter(condition)


def search_resources(
    user: Any,
    *,
    q: str = "",
    provider: Any = None,
    share_type: str = "",
    catalogue: Any = None,
    status: str = "",
) -> QuerySet[Resource]:
    """Resources matching a name/code search and the filters (public ids), in code order."""
    qs = visible_resources(user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if provider:
        qs = qs.filter(provider__public_id=provider)
    if share_type:
        qs = qs.filter(share_type=share_type)
    if catalogue:
        qs = qs.filter(catalogues__public_id=catalogue)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("code").distinct()


def resource_detail_queryset() -> QuerySet[Resource]:
    return Resource.objects.select_related("provider").prefetch_related(
        "fields", Prefetch("catalogues", queryset=Catalogue.objects.order_by("code"))
    )


# --- requests and grants -------------------------------------------------------------------------
def request_queryset() -> QuerySet[ShareRequest]:
    return ShareRequest.objects.select_related("consumer", "resource", "resource__provider", "requester")


def requests_as_consumer(user: Any) -> QuerySet[ShareRequest]:
    """发出的申请 The requests of the user's organisation (data officials only)."""
    organisation_id = official_organisation_id(user)
    if organisation_id is None:
        return ShareRequest.objects.none()
    return request_queryset().filter(consumer_id=organisation_id)


def requests_as_provider(user: Any) -> QuerySet[ShareRequest]:
    """收到的申请 The requests for the user's organisation's resources (data officials only)."""
    organisation_id = official_organisation_id(user)
    if organisation_id is None:
        return ShareRequest.objects.none()
    return request_queryset().filter(resource__provider_id=organisation_id)


def visible_requests(user: Any) -> QuerySet[ShareRequest]:
    organisation_id = official_organisation_id(user)
    if organisation_id is None:
        return ShareRequest.objects.none()
    return request_queryset().filter(
        Q(consumer_id=organisation_id) | Q(resource__provider_id=organisation_id)
    )


def overdue(qs: QuerySet[ShareRequest], now: datetime | None = None) -> QuerySet[ShareRequest]:
    """Pending requests past their due date (逾期未答复)."""
    return qs.filter(status=RequestStatus.PENDING, due_at__lt=now or timezone.now())


def is_overdue(share_request: ShareRequest, now: datetime | None = None) -> bool:
    return (
        share_request.status == RequestStatus.PENDING
        and share_request.due_at is not None
        and share_request.due_at < (now or timezone.now())
    )


def visible_grants(user: Any) -> QuerySet[Grant]:
    """Grants to or from the user's organisation (data officials); every grant for catalogue managers."""
    qs = Grant.objects.select_related("consumer", "resource", "resource__provider")
    if is_catalogue_manager(user):
        return qs
    organisation_id = official_organisation_id(user)
    if organisation_id is None:
        return Grant.objects.none()
    return qs.filter(Q(consumer_id=organisation_id) | Q(resource__provider_id=organisation_id))
