"""Test support shared by every app's tests (not part of the running platform; may import any app).

* :mod:`.people` — the one ``make_citizen`` / ``make_staff`` (and ``make_user``, ``PASSWORD``);
* :mod:`.mfa` — staff sessions that passed the second factor, TOTP codes;
* :mod:`.clients` — API clients with a bearer token, staff with a region-wide data scope;
* :mod:`.fixtures` — pytest fixtures shared by the portal and workbench page tests;
* :mod:`.accounts`, :mod:`.catalog`, :mod:`.cases`, :mod:`.portal`, :mod:`.licences` — each app's
  factories and the presets of ``make_citizen`` / ``make_staff`` its tests were written with.
"""

from __future__ import annotations

from yiwang.testing.people import PASSWORD, make_citizen, make_staff, make_user

__all__ = ["PASSWORD", "make_citizen", "make_staff", "make_user"]
