"""供数授权 Which exchange node may feed which base database, as which department (the system
administrator's page; the feeds themselves arrive through the exchange system, docs/bases.md).

The page lists every authorisation, authorises a node (or moves it to another department) and
withdraws one; both go through ``bases.services.authorise_feed``, which audits the change."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.accounts.models import StaffRole, User
from yiwang.accounts.services import staff_roles
from yiwang.bases.models import BaseKind, FeedSource
from yiwang.bases.services import authorise_feed
from yiwang.core.errors import CoreErrorCode, DomainError, PermissionDenied
from yiwang.core.models import Organisation
from yiwang.exchange.models import ExchangeNode
from yiwang.web.ui import attempt, domain_errors, staff_required


def require_feed_admin(user: User) -> None:
    """Only the system administrator (系统管理员) authorises feeds."""
    if not (user.is_superuser or StaffRole.ADMIN in staff_roles(user)):
        raise PermissionDenied("仅系统管理员可管理基础库供数授权")


def _form_values(request: HttpRequest) -> tuple[ExchangeNode, str, Organisation]:
    node = ExchangeNode.objects.filter(node_id=request.POST.get("node", "")[:64], active=True).first()
    organisation = Organisation.objects.filter(credit_code=request.POST.get("organisation", "")[:18]).first()
    base = request.POST.get("base", "")[:16]
    problems: dict[str, list[str]] = {}
    if node is None:
        problems["node"] = [_("请选择启用的交换节点")]
    if organisation is None:
        problems["organisation"] = [_("请选择部门")]
    if base not in BaseKind.values:
        problems["base"] = [_("请选择基础库")]
    if problems:
        raise DomainError(CoreErrorCode.VALIDATION_ERROR, _("请检查填写的内容"), problems)
    assert node is not None and organisation is not None
    return node, base, organisation


@staff_required
@domain_errors
def feed_sources(request: HttpRequest) -> HttpResponseBase:
    user: User = request.user  # type: ignore[assignment]
    require_feed_admin(user)
    if request.method == "POST":

        def authorise() -> FeedSource:
            node, base, organisation = _form_values(request)
            return authorise_feed(node=node, base=base, organisation=organisation, actor=user)

        return attempt(request, authorise, done="sharing:feed_sources", success=_("已授权"))
    return _page(request)


def _page(request: HttpRequest, status: int = 200) -> HttpResponse:
    rows = FeedSource.objects.select_related("node", "organisation").order_by("base", "node__node_id")
    return render(
        request,
        "sharing/feed_sources.html",
        {
            "rows": rows,
            "nodes": ExchangeNode.objects.filter(active=True).order_by("node_id"),
            "organisations": Organisation.objects.filter(is_active=True).order_by("name"),
            "bases": BaseKind.choices,
        },
        status=status,
    )


@require_POST
@staff_required
@domain_errors
def feed_source_revoke(request: HttpRequest, source_id: int) -> HttpResponseBase:
    user: User = request.user  # type: ignore[assignment]
    require_feed_admin(user)
    source = FeedSource.objects.select_related("node", "organisation").filter(pk=source_id).first()
    if source is None:
        raise Http404
    return attempt(
        request,
        lambda: authorise_feed(
            node=source.node, base=source.base, organisation=source.organisation, active=False, actor=user
        ),
        done="sharing:feed_sources",
        success=_("已停止该节点供数"),
    )
