"""跨域通办 and SSO across two real instances (yiwang.testing.federation): a case filed at the province
for a city item becomes one city case with the city's number, its status comes back to the province
through the exchange (the city's worker pushes it), and the same person logs into the city with the
province account and finds the case in 我的办件; a second log-in is the same account."""

from __future__ import annotations

import re
import time

import pytest
import requests

pytestmark = pytest.mark.federation

CITY_ITEM = """
from yiwang.catalog.models import TongbanRange
from yiwang.core.models import Organisation
from yiwang.testing.cases import ServiceItemFactory, make_document_seal, make_staff
from yiwang.testing.catalog import OrganisationFactory
from yiwang.testing.portal import seed_test_calendar
from yiwang.accounts.models import User

seed_test_calendar()
# the console may have been started again since an earlier test: no sequence number used twice
OrganisationFactory.reset_sequence(Organisation.objects.count() + 1000)
ServiceItemFactory.reset_sequence(Organisation.objects.count() + 1000)
item = ServiceItemFactory(tongban_range=TongbanRange.PROVINCE, materials=[("营业执照", True)])
if not User.objects.filter(username="xr_clerk").exists():
    make_staff(item.implementing_body, "xr_clerk", ("window_clerk",))
    make_document_seal(item.implementing_body)  # 受理通知书 carries the department's seal
result = [str(item.public_id), str(item.materials.get().public_id)]
"""

PROVINCE_FILES = """
from django.core.files.uploadedfile import SimpleUploadedFile
from yiwang.accounts.models import AssuranceLevel, User
from yiwang.crossregion.models import RemoteItem
from yiwang.crossregion.services import file_remote_case, refresh_region
from yiwang.exchange.models import ExchangeNode
from yiwang.testing.people import make_citizen

person = User.objects.filter(username={username!r}).first() or make_citizen(
    {username!r}, level=AssuranceLevel.INTERMEDIATE, sequence={sequence}
)
refresh_region(ExchangeNode.objects.get(node_id="340100-city"))
remote = RemoteItem.objects.get(remote_id={item!r})
case = file_remote_case(
    applicant=person,
    item=remote,
    form_data={{"shop_name": "跨域小店"}},
    files={{{material!r}: [SimpleUploadedFile("licence.pdf", b"%PDF-1.4\\n1 0 obj<<>>endobj\\ntrailer<<>>\\n%%EOF\\n")]}},
    issuer={issuer!r},
)
# On a loaded machine the first push can fail (the city slow to answer): retry it as exchange_sync
# would, without waiting for its backoff, and settle the case from the receipt.
import time
from datetime import timedelta
from django.utils import timezone
from yiwang.crossregion.services import settle_pending
from yiwang.exchange.services import push_due
for _ in range(20):
    case.refresh_from_db()
    if case.state != "sending":
        break
    time.sleep(1)
    push_due(now=timezone.now() + timedelta(hours=1))
    settle_pending()
result = [case.state, case.number, case.refused_reason, str(case.public_id), person.natural_person.id_number]
"""


def _file(fed, username: str, sequence: int) -> tuple[str, str, str]:
    item, material = fed.city.python(CITY_ITEM)
    state, number, reason, filing_id, id_number = fed.province.python(
        PROVINCE_FILES.format(
            username=username,
            sequence=sequence,
            item=item,
            material=material,
            issuer=f"{fed.province.base_url}/o",
        )
    )
    assert state == "registered", reason
    return number, filing_id, id_number


def _wait(check, seconds: float = 40.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_a_case_filed_at_the_province_is_one_city_case_and_its_status_comes_back(fed):
    province, city = fed.province, fed.city
    number, filing_id, id_number = _file(fed, "xr_person1", 731)
    rows = city.query("SELECT number, channel FROM cases_case WHERE number = ?", number)
    assert rows == [(number, "tongban")]  # one case, the city's number, channel 跨域通办
    # The applicant at the city: an account created from the province's identity (another database).
    linked = city.python(
        "from yiwang.accounts.models import FederatedIdentity\n"
        f"link = FederatedIdentity.objects.get(user__natural_person__id_number={id_number!r})\n"
        "result = [link.issuer, link.user.assurance_level, link.user.has_usable_password()]"
    )
    assert linked == [f"{province.base_url}/o", 2, False]

    city.python(
        "from yiwang.accounts.models import User\n"
        "from yiwang.cases.models import Case\n"
        "from yiwang.cases.services import accept_case\n"
        f"case = Case.objects.get(number={number!r})\n"
        "accept_case(case, actor=User.objects.get(username='xr_clerk'))\n"
        "result = case.status"
    )

    def statuses() -> list:
        found = province.query(
            "SELECT status, last_sequence FROM crossregion_remotecase WHERE number = ?", number
        )
        return found if found and found[0][1] >= 2 else []

    assert _wait(statuses) == [("accepted", 2)], province.log("worker")[-2000:] + city.log("worker")[-2000:]
    history = province.python(
        "from yiwang.crossregion.models import RemoteCase\n"
        f"result = [s['event'] for s in RemoteCase.objects.get(public_id={filing_id!r}).history]"
    )
    assert history == ["applied", "accepted"]
    print(f"跨域通办: province filed → city case {number}; status back: {history}")


UPSTREAM_LINK = """
from yiwang.accounts.models import FederatedIdentity
links = FederatedIdentity.objects.filter(user__natural_person__id_number={id_number!r})
result = [[link.issuer, link.user_id, link.user.assurance_level, link.user.username] for link in links]
"""


def _log_in_through_the_province(fed, username: str, next_path: str) -> requests.Response:
    """A browser: the province's log-in page (real form, CSRF, password), then the city's
    「使用…统一身份认证登录」: city → province /o/authorize → city callback → ``next_path``."""
    province, city = fed.province, fed.city
    browser = requests.Session()
    page = browser.get(f"{province.base_url}/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    answer = browser.post(
        f"{province.base_url}/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": "Yiwang@2026"},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 302, answer.text[:500]
    login_page = browser.get(f"{city.base_url}/login/", timeout=30)
    assert "upstream-login" in login_page.text  # the button 使用安徽省政务服务网统一身份认证登录
    landed = browser.get(f"{city.base_url}/accounts/upstream/login/?next={next_path}", timeout=60)
    hops = [r.url.split("?")[0] for r in landed.history]
    assert hops[:3] == [
        f"{city.base_url}/accounts/upstream/login/",
        f"{province.base_url}/o/authorize/",
        f"{city.base_url}/accounts/upstream/callback/",
    ], hops
    assert landed.url == f"{city.base_url}{next_path}", landed.text[:500]
    return landed


def test_the_person_logs_into_the_city_with_the_province_account_and_sees_the_case(fed):
    province, city = fed.province, fed.city
    number, _filing, id_number = _file(fed, "xr_person2", 733)
    mine = _log_in_through_the_province(fed, "xr_person2", "/my/cases/")
    assert number in mine.text  # the case filed at the province is a case of the linked city account
    links = city.python(UPSTREAM_LINK.format(id_number=id_number))
    assert len(links) == 1  # one identity at the city: (the province's issuer, subject) → one account
    issuer, user_id, level, _username = links[0]
    assert issuer == f"{province.base_url}/o"
    assert level == 2  # the province's 中级实名, kept
    # A second log-in (a new browser) finds the same account through the same link.
    _log_in_through_the_province(fed, "xr_person2", "/my/cases/")
    assert city.python(UPSTREAM_LINK.format(id_number=id_number)) == links
    print(f"SSO: province account → city user {user_id} (level {level}), the same at the second log-in")
