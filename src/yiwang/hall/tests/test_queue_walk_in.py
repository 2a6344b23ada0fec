"""前台综合受理 The general-window clerk registers a walk-in case for a police item (the case goes to
the police); 统一窗口出件 results of any department handed out at one window."""

from __future__ import annotations

from typing import Any

import pytest

from yiwang.accounts.models import DataScope, NaturalPerson, StaffRoleAssignment
from yiwang.cases import intake
from yiwang.cases.models import CaseDelivery, CaseMaterialSource, CaseStatus, DeliveryStatus
from yiwang.cases.window import register_walk_in
from yiwang.core.errors import DomainError
from yiwang.hall.services import console, queue
from yiwang.hall.tests.queue_helpers import sign_in, take
from yiwang.testing.portal import make_department, make_item, pdf_upload
from yiwang.testing.supervision import make_case


def _register(world: Any, clerk: Any, item: Any, **extra: Any) -> Any:
    return register_walk_in(
        clerk=clerk,
        item=item,
        applicant_name="王芳",
        applicant_id_number="11010519491231002X",
        form_data={
            "company_name": "合肥测试公司",
            "registered_capital": "10",
            "company_type": "有限责任公司",
        },
        files={},
        **extra,
    )


def test_general_window_clerk_registers_for_any_item_of_the_hall(world: Any) -> None:
    with pytest.raises(DomainError) as exc:  # not signed in to the general window: the default rule
        _register(world, world.general_clerk, world.police_item)
    assert exc.value.status == 403
    assert intake.may_register(world.police_clerk, world.police_item)  # the default rule still holds
    sign_in(world.window_general, world.general_clerk)
    case = _register(world, world.general_clerk, world.police_item)
    assert case.handling_organisation == world.police and case.registered_by == world.general_clerk
    tax = make_department("合肥市税务局", "市税务局")
    outside = make_item(tax, name="税务登记", online_apply=False, materials=[])
    with pytest.raises(DomainError):  # not an item of the hall
        _register(world, world.general_clerk, outside)


def test_console_registration_with_scans_on_the_ticket(world: Any) -> None:
    item = make_item(
        world.police,
        name="户口迁移",
        online_apply=False,
        materials=[{"name": "户口簿", "mandatory": True, "originals": 1, "copies": 0}],
        form_fields=[],
    )
    world.category_police.items.add(item)
    take(world, world.category_police)
    sign_in(world.window_general, world.general_clerk)
    ticket = queue.call_next(window=world.window_general, clerk=world.general_clerk)
    material = item.materials.get()
    case = console.register_for_ticket(
        clerk=world.general_clerk,
        item=item,
        ticket=ticket,
        applicant_name="王芳",
        applicant_id_number="11010519491231002X",
        form_data={},
        files={str(material.public_id): [pdf_upload("scan.pdf")]},
    )
    assert case.materials.get().source == CaseMaterialSource.CLERK_SCAN
    ticket.refresh_from_db()
    assert ticket.case_public_ids == [str(case.public_id)]


def test_results_of_every_department_handed_out_at_one_window(world: Any) -> None:
    id_number = NaturalPerson.objects.get(user=world.citizen).id_number
    cases = []
    for item in (world.market_item, world.police_item):
        case = make_case(item, world.citizen, status=CaseStatus.COMPLETED, submitted_at=world.hall.created_at)
        CaseDelivery.objects.create(case=case, method="window")
        cases.append(case)
    listed = console.cases_to_hand_over(id_number)
    assert {c.pk for c in listed} == {c.pk for c in cases}
    assert console.cases_to_hand_over("") == [] and console.cases_to_hand_over("110105194912310021") == []
    StaffRoleAssignment.objects.filter(staff__user=world.general_clerk).update(scope=DataScope.REGION)
    take(world)
    sign_in(world.window_general, world.general_clerk)
    ticket = queue.call_next(window=world.window_general, clerk=world.general_clerk)
    for case in cases:
        console.hand_over(
            clerk=world.general_clerk,
            case=case,
            recipient_name="张伟",
            recipient_signature="张伟",
            ticket=ticket,
        )
    assert set(CaseDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.DELIVERED}
    assert console.cases_to_hand_over(id_number) == []
    ticket.refresh_from_db()
    assert len(ticket.case_public_ids) == 2
