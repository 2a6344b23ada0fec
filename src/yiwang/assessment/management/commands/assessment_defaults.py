"""``yiwang assessment_defaults``: a published demo scheme (部门季度考核) from the indicator sources
registered now (names not registered are skipped with a warning).  Idempotent: nothing is created
when a scheme of that name exists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiwang.accounts.models import StaffRole, User
from yiwang.assessment import services
from yiwang.assessment.models import AssessmentScheme
from yiwang.metrics import sources

NAME = "部门季度考核（示例）"
#: (source, share of the weight, method, floor, target, threshold); weights are rescaled to 100
#: over the sources that exist.
WANTED: tuple[tuple[str, int, str, float | None, float | None, float | None], ...] = (
    ("on_time_rate", 30, "linear", 80.0, 100.0, None),
    ("overdue_rate", 15, "linear", 10.0, 0.0, None),
    ("refusal_rate", 10, "ranking", None, None, None),
    ("online_share", 15, "linear", 50.0, 100.0, None),
    ("zero_visit_share", 10, "linear", 30.0, 90.0, None),
    ("warning_rate", 10, "threshold", None, None, 5.0),
    ("sharing_response_rate", 10, "linear", 60.0, 100.0, None),
)


class Command(BaseCommand):
    help = "Create the demo assessment scheme from the registered indicator sources (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if AssessmentScheme.objects.filter(name=NAME).exists():
            self.stdout.write("assessment scheme exists")
            return
        supervisor = (
            User.objects.filter(staff_profile__roles__role=StaffRole.SUPERVISOR, is_active=True)
            .order_by("pk")
            .first()
        )
        if supervisor is None:
            raise CommandError("no supervisor account (监察人员) to own the scheme")
        present = []
        for row in WANTED:
            source = sources.get(row[0])
            if source is None or "department" not in source.levels:
                self.stderr.write(self.style.WARNING(f"indicator source {row[0]} is not registered: skipped"))
                continue
            present.append(row)
        if not present:
            raise CommandError("no indicator source registered")
        shares = sum(row[1] for row in present)
        weights = [(Decimal(row[1]) * 100 / shares).quantize(Decimal("0.01")) for row in present]
        weights[0] += Decimal(100) - sum(weights)
        indicators = [
            services.IndicatorData(
                source=name, weight=weight, method=method, floor=floor, target=target, threshold=bar
            )
            for (name, _share, method, floor, target, bar), weight in zip(present, weights, strict=True)
        ]
        scheme = services.create_scheme(
            supervisor, services.SchemeData(name=NAME, period_kind="quarter", indicators=indicators)
        )
        services.publish_scheme(supervisor, scheme)
        self.stdout.write(f"assessment scheme created with {len(indicators)} indicators")
