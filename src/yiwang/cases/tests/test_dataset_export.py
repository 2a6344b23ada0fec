"""数据集上报: GB/T 39046 field names, incremental cursor per target, export records."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from yiwang.cases.archive import canonical_json
from yiwang.cases.datasets import export_datasets
from yiwang.cases.models import CaseEvent, DatasetExport, DatasetExportCursor
from yiwang.cases.services import accept_case
from yiwang.cases.tests.conftest import token_client
from yiwang.cases.tests.factories import make_staff
from yiwang.core.crypto import sm3_hex
from yiwang.core.errors import DomainError, PermissionDenied

pytestmark = [pytest.mark.django_db]

APPLICATION_FIELDS = {
    "办件编号", "事项名称", "实施编码", "基本编码", "事项类型", "实施主体名称", "实施主体统一社会信用代码",
    "办件类型", "申请人名称", "申请人证件类型", "申请人证件号码", "申请时间", "办理形式", "事项版本", "申请材料",
}  # fmt: skip
ACCEPTANCE_FIELDS = {
    "办件编号", "事项名称", "实施编码", "基本编码", "事项类型", "实施主体名称", "实施主体统一社会信用代码",
    "受理结果", "受理部门名称", "受理人", "受理时间", "承诺办结时间", "法定办结时间", "不予受理原因",
}  # fmt: skip
PROCESS_FIELDS = {
    "办件编号", "实施编码", "环节序号", "环节名称", "环节代码", "办理前状态", "办理后状态", "办理人", "办理部门",
    "办理时间", "办理意见", "办理渠道",
}  # fmt: skip
SPECIAL_FIELDS = {
    "办件编号", "实施编码", "特别程序种类", "特别程序名称", "特别程序阶段", "特别程序开始时间", "特别程序结束时间",
    "特别程序原因", "特别程序结果", "特别程序时限", "审批人",
}  # fmt: skip
COMPLETION_FIELDS = {
    "办件编号", "事项名称", "实施编码", "基本编码", "事项类型", "实施主体名称", "实施主体统一社会信用代码",
    "办结时间", "办结类型", "办理结果", "办结部门名称", "办结人", "承诺办结时间", "是否超期", "结果文书摘要SHA256",
    "办结意见",
}  # fmt: skip


@pytest.fixture
def officer(records_world):
    return make_staff(records_world["department"], "rec_data", ("data_official",))


def _later(world, seconds=10):
    world["traveller"].shift(timedelta(seconds=seconds))


def test_first_export_has_every_dataset_with_standard_field_names(records_world, officer):
    w = records_world
    _later(w)
    payload = export_datasets("province", actor=officer)
    data = payload["datasets"]
    assert payload["counts"] == {
        "application": 5,
        "acceptance": 2,
        "process": 13,
        "special_procedure": 0,
        "completion": 2,
    }
    assert all(set(row) == APPLICATION_FIELDS for row in data["application"])
    assert all(set(row) == ACCEPTANCE_FIELDS for row in data["acceptance"])
    assert all(set(row) == PROCESS_FIELDS for row in data["process"])
    assert all(set(row) == COMPLETION_FIELDS for row in data["completion"])
    first = next(row for row in data["application"] if row["办件编号"] == w["on_time"].number)
    assert first["办件类型"] == "2"  # 承诺件
    assert first["申请时间"].startswith("2026-09-21T10:00") and first["申请时间"].endswith("+08:00")
    assert first["申请人证件类型"] == "111"
    window = next(row for row in data["application"] if row["办件编号"] == w["open"].number)
    assert window["办理形式"] == "1"  # 窗口
    assert {m["材料名称"] for m in first["申请材料"]} == {"营业执照", "经营场所证明"}
    completion = {row["办件编号"]: row for row in data["completion"]}
    assert completion[w["on_time"].number]["办结类型"] == "出证"
    assert completion[w["on_time"].number]["是否超期"] is False
    assert completion[w["late"].number]["办结类型"] == "退回"
    assert completion[w["late"].number]["是否超期"] is True
    assert payload["more"] is False


def test_second_export_is_empty_and_a_new_event_appears_in_the_third(records_world, officer):
    w = records_world
    _later(w)
    first = export_datasets("province", actor=officer)
    assert first["counts"]["process"] == 13
    second = export_datasets("province", actor=officer)
    assert sum(second["counts"].values()) == 0
    assert second["from_cursor"] == second["to_cursor"] == first["to_cursor"]
    accept_case(w["open"], actor=w["clerk"])
    _later(w)
    third = export_datasets("province", actor=officer)
    assert third["counts"] == {
        "application": 0,
        "acceptance": 1,
        "process": 1,
        "special_procedure": 0,
        "completion": 0,
    }
    assert third["datasets"]["acceptance"][0]["办件编号"] == w["open"].number
    assert third["datasets"]["acceptance"][0]["受理结果"] == "受理"


def test_each_target_has_its_own_cursor(records_world, officer):
    _later(records_world)
    export_datasets("province", actor=officer)
    assert export_datasets("national", actor=officer)["counts"]["process"] == 13
    assert set(DatasetExportCursor.objects.values_list("target", flat=True)) == {"province", "national"}


def test_events_younger_than_the_lag_wait_for_the_next_export(records_world, officer, settings):
    settings.YIWANG_EXPORT_LAG_SECONDS = 60
    w = records_world
    _later(w, 120)
    export_datasets("province", actor=officer)
    accept_case(w["open"], actor=w["clerk"])
    assert export_datasets("province", actor=officer)["counts"]["acceptance"] == 0
    _later(w, 120)
    assert export_datasets("province", actor=officer)["counts"]["acceptance"] == 1


def test_events_at_the_same_instant_are_split_by_id(records_world, officer):
    _later(records_world)
    payload = export_datasets("province", actor=officer, limit=3)
    assert payload["more"] is True
    rest = export_datasets("province", actor=officer)
    assert payload["counts"]["process"] + rest["counts"]["process"] == 13
    seen = [
        (r["办件编号"], r["环节序号"]) for r in payload["datasets"]["process"] + rest["datasets"]["process"]
    ]
    assert len(set(seen)) == 13


def test_special_procedure_events_are_exported(records_world, officer):
    w = records_world
    _later(w)
    export_datasets("province", actor=officer)
    case = w["open"]
    for sequence, (event_type, data) in enumerate(
        [
            ("special_procedure_started", {"name": "专家评审", "reason": "需组织专家评审", "days": 10}),
            ("special_procedure_ended", {"name": "专家评审", "result": "评审通过"}),
        ],
        start=2,
    ):
        CaseEvent.objects.create(
            case=case,
            sequence=sequence,
            event_type=event_type,
            from_status=case.status,
            to_status=case.status,
            actor_label="审批人",
            channel="web",
            data=data,
            occurred_at=timezone.now(),
        )
    _later(w)
    rows = export_datasets("province", actor=officer)["datasets"]["special_procedure"]
    assert [set(row) for row in rows] == [SPECIAL_FIELDS, SPECIAL_FIELDS]
    assert [(r["特别程序种类"], r["特别程序阶段"], r["特别程序名称"]) for r in rows] == [
        ("2", "开始", "专家评审"),
        ("2", "结束", "专家评审"),
    ]
    assert rows[0]["特别程序时限"] == 10
    assert rows[1]["特别程序结果"] == "评审通过"


def test_each_export_is_recorded_with_its_hashes(records_world, officer):
    _later(records_world)
    payload = export_datasets("province", actor=officer)
    record = DatasetExport.objects.get(public_id=payload["export_id"])
    body = canonical_json(payload)
    assert record.sha256 == hashlib.sha256(body).hexdigest()
    assert record.sm3 == sm3_hex(body)
    assert (record.exported_by, record.target, record.record_count) == (officer, "province", 22)
    assert record.counts == payload["counts"]


def test_bad_target_and_wrong_role_are_refused(records_world, officer):
    with pytest.raises(DomainError) as exc:
        export_datasets("Province 1", actor=officer)
    assert exc.value.status == 422
    with pytest.raises(PermissionDenied):
        export_datasets("province", actor=records_world["clerk"])


def test_command_writes_the_file(records_world, tmp_path, capsys):
    _later(records_world)
    out = tmp_path / "province.json"
    call_command("export_datasets", "--target", "province", "--out", str(out))
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["counts"]["application"] == 5
    assert "申请 5" in capsys.readouterr().err
    call_command("export_datasets", "--target", "province", "--out", str(out))
    assert sum(json.loads(out.read_text(encoding="utf-8"))["counts"].values()) == 0
    assert DatasetExport.objects.filter(exported_by=None).count() == 2


def test_api_export_and_history(records_world, officer):
    _later(records_world)
    client = token_client(officer)
    response = client.post(
        "/api/v1/datasets/exports", {"target": "province"}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["counts"]["completion"] == 2
    assert response["X-Yiwang-Export-SM3"] == sm3_hex(response.content)
    history = client.get("/api/v1/datasets/exports", {"target": "province"}).json()
    assert [row["id"] for row in history] == [body["export_id"]]
    assert history[0]["exported_by"] == "rec_data"
    bad = client.post("/api/v1/datasets/exports", {"target": "../x"}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["code"] == "export_target_invalid"
