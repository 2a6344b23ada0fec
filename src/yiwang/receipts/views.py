"""Public verification of receipts (/verify/receipts/): the target of the QR code on every receipt.
It shows whether the receipt is genuine and valid, its amount, payee, date, the payer masked, and
whether it was reversed (红冲) — never the payer's full name."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yiwang.receipts import reads
from yiwang.receipts.numbers import parse_public_code


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Enter the code printed under the QR code (票据代码 + 票据号码 + 校验码)."""
    code = (request.GET.get("code") or "").strip().replace("-", "").replace(" ", "")[:40]
    if code:
        parsed = parse_public_code(code)
        if parsed is None:
            context = {
                "error": _("查验码格式不正确: 应为 8 位票据代码, 10 位票据号码和 6 位校验码"),
                "code": code,
            }
            return render(request, "receipts/verify.html", context, status=400)
        return redirect("receipts:verify", code=str(parsed))
    return render(request, "receipts/verify.html", {"code": ""})


@require_GET
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    facts = reads.public_facts(code[:40])
    if facts is None:
        context = {"error": _("未找到该票据, 请核对查验码"), "code": code[:40]}
        return render(request, "receipts/verify.html", context, status=404)
    return render(request, "receipts/verify.html", {"facts": facts, "code": code[:40]})
