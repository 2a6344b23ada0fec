"""Whose store and file a request works on: the user's own, or a company's the user may act for
(代办: as its legal representative or with a valid agent authorisation)."""

from __future__ import annotations

from yiwang.accounts.models import AccountKind, User
from yiwang.accounts.reads import companies_for_agent
from yiwang.core.errors import NotFound
from yiwang.space.errors import SpaceErrorCode


def owner_for(user: User, company: str = "") -> User:
    """The account whose store ``user`` works on: his own, or (``company``: a credit code) a
    company he may act for.  Any other code is a 404 (nobody can probe which companies exist)."""
    code = (company or "").strip().upper()[:18]
    if not code:
        return user
    if user.kind == AccountKind.NATURAL:
        for legal_person in companies_for_agent(user):
            if legal_person.credit_code == code:
                return legal_person.user
    raise NotFound("未找到该单位或您无权以该单位名义查看", code=SpaceErrorCode.NOT_FOUND)


def subjects_of(user: User) -> list[tuple[str, str]]:
    """The subjects whose store/file ``user`` may open: ``("", own name)`` and each company
    ``(credit code, name)``."""
    subjects = [("", str(user))]
    subjects += [(c.credit_code, c.name) for c in companies_for_agent(user)]
    return subjects
