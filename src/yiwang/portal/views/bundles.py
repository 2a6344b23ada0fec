"""一件事 pages: the list of "one thing" bundles and the guide of one bundle (merged form fields,
materials asked once).  Filing a bundle application belongs to the case pages."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.catalog.bundles import (
    bundle_materials,
    get_published_bundle,
    list_bundles,
    material_count_without_bundle,
    merged_form,
)
from yiwang.catalog.models import BundleAudience
from yiwang.web.ui import domain_errors


def bundle_list(request: HttpRequest) -> HttpResponse:
    audience = request.GET.get("audience", "").strip()
    audience = audience if audience in BundleAudience.values else ""
    bundles = list_bundles(audience or None)
    return render(
        request,
        "portal/bundle_list.html",
        {"bundles": bundles, "audience": audience, "audiences": BundleAudience.choices},
    )


@domain_errors
def bundle_guide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    bundle = get_published_bundle(public_id)
    materials = bundle_materials(bundle)
    form = merged_form(bundle)
    return render(
        request,
        "portal/bundle_guide.html",
        {
            "bundle": bundle,
            "members": list(bundle.members.all()),
            "form": form,
            "materials": materials,
            "materials_saved": material_count_without_bundle(bundle) - len(materials),
            "fields_saved": form.field_count_without_bundle
            - len(form.fields)
            - sum(len(specs) for _, specs in form.remaining),
        },
    )
