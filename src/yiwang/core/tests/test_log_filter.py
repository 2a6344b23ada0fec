"""日志脱敏: ID numbers, mobile numbers and e-mail addresses never reach a log handler in clear."""

from __future__ import annotations

import io
import logging

from django.conf import settings

from yiwang.core.logfilter import PersonalDataFilter

ID = "34010419900101123X"
PHONE = "13812345678"
EMAIL = "zhang.wei@example.cn"


def _filtered(caplog):
    caplog.handler.addFilter(PersonalDataFilter())
    return logging.getLogger("yiwang.test.logfilter")


def test_message_and_args_are_masked(caplog):
    logger = _filtered(caplog)
    with caplog.at_level(logging.INFO, logger="yiwang.test.logfilter"):
        logger.info("applicant %s phone %s", ID, PHONE)
        logger.info("mail %(email)s", {"email": EMAIL})
        logger.warning(f"inline {ID} {PHONE} {EMAIL}")
    text = caplog.text
    for secret in (ID, PHONE, EMAIL):
        assert secret not in text
    assert "****" in text and "z***@example.cn" in text
    assert caplog.records[0].getMessage() == "applicant **************123X phone 138****5678"


def test_exception_text_is_masked(caplog):
    logger = _filtered(caplog)
    try:
        raise ValueError(f"bad id {ID}")
    except ValueError:
        logger.exception("failed for %s", PHONE)
    assert ID not in caplog.text and PHONE not in caplog.text
    assert "ValueError" in caplog.text


def test_other_numbers_pass_and_records_are_never_dropped(caplog):
    logger = _filtered(caplog)
    logger.warning("case %s took %d ms", "2024000112345", 1381234)
    assert caplog.records and caplog.records[0].getMessage() == "case 2024000112345 took 1381234 ms"


def test_every_configured_handler_has_the_filter():
    assert all(
        "mask_personal_data" in handler.get("filters", [])
        for handler in settings.LOGGING["handlers"].values()
    )
    # Also the handlers Django and libraries attach themselves (CoreConfig.ready installs it), e.g.
    # Django's mail_admins.
    django_handlers = logging.getLogger("django").handlers
    assert django_handlers and all(
        any(isinstance(f, PersonalDataFilter) for f in h.filters) for h in django_handlers
    )


def test_a_handler_added_later_without_the_filter_sees_masked_records():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("yiwang.test.logfilter.late")
    logger.addHandler(handler)
    try:
        logger.error("late %s %s", ID, EMAIL)
    finally:
        logger.removeHandler(handler)
    assert ID not in stream.getvalue() and EMAIL not in stream.getvalue()
    assert "123X" in stream.getvalue()


def test_the_console_handler_writes_masked_text():
    console = next(
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and any(isinstance(f, PersonalDataFilter) for f in h.filters)
    )
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s", (ID,), None)
    assert console.filter(record)
    assert ID not in console.format(record)
