"""个人信息查阅记录: the applicant sees who read his personal data (department, reader masked to the
surname, role, time, what and why), newest first, in keyset pages; only his own rows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yiwang.accounts.personal_data import access_rows
from yiwang.core import keyset, personal_data
from yiwang.web.ui import applicant_required, current_user

PAGE_SIZE = 20
FIELD_LABELS = {
    personal_data.NAME: _("姓名"),
    personal_data.ID_NUMBER: _("证件号码"),
    personal_data.PHONE: _("联系电话"),
    personal_data.ADDRESS: _("地址"),
    personal_data.FORM: _("申请表"),
    personal_data.LICENCE: _("证照信息"),
}
OBJECT_LABELS = {"case": _("办件"), "licence": _("电子证照"), "account": _("账户")}


@applicant_required
def data_access_log(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    page = keyset.keyset_page(
        personal_data.reads_of(user), personal_data.ORDERING, request.GET.get("cursor"), size=PAGE_SIZE
    )
    rows = access_rows(page.rows)
    for row in rows:
        row["fields_label"] = gettext("、").join(str(FIELD_LABELS.get(f, f)) for f in row["fields"])
        row["object_label_kind"] = OBJECT_LABELS.get(row["object_type"], row["object_type"])
    return render(
        request,
        "portal/data_access_log.html",
        {
            "rows": rows,
            "previous_query": page.previous_query(request.GET),
            "next_query": page.next_query(request.GET),
        },
    )
