"""Pages of proactive services: managers' /workbench/proactive/ (rules with their reach, versions,
pushes, objections to decide) and the recipient's /my/proactive/ (pushes and grants received, objections,
push settings).  Forms are parsed with the API's schemas; what a user may do comes from ``actions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yiwang.core.errors import DomainError
from yiwang.core.paging import paginate
from yiwang.proactive import reads, services
from yiwang.proactive.actions import is_manager, may_manage, push_actions, rule_actions
from yiwang.proactive.errors import ProactiveErrorCode
from yiwang.proactive.models import ActionKind, EventKind, Objection, Push, Rule
from yiwang.proactive.schemas import ProactiveDecisionIn, ProactiveReasonIn, ProactiveRuleIn
from yiwang.web.forms import parse_form
from yiwang.web.ui import applicant_required, current_user, domain_errors, error_context, staff_required

PER_PAGE = 30
LIST_CONDITIONS = ("genders", "industry_prefixes", "company_types")
NUMBER_CONDITIONS = (
    "min_age",
    "max_age",
    "capital_min_fen",
    "capital_max_fen",
    "days_before",
    "male_age",
    "female_age",
)

FULLWIDTH_COMMA = chr(0xFF0C)  # lists typed with the Chinese comma are split on it too


def _manager(request: HttpRequest) -> Any:
    user = current_user(request)
    if not is_manager(user):
        raise DomainError(
            ProactiveErrorCode.FORBIDDEN, _("仅事项管理员或系统管理员可管理主动服务"), status=403
        )
    return user


def rule_form(data: Any) -> ProactiveRuleIn:
    """The rule form: conditions are fields named ``cond_<name>`` (lists comma-separated)."""
    conditions: dict[str, Any] = {}
    for key in data:
        if not key.startswith("cond_"):
            continue
        name, value = key[5:], data.getlist(key) if hasattr(data, "getlist") else data[key]
        values = [v for v in (value if isinstance(value, list) else [value]) if str(v).strip()]
        if not values:
            continue
        if name in LIST_CONDITIONS:
            conditions[name] = [
                p.strip()
                for v in values
                for p in str(v).replace(FULLWIDTH_COMMA, ",").split(",")
                if p.strip()
            ]
        else:
            conditions[name] = str(values[0]).strip()
    extra = {"conditions": conditions}
    return parse_form(
        ProactiveRuleIn,
        {k: v for k, v in data.items() if not k.startswith("cond_")},
        extra=extra,
        code=ProactiveErrorCode.INVALID_INPUT,
    )  # type: ignore[return-value]


def _rule(user: Any, rule_id: UUID) -> Rule:
    rule = Rule.objects.select_related("organisation").filter(public_id=rule_id).first()
    if rule is None or not may_manage(user, rule):
        raise Http404(_("规则不存在"))
    return rule


def _form_context(rule: Rule | None, values: Any = None, **extra: Any) -> dict[str, Any]:
    return {
        "rule": rule,
        "events": EventKind.choices,
        "action_kinds": ActionKind.choices,
        "values": values if values is not None else {},
        "conditions": (rule.conditions if rule else {}),
        "message": "",
        "links": [],
        **extra,
    }


def _save_rule(request: HttpRequest, rule: Rule | None, save: Callable[[Any], Rule]) -> HttpResponse:
    """Create or change a rule from the form; a refusal re-renders the form with its errors."""
    try:
        saved = save(rule_form(request.POST))
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return render(
            request,
            "proactive/rule_form.html",
            _form_context(rule, request.POST, **error_context(exc)),
            status=exc.status,
        )
    return redirect("proactive:rule", rule_id=saved.public_id)


@staff_required
@domain_errors
def rules(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    if request.method == "POST":
        return _save_rule(request, None, lambda body: services.create_rule(user, body))
    page = paginate(request.GET, reads.manageable_rules(user), PER_PAGE)
    return render(request, "proactive/rules.html", {"page": page})


@staff_required
@domain_errors
def new_rule(request: HttpRequest) -> HttpResponse:
    _manager(request)
    return render(request, "proactive/rule_form.html", _form_context(None))


@staff_required
@domain_errors
def rule_detail(request: HttpRequest, rule_id: UUID) -> HttpResponse:
    user = _manager(request)
    rule = _rule(user, rule_id)
    if request.method == "POST":
        return _save_rule(request, rule, lambda body: services.update_rule(user, rule, body))
    return render(
        request,
        "proactive/rule.html",
        {
            "rule": rule,
            "actions": rule_actions(user, rule),
            "reach": reads.reach(rule),
            "versions": rule.versions.order_by("-version")[:20],
            "pushes": rule.pushes.order_by("-created_at", "-pk")[:30],
        },
    )


@staff_required
@domain_errors
def edit_rule(request: HttpRequest, rule_id: UUID) -> HttpResponse:
    user = _manager(request)
    rule = _rule(user, rule_id)
    if "edit" not in rule_actions(user, rule):
        raise DomainError(ProactiveErrorCode.INVALID_STATE, _("已停用的规则不能修改"), status=409)
    return render(
        request,
        "proactive/rule_form.html",
        _form_context(
            rule,
            {
                name: getattr(rule, name)
                for name in (
                    "name",
                    "event",
                    "action",
                    "title",
                    "message",
                    "link",
                    "benefit_name",
                    "amount_fen",
                    "legal_basis",
                )
            },
        ),
    )


@staff_required
@domain_errors
def preview(request: HttpRequest) -> HttpResponse:
    """htmx: how many subjects the form's event and conditions select now."""
    _manager(request)
    try:
        body = rule_form(request.POST if request.method == "POST" else request.GET)
        count: int | None = reads.matching_count(body.event, body.conditions.model_dump())
        message = ""
    except DomainError as exc:
        count, message = None, exc.message
    return render(request, "proactive/_preview.html", {"count": count, "message": message})


