"""A logging filter that masks personal data in every log record (日志脱敏).

Installed on every handler in ``settings.LOGGING`` (``"filters": ["mask_personal_data"]``), on
every handler present at start-up and in the log record factory (:func:`install_everywhere`): an ID
number (18 characters, GB 11643), a mobile number (``1[3-9]`` + 9 digits) or an e-mail address in a
record's message, its arguments or its exception text is written masked
(:func:`yiwang.core.masking.mask_text`), whoever logged it — our code, Django or a library.

The filter formats the message once (``msg % args``), masks it and stores it back as ``msg`` with
no ``args``, so that every later handler and formatter sees the masked text; it never drops a
record.  A record already masked (``record.personal_data_masked``) is passed through as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from yiwang.core.masking import mask_text

_formatter = logging.Formatter()


class PersonalDataFilter(logging.Filter):
    """Mask ID numbers, mobile numbers and e-mail addresses in the record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "personal_data_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: mask what there is
            message = f"{record.msg} {record.args!r}"
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        record.personal_data_masked = True
        return True


def all_handlers() -> list[logging.Handler]:
    """Every handler attached to the root logger or to any logger created so far."""
    handlers: list[logging.Handler] = list(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            handlers.extend(logger.handlers)
    return list(dict.fromkeys(handlers))


_filter = PersonalDataFilter()


def _masking_factory(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        _filter.filter(record)
        return record

    make.masks_personal_data = True  # type: ignore[attr-defined]
    return make


def install_everywhere() -> int:
    """Add the filter to every handler that lacks it (Django's own ``mail_admins``, a library's),
    and mask every record as it is made (``logging.setLogRecordFactory``), so that a handler added
    later — by a library, a test, an operator's ``dictConfig`` — never sees clear text either.
    Run once at start-up (``CoreConfig.ready``); answers how many handlers the filter was added to."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "masks_personal_data", False):
        logging.setLogRecordFactory(_masking_factory(current))
    added = 0
    for handler in all_handlers():
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
            added += 1
    return added
