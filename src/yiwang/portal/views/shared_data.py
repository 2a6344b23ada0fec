"""我的数据被谁使用: the data subject sees which department's system read his records through the
sharing gateway (time, department, system, resource, fields, purpose, case number), newest first, in
keyset pages; only the calls about him that were served."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from yiwang.core import keyset
from yiwang.sharing import gateway_reads
from yiwang.sharing.models import ResourceField
from yiwang.web.ui import applicant_required, current_user

PAGE_SIZE = 20
ORDERING = ("-at", "-id")


@applicant_required
def my_shared_data(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    page = keyset.keyset_page(
        gateway_reads.calls_about(user), ORDERING, request.GET.get("cursor"), size=PAGE_SIZE
    )
    resource_ids = {call.resource_id for call in page.rows if call.resource_id}
    labels = {
        (resource_id, name): label
        for resource_id, name, label in ResourceField.objects.filter(
            resource_id__in=resource_ids
        ).values_list("resource_id", "name", "label")
    }
    rows = [
        {
            "at": call.at,
            "organisation": call.organisation.name if call.organisation else "",
            "system": call.consumer.name if call.consumer else "",
            "resource": call.resource.name if call.resource else call.resource_code,
            "fields": gettext("、").join(labels.get((call.resource_id, name), name) for name in call.fields),
            "purpose": call.purpose,
            "case_number": call.case_number,
            "found": call.result == "ok",
        }
        for call in page.rows
    ]
    return render(
        request,
        "portal/my_shared_data.html",
        {
            "rows": rows,
            "previous_query": page.previous_query(request.GET),
            "next_query": page.next_query(request.GET),
        },
    )