@staff_required
@domain_errors
def change_status(request: HttpRequest, rule_id: UUID, action: str) -> HttpResponse:
    user = _manager(request)
    rule = _rule(user, rule_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if action == "activate":
        services.activate_rule(user, rule)
    elif action == "retire":
        services.retire_rule(user, rule)
    else:
        raise Http404(_("没有这个操作"))
    return redirect("proactive:rule", rule_id=rule.public_id)


@staff_required
@domain_errors
def objections(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    status = request.GET.get("status", "open")
    status = status if status in ("open", "upheld", "rejected", "") else "open"
    page = paginate(request.GET, reads.objections_for(user, status=status), PER_PAGE)
    return render(request, "proactive/objections.html", {"page": page, "status": status})


@staff_required
@domain_errors
def decide(request: HttpRequest, objection_id: UUID) -> HttpResponse:
    user = _manager(request)
    objection = Objection.objects.select_related("push__rule").filter(public_id=objection_id).first()
    if objection is None or not may_manage(user, objection.push.rule):
        raise Http404(_("异议不存在"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = parse_form(ProactiveDecisionIn, request.POST, code=ProactiveErrorCode.INVALID_INPUT)
    services.decide_objection(user, objection, body)  # type: ignore[arg-type]
    return redirect("proactive:objections")


# --- the recipient: /my/proactive/ -----------------------------------------------------------------
@applicant_required
def my_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    page = paginate(request.GET, reads.my_pushes(user), PER_PAGE)
    return render(request, "proactive/my_list.html", {"page": page})


def _my_push(user: Any, push_id: UUID) -> Push:
    push = reads.my_pushes(user).filter(public_id=push_id).first()
    if push is None:
        raise Http404(_("没有这条记录"))
    return push


@applicant_required
@domain_errors
def my_detail(request: HttpRequest, push_id: UUID) -> HttpResponse:
    user = current_user(request)
    push = _my_push(user, push_id)
    context: dict[str, Any] = {}
    failed = False
    if request.method == "POST":
        try:
            body = parse_form(ProactiveReasonIn, request.POST, code=ProactiveErrorCode.INVALID_INPUT)
            services.file_objection(user, push, body.reason)  # type: ignore[attr-defined]
            return redirect("my_proactive:detail", push_id=push.public_id)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            context, failed = {"values": request.POST, **error_context(exc)}, True
    return render(
        request,
        "proactive/my_detail.html",
        {
            "push": push,
            "actions": push_actions(user, push, open_objection=push.has_open_objection),  # type: ignore[attr-defined]
            "objections": push.objections.order_by("-created_at"),
            "values": {},
            "message": "",
            "links": [],
            **context,
        },
        status=400 if failed else 200,
    )


@applicant_required
@domain_errors
def my_settings(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        raw_rule = request.POST.get("rule_id", "")
        rule = None
        if raw_rule:
            rule = reads.rules_received(user).filter(public_id=_uuid(raw_rule)).first()
            if rule is None:
                raise Http404(_("规则不存在"))
        services.set_push_enabled(user, rule=rule, enabled=request.POST.get("enabled") == "1")
        return redirect("my_proactive:settings")
    all_off, rules_off = reads.preferences(user)
    return render(
        request,
        "proactive/my_settings.html",
        {"all_off": all_off, "rules": [(r, r.pk in rules_off) for r in reads.rules_received(user)]},
    )


def _uuid(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise Http404(_("规则不存在")) from None
