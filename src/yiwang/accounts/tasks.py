"""Background work for accounts, run by the django-tasks worker (inline in tests)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from yiwang.accounts.identity import poll_check
from yiwang.accounts.models import IdentityCheck, IdentityCheckStatus

POLL_INTERVAL = timedelta(seconds=5)


@task()
def poll_identity_check(check_id: int) -> str:
    """Poll the provider until the check is answered or times out (re-enqueues itself)."""
    check = IdentityCheck.objects.filter(pk=check_id).first()
    if check is None:
        return "missing"
    check = poll_check(check)
    if check.status == IdentityCheckStatus.PENDING:
        backend_supports_later = getattr(poll_identity_check.get_backend(), "supports_defer", False)
        if backend_supports_later:
            poll_identity_check.using(run_after=timezone.now() + POLL_INTERVAL).enqueue(check_id)
    return str(check.status)
