"""The warning lifecycle: acknowledge, explain (accepted / rejected), correct and close; who may."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from yiwang.core.audit import AuditEvent
from yiwang.core.errors import DomainError
from yiwang.supervision import services
from yiwang.supervision.actions import warning_actions
from yiwang.supervision.models import SupervisionWarning, WarningResolution, WarningStatus
from yiwang.supervision.scan import run_scan
from yiwang.testing.supervision import NOW, World, make_case

pytestmark = pytest.mark.usefixtures("rules")


@pytest.fixture
def warning(world: World) -> SupervisionWarning:
    make_case(world.item, world.citizen, submitted_at=NOW - timedelta(days=9), due_date=date(2026, 9, 18))
    run_scan()
    return SupervisionWarning.objects.get()


def test_explanation_rejected_then_accepted(world: World, warning: SupervisionWarning) -> None:
    assert warning_actions(world.handler, warning) == {"view", "acknowledge", "explain", "correct"}
    assert warning_actions(world.supervisor, warning) == {"view"}
    w = services.acknowledge(warning, actor=world.handler)
    assert w.status == WarningStatus.ACKNOWLEDGED
    w = services.explain(w, actor=world.handler, text="申请人要求推迟现场核查")
    assert warning_actions(world.supervisor, w) == {"view", "accept_explanation", "reject_explanation"}
    with pytest.raises(DomainError) as exc:
        services.review_explanation(w, actor=world.supervisor, accept=False, comment="")
    assert exc.value.code == "supervision_text_required"
    w = services.review_explanation(w, actor=world.supervisor, accept=False, comment="理由不充分")
    assert w.status == WarningStatus.ACKNOWLEDGED
    w = services.explain(w, actor=world.handler, text="附申请人书面申请")
    w = services.review_explanation(w, actor=world.supervisor, accept=True)
    assert (w.status, w.resolution) == (WarningStatus.CLOSED, WarningResolution.EXPLANATION_ACCEPTED)
    actions = set(
        AuditEvent.objects.filter(action__startswith="supervision.warning.").values_list("action", flat=True)
    )
    assert {"supervision.warning.explanation_rejected", "supervision.warning.explanation_accepted"} <= actions


def test_corrected_then_closed_by_the_supervisor(world: World, warning: SupervisionWarning) -> None:
    w = services.mark_corrected(warning, actor=world.approver, text="已加急办理")
    assert w.status == WarningStatus.CORRECTED and w.acknowledged_by == world.approver
    w = services.close(w, actor=world.supervisor)
    assert w.status == WarningStatus.CLOSED


def test_who_may_not(world: World, warning: SupervisionWarning) -> None:
    with pytest.raises(DomainError) as exc:
        services.acknowledge(warning, actor=world.other_clerk)  # another department
    assert exc.value.status == 403
    with pytest.raises(DomainError) as exc:
        services.acknowledge(warning, actor=world.supervisor)  # supervisors do not acknowledge
    assert exc.value.status == 403
    services.acknowledge(warning, actor=world.clerk)
    with pytest.raises(DomainError) as exc:
        services.acknowledge(warning, actor=world.clerk)  # already acknowledged
    assert exc.value.status == 409
    with pytest.raises(DomainError) as exc:
        services.close(warning, actor=world.supervisor)  # not corrected yet
    assert exc.value.status == 409
