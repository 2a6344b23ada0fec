"""Shared pieces of the 事项管理 pages: the service-manager gate, the manager's scope, the item lookup,
the navigation counter and the post/redirect step of a form page.

Who may do what is decided in :mod:`yiwang.catalog.permissions` and :mod:`yiwang.catalog.actions`;
these helpers only apply it to a request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from yiwang.catalog import reads
from yiwang.catalog.consistency import region_prefix
from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.catalog.permissions import is_service_manager, region_covers, require_manager
from yiwang.core.errors import DomainError, PermissionDenied
from yiwang.core.models import Region
from yiwang.web.ui import current_user, is_staff_user, render_error

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"error_title": _("无权访问"), "error_message": _("事项管理仅限事项管理员使用。"), "status": 403},
        status=403,
    )


def manager_required(view: View) -> View:
    """Service managers only: anonymous users go to the workbench login, everybody else gets 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("workbench:login"))
        if not is_staff_user(request.user) or not is_service_manager(request.user):
            return _forbidden(request)
        if not getattr(request.user, "is_verified", lambda: True)():
            # 多因素认证: staff pass the second factor before any workbench page.
            try:
                target = reverse("workbench:mfa")
            except NoReverseMatch:
                target = reverse("workbench:login")
            return redirect_to_login(request.get_full_path(), target)
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render_error(request, exc)

    return cast(View, wrapper)


def manager_scope(request: HttpRequest) -> Region:
    """The region the manager acts for (his organisation's region and everything below it)."""
    return current_user(request).staff_profile.organisation.region  # type: ignore[no-any-return]


def items_in_scope(request: HttpRequest) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(region__full_code__startswith=region_prefix(manager_scope(request)))


def managed_item(request: HttpRequest, public_id: UUID) -> ServiceItem:
    """The item, if the manager's region covers it (else 404/403 through ``manager_required``)."""
    item = reads.get_item(public_id)
    require_manager(current_user(request), item.region)
    return item


def nav_context(request: HttpRequest) -> dict[str, Any]:
    """The counter in the catalogue navigation: items waiting for this manager's review."""
    items = items_in_scope(request)
    return {
        "review_count": items.filter(status=ItemStatus.SUBMITTED)
        .exclude(submitted_by=current_user(request))
        .count(),
    }


def report_region(request: HttpRequest) -> Region:
    """The region a report covers: ``?region=<code>`` inside the manager's scope, else the scope."""
    scope = manager_scope(request)
    code = request.GET.get("region", "").strip()
    if code:
        region = Region.objects.filter(code=code).first()
        if region is None or not region_covers(scope, region):
            raise PermissionDenied(_("该行政区划不在您的管理范围内"), code=CatalogErrorCode.NOT_IN_SCOPE)
        return region
    return scope


def save_and_redirect(
    request: HttpRequest, save: Callable[[], str], to: str, *args: Any
) -> tuple[HttpResponse | None, DomainError | None]:
    """Run a form's ``save`` (which returns the success message).

    Success: the message is queued and the redirect to ``to`` (a URL name with ``args``) returned;
    refusal: the DomainError is returned for the page to show next to its controls.
    """
    try:
        done = save()
    except DomainError as exc:
        return None, exc
    messages.success(request, done)
    return redirect(to, *args), None
