"""Small page helpers shared by every page (portal, workbench, app pages): form fields, errors, redirects.

Pages call the domain services and turn a :class:`~yiwang.core.errors.DomainError` into the
message at the top of the form, the per-field messages next to the fields (linked with
``aria-describedby``) and the 4xx status the error carries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from yiwang.core.errors import CoreErrorCode, DomainError

if TYPE_CHECKING:
    from yiwang.accounts.models import User

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
Result = TypeVar("Result")


#: ``accounts.AccountKind.STAFF``; the web kit depends on no app, so it compares the stored value.
STAFF_KIND = "staff"


def current_user(request: HttpRequest) -> User:
    return cast("User", request.user)


def is_staff_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "kind", "") == STAFF_KIND)


def field(
    name: str,
    label: str,
    *,
    type: str = "text",
    value: Any = "",
    errors: Iterable[str] | None = None,
    required: bool = False,
    help: str = "",
    choices: Iterable[tuple[str, str]] | None = None,
    field_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Describe one form control for ``includes/field.html``."""
    control_id = field_id or f"id_{name}"
    error_list = [str(error) for error in (errors or [])]
    described = []
    if help:
        described.append(f"{control_id}-help")
    if error_list:
        described.append(f"{control_id}-error")
    return {
        "name": name,
        "id": control_id,
        "label": label,
        "type": type,
        "value": "" if value is None else value,
        "errors": error_list,
        "required": required,
        "help": help,
        "choices": [(str(key), str(text)) for key, text in (choices or [])],
        "describedby": " ".join(described),
        **extra,
    }


def required_field(
    name: str,
    label: str,
    exc: DomainError | None,
    *,
    error_key: str | Iterable[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A required control showing the refusal's messages for ``error_key`` (a key or several keys;
    default: the control's own name)."""
    keys = [error_key or name] if isinstance(error_key, str | None) else list(error_key)
    errors = [message for key in keys for message in field_errors(exc, key or name)]
    return field(name, label, required=True, errors=errors, **extra)


def error_context(exc: DomainError, labels: Mapping[str, tuple[str, str]] | None = None) -> dict[str, Any]:
    """The error summary: the message plus one link per field error.

    ``labels`` maps a service's field key to (control id, label) so the summary links to the
    control; unknown keys are listed without a link target of their own.
    """
    labels = labels or {}
    links = []
    for key, messages in (exc.fields or {}).items():
        control_id, label = labels.get(str(key), (f"id_{key}", str(key)))
        label = _(str(label))  # the label tables hold gettext_noop-marked source strings
        text = _("；").join(str(message) for message in _as_list(messages))
        if str(key) in labels:
            links.append({"id": control_id, "label": label, "text": text})
    upgrade_url = (
        (exc.fields or {}).get("upgrade_url") if exc.code == CoreErrorCode.ASSURANCE_TOO_LOW else None
    )
    return {"message": exc.message, "code": exc.code, "links": links, "upgrade_url": upgrade_url}


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def field_errors(exc: DomainError | None, key: str) -> list[str]:
    if exc is None:
        return []
    return [str(message) for message in _as_list((exc.fields or {}).get(key, []))]


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` parameter when it points back into this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def render_error(request: HttpRequest, exc: DomainError, *, title: str = "") -> HttpResponse:
    """A page that only shows the refusal (e.g. a case the user may not see)."""
    return render(
        request,
        "error.html",
        {
            "error_title": title or _default_title(exc.status),
            "error_message": exc.message,
            "status": exc.status,
        },
        status=exc.status,
    )


def rerender(
    request: HttpRequest, template: str, context: Callable[[DomainError], Mapping[str, Any]]
) -> Callable[[DomainError], HttpResponse]:
    """The form page again, showing the refusal (``context(exc)``) with the status the refusal carries."""

    def page(exc: DomainError) -> HttpResponse:
        return render(request, template, dict(context(exc)), status=exc.status)

    return page


def attempt(
    request: HttpRequest,
    action: Callable[[], Result],
    *,
    done: str | Callable[[Result], HttpResponseBase],
    success: str | Callable[[Result], str] = "",
    failed: Callable[[DomainError], HttpResponseBase] | None = None,
) -> HttpResponseBase:
    """Run a form's action and answer the way every form page does.

    Done: flash ``success`` (a text, or made from the action's result) and go to ``done`` (a URL, a
    URL name, or a function of the result).  Refused (a :class:`DomainError`): answer ``failed(exc)``,
    usually :func:`rerender` of the form with its messages; without ``failed`` flash the refusal and
    go to ``done``, which must then be a URL or URL name.
    """
    try:
        result = action()
    except DomainError as exc:
        if failed is not None:
            return failed(exc)
        if not isinstance(done, str):
            raise
        flash.error(request, exc.message)
        return redirect(done)
    text = success(result) if callable(success) else success
    if text:
        flash.success(request, text)
    return redirect(done) if isinstance(done, str) else done(result)


def _default_title(status: int) -> str:
    return {
        403: _("无权访问"),
        404: _("页面不存在"),
        409: _("操作冲突"),
        413: _("文件过大"),
        415: _("文件类型不支持"),
        429: _("操作过于频繁"),
    }.get(status, _("无法完成操作"))


def domain_errors(view: View) -> View:
    """Turn an uncaught DomainError into an error page with its status (never a 500)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            if exc.code == CoreErrorCode.ASSURANCE_TOO_LOW and (exc.fields or {}).get("upgrade_url"):
                # Not an error page: the way to the level the action needs.
                return redirect(str(exc.fields["upgrade_url"]))
            return render_error(request, exc)

    return cast(View, wrapper)


def applicant_required(view: View) -> View:
    """My space: anonymous users go to the login page; staff go to their workbench."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse(settings.LOGIN_URL))
        if is_staff_user(request.user):
            return redirect("workbench:todo")
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def staff_required(view: View) -> View:
    """Only staff: anonymous users go to the workbench login, applicants get a 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("workbench:login"))
        if not is_staff_user(request.user):
            return render(
                request,
                "error.html",
                {
                    "error_title": _("无权访问"),
                    "error_message": _("工作台仅限政务服务工作人员使用。"),
                    "status": 403,
                },
                status=403,
            )
        if not request.user.is_verified():  # type: ignore[union-attr,attr-defined]
            # 多因素认证: a password alone never opens the workbench.
            return redirect_to_login(request.get_full_path(), reverse("workbench:mfa"))
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def file_response(field_file: Any, filename: str, content_type: str = "application/pdf") -> FileResponse:
    """A stored file as a private download (never cached by proxies or the browser)."""
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


def download_response(download: Any) -> FileResponse:
    """A download described by plain data (``file``, ``filename``, ``content_type``; e.g.
    ``cases.downloads.Download``) as a private file response."""
    return file_response(download.file, download.filename, download.content_type)
