"""保管期限: the retention period follows the default table and the deployment's overrides."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiwang.cases.archive import build_archive, disposal_date, retention_for
from yiwang.cases.models import CaseOutcome, CaseStatus, RetentionPeriod
from yiwang.cases.services import accept_case, decide_case, refuse_acceptance
from yiwang.cases.tests.factories import ServiceItemFactory, submit_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_time")]


def test_granted_licence_is_kept_permanently(item, citizen, clerk, approver):
    case = decide_case(accept_case(submit_case(item, citizen), actor=clerk), actor=approver, approve=True)
    package = build_archive(case)
    assert (package.retention, package.disposal_date) == (RetentionPeriod.PERMANENT, None)
    assert package.manifest["retention"] == "permanent"


def test_refused_case_is_kept_30_years_from_the_closing_date(item, citizen, clerk, approver):
    case = accept_case(submit_case(item, citizen), actor=clerk)
    case = decide_case(case, actor=approver, approve=False, comment="条件不符")
    assert case.outcome == CaseOutcome.REFUSED
    package = build_archive(case)
    assert package.retention == RetentionPeriod.YEARS_30
    assert package.disposal_date == date(2056, 9, 21)


def test_not_accepted_case_is_kept_10_years(item, citizen, clerk):
    case = refuse_acceptance(submit_case(item, citizen), actor=clerk, reason="不属于本部门职权")
    assert case.status == CaseStatus.NOT_ACCEPTED
    assert retention_for(case) == RetentionPeriod.YEARS_10
    assert build_archive(case).disposal_date == date(2036, 9, 21)


def test_public_service_approval_is_kept_10_years(department, calendar, citizen, clerk, approver):
    item = ServiceItemFactory(implementing_body=department, item_type="20")
    case = decide_case(accept_case(submit_case(item, citizen), actor=clerk), actor=approver, approve=True)
    assert retention_for(case) == RetentionPeriod.YEARS_10


def test_settings_override_by_type_and_by_base_code(settings, item, citizen, clerk, approver):
    case = decide_case(accept_case(submit_case(item, citizen), actor=clerk), actor=approver, approve=True)
    settings.YIWANG_ARCHIVE_RETENTION = {("01", "approved"): RetentionPeriod.YEARS_30}
    assert retention_for(case) == RetentionPeriod.YEARS_30
    settings.YIWANG_ARCHIVE_RETENTION_BY_BASE_CODE = {item.base_code: RetentionPeriod.YEARS_10}
    assert retention_for(case) == RetentionPeriod.YEARS_10


def test_leap_day_closes_on_28_february():
    assert disposal_date(RetentionPeriod.YEARS_10, date(2024, 2, 29)) == date(2034, 2, 28)
    assert disposal_date(RetentionPeriod.PERMANENT, date(2024, 2, 29)) is None


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(["10y", "30y"]))
def test_disposal_date_is_the_same_day_n_years_later(closed_on, period):
    result = disposal_date(period, closed_on)
    assert result is not None
    assert result.year - closed_on.year == int(period[:-1])
    assert result.month == closed_on.month
    assert 0 <= closed_on.day - result.day <= 1
