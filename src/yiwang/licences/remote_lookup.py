"""他处签发证照的核验 (hook): licences issued by another platform instance that this one knows of.

The public verification asks :func:`lookup` for an identifier it does not hold itself.  A higher app
connects a finder with :func:`register` in its ``AppConfig.ready()`` — the federation app answers from
the licence index its cities push up (docs/federation.md).  ``licences`` never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RemoteLicence:
    """What another instance's index says about a licence: no plain holder number."""

    identifier: str
    type_name: str
    holder_masked: str
    holder_code_masked: str
    issuer_name: str
    region_code: str
    valid_from: date
    valid_until: date | None
    status: str  # valid / suspended / revoked / superseded / expired (at the time of the look-up)
    status_label: str
    source: str  # the instance that issued it, e.g. 合肥市政务服务平台
    document_sha256: str = ""
    record_sm3: str = ""

    @property
    def current(self) -> bool:
        return self.status == "valid"


Finder = Callable[[str], RemoteLicence | None]
_FINDERS: list[Finder] = []


def register(finder: Finder) -> None:
    """Add ``finder`` (registering the same function again changes nothing)."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def unregister(finder: Finder) -> None:
    if finder in _FINDERS:
        _FINDERS.remove(finder)


def lookup(identifier: str) -> RemoteLicence | None:
    """The first finder's answer for the normalised ``identifier``, or None."""
    for finder in _FINDERS:
        found = finder(identifier)
        if found is not None:
            return found
    return None
