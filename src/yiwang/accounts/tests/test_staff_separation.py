"""Staff user centre: 三员 separation of duties, role changes audited, data scope, audit page."""

from __future__ import annotations

import pytest
from django.test import Client

from yiwang.accounts import staff as staff_services
from yiwang.accounts.models import DataScope
from yiwang.accounts.tests import factories
from yiwang.core.errors import DomainError
from yiwang.core.models import AuditEvent
from yiwang.testing.mfa import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio():
    org = factories.organisation()
    return (
        factories.staff("sysadmin", ["admin"], org),
        factories.staff("secadmin", ["security_admin"], org),
        factories.staff("auditor", ["auditor"], org),
        factories.staff("clerk", ["window_clerk"], org),
    )


def test_system_admin_manages_accounts_but_not_roles_nor_audit(trio):
    sysadmin, _sec, _aud, clerk = trio
    staff_services.set_staff_active(sysadmin, clerk, False)
    with pytest.raises(DomainError) as no_roles:
        staff_services.grant_role(sysadmin, sysadmin, "approver")
    assert no_roles.value.code == "admin_role_required"
    with pytest.raises(DomainError):
        staff_services.audit_events(sysadmin)
    assert AuditEvent.objects.filter(action="staff.disabled").exists()


def test_security_admin_grants_roles_but_never_to_himself(trio):
    sysadmin, secadmin, _aud, clerk = trio
    staff_services.grant_role(secadmin, clerk, "approver", DataScope.REGION)
    assert "approver" in staff_services.roles_of(clerk)
    event = AuditEvent.objects.get(action="staff.role_granted")
    assert event.detail == {"role": "approver", "scope": "region"} and event.actor == secadmin
    with pytest.raises(DomainError) as self_grant:
        staff_services.grant_role(secadmin, secadmin, "auditor")
    assert self_grant.value.code == "self_grant_forbidden"
    with pytest.raises(DomainError) as two_hats:
        staff_services.grant_role(secadmin, sysadmin, "auditor")
    assert two_hats.value.code == "role_separation"
    with pytest.raises(DomainError):
        staff_services.set_staff_active(secadmin, clerk, False)  # accounts are the system admin's
    staff_services.revoke_role(secadmin, clerk, "approver")
    assert AuditEvent.objects.filter(action="staff.role_revoked").exists()


def test_auditor_reads_the_trail_and_nothing_else(trio):
    sysadmin, _secadmin, auditor, _clerk = trio
    client = staff_login(Client(), auditor)
    page = client.get("/workbench/audit/?action=account.")
    assert page.status_code == 200 and "account.staff_created" in page.content.decode()
    verified = client.post("/workbench/audit/", {"verify": "1"})
    assert "审计链完整" in verified.content.decode()
    assert client.get("/workbench/staff/").status_code == 403
    admin_client = staff_login(Client(), sysadmin)
    assert admin_client.get("/workbench/audit/").status_code == 403
    assert admin_client.get("/admin/core/auditevent/").status_code == 403
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert AuditEvent.objects.filter(action="staff.role_refused", actor=sysadmin).exists()


def test_staff_page_actions(trio):
    sysadmin, secadmin, _auditor, clerk = trio
    admin_client = staff_login(Client(), sysadmin)
    html = admin_client.get("/workbench/staff/").content.decode()
    assert "组织机构" in html and "clerk" in html
    refused = admin_client.post(
        f"/workbench/staff/{clerk.public_id}/", {"action": "grant", "role": "approver"}
    )
    assert refused.status_code == 403
    sec_client = staff_login(Client(), secadmin)
    granted = sec_client.post(
        f"/workbench/staff/{clerk.public_id}/", {"action": "grant", "role": "approver", "scope": "department"}
    )
    assert granted.status_code == 302
    assert "approver" in staff_services.roles_of(type(clerk).objects.get(pk=clerk.pk))


def test_data_scope_region_subtree():
    city = factories.organisation("合肥市数据资源局", "3401")
    county = factories.organisation("蜀山区市场监管局", "340104")
    other_city = factories.organisation("芜湖市市场监管局", "3402")
    dept_only = factories.staff("d1", ["supervisor"], city)
    regional = factories.staff("r1", ["supervisor"], city)
    staff_services.forget_roles(regional)
    regional.staff_profile.roles.update(scope=DataScope.REGION)
    staff_services.forget_roles(regional)
    assert staff_services.in_scope(dept_only, city.pk) and not staff_services.in_scope(dept_only, county.pk)
    assert staff_services.in_scope(regional, county.pk) and not staff_services.in_scope(
        regional, other_city.pk
    )
    with pytest.raises(DomainError) as refused:
        staff_services.check_scope(dept_only, county.pk, ["supervisor"])
    assert refused.value.code == "out_of_scope"
    assert AuditEvent.objects.filter(action="staff.out_of_scope").exists()
