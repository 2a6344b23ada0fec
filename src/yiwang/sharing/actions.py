"""What a user may do with a resource, a request or a grant now: one place for what the pages,
the API and the templates offer.  The services still enforce every rule."""

from __future__ import annotations

from typing import Any

from yiwang.sharing.models import (
    Grant,
    GrantStatus,
    RequestStatus,
    Resource,
    ResourceStatus,
    ShareRequest,
    ShareType,
)
from yiwang.sharing.services.permissions import (
    is_catalogue_reviewer,
    is_data_official,
    is_official_of,
    official_organisation_id,
)


def may_create_resource(user: Any) -> bool:
    return is_data_official(user)


def allowed_actions(user: Any, obj: Resource | ShareRequest | Grant) -> frozenset[str]:
    """Resource: ``edit``, ``submit``, ``review`` (approve or return), ``retire``, ``request``.
    Request: ``decide`` (approve / narrow / refuse), ``withdraw``.  Grant: ``revoke``."""
    if isinstance(obj, Resource):
        return resource_actions(user, obj)
    if isinstance(obj, ShareRequest):
        return request_actions(user, obj)
    return grant_actions(user, obj)


def resource_actions(user: Any, resource: Resource) -> frozenset[str]:
    actions: set[str] = set()
    if is_official_of(user, resource.provider_id):
        if resource.status in (ResourceStatus.DRAFT, ResourceStatus.PUBLISHED):
            actions.add("edit")
        if resource.status == ResourceStatus.DRAFT:
            actions.add("submit")
        if resource.status != ResourceStatus.RETIRED and resource.published_version is not None:
            actions.add("retire")
    elif (
        resource.status == ResourceStatus.IN_REVIEW
        and user.pk not in (resource.submitted_by_id, resource.created_by_id)
        and is_catalogue_reviewer(user, resource.provider_id)
    ):
        actions.add("review")
    organisation_id = official_organisation_id(user)
    if (
        organisation_id is not None
        and organisation_id != resource.provider_id
        and resource.published_version is not None
        and resource.status != ResourceStatus.RETIRED
        and resource.share_type != ShareType.NONE
    ):
        actions.add("request")
    return frozenset(actions)


def request_actions(user: Any, share_request: ShareRequest) -> frozenset[str]:
    if share_request.status != RequestStatus.PENDING:
        return frozenset()
    actions: set[str] = set()
    if is_official_of(user, share_request.resource.provider_id):
        actions.add("decide")
    if is_official_of(user, share_request.consumer_id):
        actions.add("withdraw")
    return frozenset(actions)


def grant_actions(user: Any, grant: Grant) -> frozenset[str]:
    if grant.status != GrantStatus.ACTIVE:
        return frozenset()
    if is_official_of(user, grant.resource.provider_id) or is_official_of(user, grant.consumer_id):
        return frozenset({"revoke"})
    return frozenset()
