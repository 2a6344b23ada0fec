"""The identities and the rule type of the authorisation tables (issue 19): the table the authorisation matrix test
(``tests/test_authorisation_matrix.py``) checks every page and API operation against.

Keys: ``PAGE /<route>`` for a page pattern of the URL conf, ``<METHOD> /api/v1/<path>`` for an
operation of the OpenAPI document.  A new endpoint must get a line here, or the test fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ANON = frozenset({"anon"})
APPLICANTS = frozenset({"citizen", "citizen2", "company"})
STAFF = frozenset(
    {"clerk", "clerk_ps", "approver", "manager", "secadmin", "auditor", "admin", "supervisor", "agent"}
)
IDENTITIES = ANON | APPLICANTS | STAFF
EVERYONE = IDENTITIES
USERS = APPLICANTS | STAFF
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Rule:
    """``allowed``: the identities that get through; everyone else must be refused.
    ``body``: the JSON body of an API write (valid enough to reach the permission check).
    ``absent_ok``: the probed object does not exist for this endpoint, so an allowed identity may
    get 404 too.  ``skip``: why the endpoint is not probed (it still needs its line)."""

    allowed: frozenset[str]
    body: dict[str, Any] | None = field(default=None)
    absent_ok: bool = False
    skip: str = ""


def of(*names: str) -> frozenset[str]:
    return frozenset(names)
