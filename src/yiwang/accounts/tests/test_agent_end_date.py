"""An authorisation's end date (代办授权有效期至) is a day: entered as 2027-06-30 it is valid to the end
of that day (Asia/Shanghai) and shown as 2027-06-30, not as 2027-07-01 00:00."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from yiwang.accounts.models import AgentAuthorisation, AssuranceLevel
from yiwang.accounts.services import check_agent_may_act
from yiwang.accounts.tests import factories
from yiwang.core.errors import DomainError
from yiwang.testing import portal as portal_factories

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_end_date_is_the_day_entered_and_inclusive(calendar, department):
    boss = factories.citizen("boss", level=AssuranceLevel.INTERMEDIATE, real_name="王总")
    company = factories.company(boss)
    agent = factories.citizen("agent", level=AssuranceLevel.INTERMEDIATE, real_name="李代办")
    item = portal_factories.make_item(department)
    client = Client()
    client.force_login(boss)
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        response = client.post(
            "/my/agents/",
            {
                "company": company.legal_person.credit_code,
                "agent_name": "李代办",
                "agent_id_number": agent.natural_person.id_number,
                "valid_until": "2027-06-30",
                "all_items": "1",
            },
        )
        assert response.status_code == 302
        page = client.get("/my/agents/").content.decode()
    cell = page[page.index('class="valid-through"') :]
    cell = cell[: cell.index("</td>")]
    assert "2027-06-30" in cell and "2027-07-01" not in page and "00:00" not in cell
    authorisation = AgentAuthorisation.objects.get()
    assert authorisation.valid_through.isoformat() == "2027-06-30"
    with time_machine.travel(datetime(2027, 6, 30, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert check_agent_may_act(agent, company, item) == authorisation  # the whole last day counts
    with (
        time_machine.travel(datetime(2027, 7, 1, 0, 0, 1, tzinfo=SHANGHAI), tick=False),
        pytest.raises(DomainError),
    ):
        check_agent_may_act(agent, company, item)
