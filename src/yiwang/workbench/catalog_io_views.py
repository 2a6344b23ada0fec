"""事项导入导出 Download the catalogue as JSON or Excel and upload an import file (service managers).

The pages call :mod:`yiwang.catalog.io`; an import with any bad row imports nothing and the page
lists every error by row and field.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.catalog.errors import CatalogErrorCode
from yiwang.catalog.io import MAX_BYTES, export_catalog, import_catalog
from yiwang.core.errors import DomainError
from yiwang.web.ui import current_user
from yiwang.workbench.catalog_common import manager_required

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@manager_required
def catalog_io(request: HttpRequest) -> HttpResponse:
    """导入导出 page: export links and the import form (POST multipart ``file``)."""
    error: DomainError | None = None
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = DomainError(
                CatalogErrorCode.IMPORT_UNREADABLE, _("请选择要导入的文件"), {"file": [_("请选择文件")]}
            )
        elif upload.size is not None and upload.size > MAX_BYTES:
            error = DomainError(
                CatalogErrorCode.IMPORT_UNREADABLE, _("文件过大（不超过 20 MB）"), {"file": [_("文件过大")]}
            )
        elif not (upload.name or "").lower().endswith((".json", ".xlsx")):
            error = DomainError(
                CatalogErrorCode.IMPORT_UNREADABLE,
                _("只能导入 .json 或 .xlsx 文件"),
                {"file": [upload.name or ""]},
            )
        else:
            try:
                report = import_catalog(
                    upload.read(), filename=upload.name or "", actor=current_user(request)
                )
            except DomainError as exc:
                error = exc
            else:
                messages.success(request, _("导入成功：%(report)s。") % {"report": str(report)})
                return redirect("workbench:catalog_io")
        status = error.status if error else 200
    rows = list((error.fields or {}).get("rows", [])) if error else []
    return render(
        request,
        "workbench/catalog_io/io.html",
        {
            "error": error,
            "error_rows": rows,
            "file_errors": (error.fields or {}).get("file", []) if error else [],
        },
        status=status,
    )


@manager_required
def catalog_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the published catalogue (``?drafts=1`` adds drafts) as JSON or Excel."""
    include_drafts = request.GET.get("drafts") == "1"
    data = export_catalog(fmt, include_drafts=include_drafts, actor=current_user(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(data, content_type=CONTENT_TYPES.get(fmt, "application/octet-stream"))
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.{fmt}"'
    return response
