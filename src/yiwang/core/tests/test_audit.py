"""审计日志: the hash chain, its verification command, append-only rows, request context."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from yiwang.core import audit
from yiwang.core.middleware import RequestContextMiddleware
from yiwang.core.models import AuditChainHead, AuditEvent, Channel
from yiwang.core.request_context import RequestContext, use_context
from yiwang.testing.audit import audit_triggers_disabled


def _three_events() -> list[AuditEvent]:
    return [
        audit.record(f"test.action{n}", object_type="test", object_id=str(n), detail={"n": n})
        for n in (1, 2, 3)
    ]


def _verify_fails() -> CommandError:
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=StringIO())
    assert caught.value.returncode == 1
    return caught.value


@pytest.mark.django_db
def test_chain_is_intact() -> None:
    events = _three_events()
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    report = audit.verify_chain()
    assert report.ok
    assert report.checked == 3
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "审计链完整：3 条记录" in out.getvalue()
    head = AuditChainHead.objects.get()
    assert (head.last_sequence, head.last_hash) == (3, events[2].hash)


@pytest.mark.django_db
def test_empty_trail_is_intact() -> None:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "审计链完整：0 条记录" in out.getvalue()


@pytest.mark.django_db
def test_tampered_detail_is_detected() -> None:
    _three_events()
    # queryset.update bypasses the model's append-only save, as a direct SQL edit would; the
    # database refuses it unless its owner disables the triggers first.
    with audit_triggers_disabled():
        AuditEvent.objects.filter(sequence=2).update(detail={"n": 99})
    report = audit.verify_chain()
    assert not report.ok
    assert report.first_bad_sequence == 2
    assert report.checked == 1
    error = _verify_fails()
    assert "#2" in str(error)
    assert "篡改" in str(error)


@pytest.mark.django_db
def test_tampered_hash_is_detected_at_the_next_link() -> None:
    events = _three_events()
    with audit_triggers_disabled():
        AuditEvent.objects.filter(sequence=1).update(action="test.forged")
    assert audit.verify_chain().first_bad_sequence == 1
    # Recomputing the forged row's hash does not help: the next row still points at the old one.
    forged = AuditEvent.objects.get(sequence=1)
    with audit_triggers_disabled():
        AuditEvent.objects.filter(sequence=1).update(hash=audit.compute_hash(audit.GENESIS_HASH, forged))
    report = audit.verify_chain()
    assert report.first_bad_sequence == 2
    assert "前序哈希" in report.reason
    assert events


@pytest.mark.django_db
def test_deleted_middle_row_is_detected() -> None:
    _three_events()
    with audit_triggers_disabled():
        AuditEvent.objects.filter(sequence=2).delete()
    report = audit.verify_chain()
    assert not report.ok
    assert report.first_bad_sequence == 2
    assert "缺失" in report.reason
    assert "#2" in str(_verify_fails())


@pytest.mark.django_db
def test_deleted_last_row_is_detected() -> None:
    _three_events()
    with audit_triggers_disabled():
        AuditEvent.objects.filter(sequence=3).delete()
    report = audit.verify_chain()
    assert not report.ok
    assert report.first_bad_sequence == 3
    assert "链尾" in report.reason
    assert "#3" in str(_verify_fails())


@pytest.mark.django_db
def test_rows_are_append_only() -> None:
    event = audit.record("test.action")
    event.detail = {"changed": True}
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    assert AuditEvent.objects.get().detail == {}
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_request_context_ip_and_channel_are_recorded() -> None:
    with use_context(RequestContext(ip_address="10.1.2.3", channel=Channel.WINDOW)):
        event = audit.record("test.window")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.ip_address == "10.1.2.3"
    assert stored.channel == Channel.WINDOW
    outside = audit.record("test.system")
    assert outside.channel == Channel.SYSTEM
    assert outside.ip_address is None


@pytest.mark.django_db
def test_middleware_sets_the_context_for_services(settings: Any) -> None:
    settings.YIWANG_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    recorded: list[AuditEvent] = []

    def view(request: HttpRequest) -> HttpResponse:
        recorded.append(audit.record("test.api"))
        return HttpResponse("ok")

    request = RequestFactory().get("/api/v1/things", HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1")
    RequestContextMiddleware(view)(request)
    stored = AuditEvent.objects.get(pk=recorded[0].pk)
    assert stored.ip_address == "203.0.113.7"
    assert stored.channel == Channel.API

    request = RequestFactory().get("/", HTTP_USER_AGENT="Mozilla/5.0 (iPhone)", REMOTE_ADDR="198.51.100.2")
    RequestContextMiddleware(view)(request)
    stored = AuditEvent.objects.get(pk=recorded[1].pk)
    assert (stored.ip_address, stored.channel) == ("198.51.100.2", Channel.MOBILE)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "198.51.100.9", "203.0.113.7", "198.51.100.9"),  # no proxy configured: header ignored
        (["10.0.0.1"], "198.51.100.9", "203.0.113.7", "198.51.100.9"),  # not from the proxy: ignored
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # forged left hop skipped
        (["10.0.0.0/8"], "10.0.0.1", "203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (["10.0.0.1"], "10.0.0.1", "unknown", "unknown"),  # kept, then dropped by normalise_ip
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(
    settings: Any, trusted: list[str], remote: str, forwarded: str, expected: str
) -> None:
    from yiwang.core.middleware import client_ip

    settings.YIWANG_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("unknown", None),
        ("", None),
        (" 10.0.0.1 ", "10.0.0.1"),
    ],
)
def test_ip_is_stored_in_the_form_the_hash_covers(raw: str, stored: str | None) -> None:
    with use_context(RequestContext(ip_address=raw, channel=Channel.WEB)):
        audit.record("test.ip")
    assert AuditEvent.objects.get().ip_address == stored
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_actor_and_object_are_recorded() -> None:
    user = get_user_model().objects.create_user(username="auditor-test", password="x-Yiwang-2026")
    event = audit.record("test.actor", actor=user, obj=user, detail={"when": "now", "list": [1, 2]})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_id == user.pk
    assert stored.actor_label == "auditor-test"
    assert stored.object_type == "accounts.User"
    assert stored.object_id
    assert audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain() -> None:
    """Writers in parallel transactions (PostgreSQL: the two-statement append) keep one chain."""
    import threading

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers (PostgreSQL)")
    audit.record("test.first")  # creates the chain head; every later append takes the short path
    writers, each = 6, 5
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(each):
                with transaction.atomic():
                    audit.record("test.parallel", object_id=f"{n}-{i}", detail={"writer": n, "i": i})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    report = audit.verify_chain()
    assert report.ok and report.checked == 1 + writers * each
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == list(
        range(1, 2 + writers * each)
    )
    head = AuditChainHead.objects.get()
    assert head.last_sequence == 1 + writers * each
    assert head.last_hash == AuditEvent.objects.get(sequence=head.last_sequence).hash


@pytest.mark.django_db
def test_an_append_rolled_back_with_its_transaction_leaves_no_trace() -> None:
    from django.db import transaction

    audit.record("test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.lost", detail={"ip": "2001:0db8::1"})
        raise RuntimeError("the business change failed")
    event = audit.record("test.after", actor=None, detail={"nested": {"a": [1, "二"]}})
    assert event.sequence == 2 and AuditEvent.objects.filter(action="test.lost").count() == 0
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.hash == audit.compute_hash(stored.prev_hash, stored) == event.hash
    assert audit.verify_chain().ok
