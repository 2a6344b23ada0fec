"""Rating once, follow-up once, default rating, and a bad review's rectification with working-day
deadlines over a weekend, escalation when overdue, and who may act."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from yiwang.accounts.models import InboxMessage
from yiwang.core.errors import DomainError
from yiwang.ratings import services
from yiwang.ratings.actions import rectification_actions
from yiwang.ratings.models import InvitationStatus, OverdueStage, Rectification, RectificationStatus
from yiwang.testing.ratings import NOW, World, complete_case

TZ = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 9, 25, 16, 0, tzinfo=TZ)


def test_one_rating_and_one_follow_up(world: World) -> None:
    inv = complete_case(world.item, world.citizen)
    services.rate(inv, level=5, channel="mobile", reasons=["good_fast"], comment="很快")
    with pytest.raises(DomainError) as exc:
        services.rate(inv, level=4, channel="pc")
    assert exc.value.code == "ratings_already_rated"
    services.follow_up(inv, comment="证照也很快寄到了")
    with pytest.raises(DomainError) as exc:
        services.follow_up(inv, comment="再追评")
    assert exc.value.code == "ratings_followup_done"
    inv.refresh_from_db()
    assert (inv.status, inv.level, inv.is_default) == (InvitationStatus.RATED, 5, False)
    assert not Rectification.objects.exists()


def test_reasons_must_match_the_level_and_another_user_may_not_rate(world: World) -> None:
    inv = complete_case(world.item, world.citizen)
    with pytest.raises(DomainError) as exc:
        services.rate(inv, level=1, channel="pc", reasons=["good_fast"])
    assert exc.value.code == "ratings_invalid_reason"
    with pytest.raises(DomainError) as exc:
        services.rate(inv, level=4, channel="pc", actor=world.handler)
    assert exc.value.status == 403


def test_default_good_rating_after_the_period(world: World) -> None:
    old = complete_case(world.item, world.citizen, completed_at=NOW - timedelta(days=16))
    recent = complete_case(world.item, world.citizen, completed_at=NOW - timedelta(days=14))
    assert services.give_default_ratings() == 1
    assert services.give_default_ratings() == 0  # idempotent
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.status, old.level, old.is_default, old.rating.is_default) == (
        InvitationStatus.DEFAULTED,
        5,
        True,
        True,
    )
    assert recent.status == InvitationStatus.PENDING


def test_bad_review_lifecycle_with_working_days_over_a_weekend(
    world: World, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    frozen.move_to(FRIDAY)
    inv = complete_case(world.item, world.citizen, completed_at=FRIDAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.rate(
            inv, level=2, channel="sms", reasons=["bad_slow", "bad_many_visits"], comment="跑了三次"
        )
    rect = Rectification.objects.get()
    # Anhui rule: 1 working day to call back, counted from Friday 25 September 2026: the Monday.
    assert rect.callback_due == date(2026, 9, 28)
    assert rect.rectify_due > date(2026, 10, 15)
    assert rect.department == world.department
    assert InboxMessage.objects.filter(user=world.handler, title="差评整改任务").exists()
    assert rectification_actions(world.handler, rect) == {"view", "callback"}
    assert rectification_actions(world.supervisor, rect) == {"view", "close", "escalate"}
    assert rectification_actions(world.other_clerk, rect) == set()

    with pytest.raises(DomainError) as exc:
        services.rectify(rect, actor=world.handler, text="x")
    assert exc.value.status == 409
    with pytest.raises(DomainError) as exc:
        services.call_back(rect, actor=world.other_clerk, genuine=True, note="x")
    assert exc.value.status == 403
    rect = services.call_back(rect, actor=world.clerk, genuine=True, note="已电话回访，情况属实")
    rect = services.rectify(rect, actor=world.handler, text="增加窗口并实行预约办理")
    with django_capture_on_commit_callbacks(execute=True):
        rect = services.reply(rect, actor=world.approver, text="已整改，感谢监督")
    assert InboxMessage.objects.filter(user=world.citizen, title="差评整改答复").exists()
    rect = services.revisit(rect, actor=world.clerk, satisfied=True, note="申请人表示满意")
    assert rect.status == RectificationStatus.CLOSED
    inv.refresh_from_db()
    assert (inv.bad_replied, inv.bad_rectified, inv.revisit_satisfied) == (True, True, True)


def test_overdue_rectification_is_escalated_to_the_supervisors_once(
    world: World, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    frozen.move_to(FRIDAY)
    inv = complete_case(world.item, world.citizen, completed_at=FRIDAY)
    services.rate(inv, level=1, channel="pc", reasons=["bad_attitude"])
    rect = Rectification.objects.get()
    with time_machine.travel(datetime(2026, 9, 28, 18, 0, tzinfo=TZ), tick=False):
        assert services.run_scan() == 0  # due today: not yet overdue
    with time_machine.travel(datetime(2026, 9, 29, 9, 0, tzinfo=TZ), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.run_scan() == 1
        assert services.run_scan() == 0  # idempotent
    rect.refresh_from_db()
    assert (rect.overdue_stage, rect.warning) == (OverdueStage.CALLBACK, True)
    assert InboxMessage.objects.filter(user=world.supervisor, title="差评回访核实逾期").count() == 1
    services.call_back(rect, actor=world.handler, genuine=False, note="经核实不属实")
    rect.refresh_from_db()
    assert rectification_actions(world.handler, rect) == {"view", "reply"}
    rect = services.close(rect, actor=world.supervisor, comment="不属实，关闭")
    assert rect.is_closed
