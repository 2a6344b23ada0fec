"""演示办件历史 A small case history for the demo, so that the dashboards (/workbench/dashboards/), the big
screen (/screen/) and electronic supervision (/workbench/supervision/) show something under ``make run``.

Eight demo applicants (演示申请人01…08, accounts without a password: nobody logs in as them) get
``HISTORY_CASES`` cases spread over the published demo items and the last 90 days, in the status mix of
the benchmark generator (:func:`yiwang.demo.bench_seed.insert_cases`: completed, running, awaiting
acceptance, corrections, refusals, withdrawals) with the events each status implies; a share of the
running cases is past its due date.  The named demo users (``citizen``, ``company``…) get none: their
own pages stay as a newcomer sees them.  Afterwards the metrics aggregates are recounted and the
supervision scan runs once, as the scheduler would.

Idempotent: nothing happens when the history applicants already have cases.  Rows are bulk-inserted
(the history is background, not a demonstration of filing; filing is shown by the demo users).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from yiwang.accounts.models import AccountKind, User
from yiwang.cases import queues
from yiwang.cases.models import Case
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.demo.bench_seed import BENCH_PREFIX, insert_cases, sync_number_sequences

HISTORY_USER_PREFIX = "demo_history_"
HISTORY_APPLICANTS = 8
HISTORY_CASES = 240
HISTORY_DAYS = 90


def history_applicants() -> list[User]:
    users = []
    for n in range(1, HISTORY_APPLICANTS + 1):
        user, _ = User.objects.get_or_create(
            username=f"{HISTORY_USER_PREFIX}{n:02d}",
            defaults={
                "kind": AccountKind.NATURAL,
                "display_name": f"演示申请人{n:02d}",
                "password": make_password(None),
            },
        )
        users.append(user)
    return users


def load_history(
    *, cases: int = HISTORY_CASES, now: datetime | None = None, log: Callable[[str], None] = lambda _: None
) -> int:
    """File the demo history once; the number of cases inserted (0 when it exists already)."""
    if Case.objects.filter(applicant__username__startswith=HISTORY_USER_PREFIX).exists():
        return 0
    items = list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, revision_of__isnull=True)
        .exclude(base_code__startswith=BENCH_PREFIX)
        .order_by("pk")
        .values_list("pk", "implementation_code", "implementing_body_id", "version", "committed_limit_days")
    )
    if not items:
        return 0
    with transaction.atomic():
        applicants = [(u.pk, u.display_name) for u in history_applicants()]
        insert_cases(
            list(items),
            applicants,
            cases,
            rng=random.Random(2026),  # noqa: S311 - reproducible demo data, not security
            now=now or timezone.now(),
            span=timedelta(days=HISTORY_DAYS),
            log=log,
        )
        sync_number_sequences()
        queues.rebuild()
    call_command("recount_aggregates", stdout=io.StringIO())
    call_command("supervision_scan", stdout=io.StringIO())
    return cases
