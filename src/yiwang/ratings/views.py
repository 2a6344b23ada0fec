"""Pages of ratings: the public rating page /rate/<token>/ (no log-in; mobile-friendly, accessible)
and the workbench pages /workbench/ratings/ (rectifications: list, detail with the actions) and
/workbench/ratings/indicators/ (a table).  They call the same services and ``allowed_actions`` as
the API."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yiwang.core.errors import DomainError, NotFound
from yiwang.core.paging import paginate
from yiwang.ratings import reads, services
from yiwang.ratings.actions import invitation_actions, rectification_actions
from yiwang.ratings.errors import RatingsErrorCode
from yiwang.ratings.models import (
    RatingChannel,
    RatingLevel,
    RatingReason,
    ReasonKind,
    Rectification,
    RectificationStatus,
)
from yiwang.ratings.personal_data import masked_contact
from yiwang.ratings.reads import by_token, check_period, scope_of
from yiwang.web.ui import current_user, domain_errors, staff_required

PER_PAGE = 50


@domain_errors
def rate_page(request: HttpRequest, token: str) -> HttpResponse:
    """The public rating page: rate once, then follow up once."""
    inv = by_token(token)
    rating = getattr(inv, "rating", None) if inv.status != "pending" else None
    actions = invitation_actions(inv, rating is not None, bool(rating and rating.followup_at))
    actor = request.user if request.user.is_authenticated else None
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "follow_up":
                services.follow_up(inv, comment=request.POST.get("comment", ""), actor=actor)
            else:
                channel = request.POST.get("channel", "")
                services.rate(
                    inv,
                    level=int(request.POST.get("level", "0") or 0)
                    if request.POST.get("level", "").isdigit()
                    else 0,
                    channel=channel if channel in RatingChannel.values else RatingChannel.SMS,
                    reasons=request.POST.getlist("reasons")[:10],
                    comment=request.POST.get("comment", ""),
                    actor=actor,
                )
            return redirect("ratings_public:rate", token=token)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error = exc.message
    rect = getattr(rating, "rectification", None) if rating is not None and rating.is_bad else None
    context = {
        "inv": inv,
        "rating": rating,
        "rect": rect,
        "actions": actions,
        "error": error,
        "levels": RatingLevel.choices,
        "good_reasons": RatingReason.objects.filter(active=True, kind=ReasonKind.GOOD),
        "bad_reasons": RatingReason.objects.filter(active=True, kind=ReasonKind.BAD),
        "channel": request.GET.get("c", "sms")
        if request.GET.get("c", "sms") in RatingChannel.values
        else "sms",
    }
    return render(request, "ratings/rate.html", context, status=200 if not error else 400)


@staff_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    status = request.GET.get("status", "active")
    if status not in [*RectificationStatus.values, "active", ""]:
        status = "active"
    rows = reads.filtered_rectifications(reads.visible_rectifications(user), status=status)
    page = paginate(request.GET, rows, PER_PAGE)
    return render(
        request,
        "ratings/rectifications.html",
        {"page": page, "status": status, "statuses": RectificationStatus.choices},
    )


def _rectification(user: Any, rectification_id: UUID) -> Rectification:
    r = reads.visible_rectifications(user).filter(public_id=rectification_id).first()
    if r is None:
        raise Http404(_("整改任务不存在"))
    return r


@staff_required
def rectification_detail(request: HttpRequest, rectification_id: UUID) -> HttpResponse:
    user = current_user(request)
    r = _rectification(user, rectification_id)
    context = {"r": r, "actions": rectification_actions(user, r), "contact": masked_contact(user, r)}
    return render(request, "ratings/rectification_detail.html", context)


ACTIONS = {"callback", "rectify", "reply", "revisit", "close", "escalate"}


@require_POST
@staff_required
@domain_errors
def rectification_act(request: HttpRequest, rectification_id: UUID, action: str) -> HttpResponse:
    user = current_user(request)
    if action not in ACTIONS:
        raise Http404(_("未知操作"))
    r = _rectification(user, rectification_id)
    text = request.POST.get("text", "")[:2000]
    yes = request.POST.get("answer") == "yes"
    try:
        if action == "callback":
            services.call_back(r, actor=user, genuine=yes, note=text)
        elif action == "rectify":
            services.rectify(r, actor=user, text=text)
        elif action == "reply":
            services.reply(r, actor=user, text=text)
        elif action == "revisit":
            services.revisit(r, actor=user, satisfied=yes, note=text)
        elif action == "close":
            services.close(r, actor=user, comment=text)
        else:
            services.escalate(r, actor=user)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash.error(request, exc.message)
        return redirect("ratings:rectification", rectification_id=rectification_id)
    flash.success(request, _("已处理"))
    return redirect("ratings:rectification", rectification_id=rectification_id)


def _date(raw: str, default: date) -> date:
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return default


@staff_required
@domain_errors
def indicators_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    today = timezone.localdate()
    start = _date(request.GET.get("start", ""), today.replace(day=1))
    end = _date(request.GET.get("end", ""), today)
    by = request.GET.get("by", "department")
    if by not in reads.GROUPS or by == "department_region":
        by = "department"
    try:
        organisations = scope_of(user)
    except DomainError:
        raise NotFound(_("无可查看的评价指标"), code=RatingsErrorCode.NOT_FOUND) from None
    check_period(start, end)
    rows = reads.indicators(start, end, by, organisations=organisations)
    return render(
        request,
        "ratings/indicators.html",
        {"rows": rows, "start": start, "end": end, "by": by},
    )
