"""Staff user centre (工作人员用户中心): organisation tree, roles, data scope and 三员 separation.

One import for the callers of the staff user centre.  Roles and data scope are read in
:mod:`yiwang.accounts.roles`, the organisation tree and directory in :mod:`yiwang.accounts.reads`,
and the changes (accounts, roles, the audit trail) are made in :mod:`yiwang.accounts.services.staff`.
"""

from __future__ import annotations

from yiwang.accounts.reads import OrgNode, RegionNode, organisation_tree, staff_directory
from yiwang.accounts.roles import (
    ASSIGNMENT_CACHE,
    admin_roles_present,
    assignments_of,
    check_scope,
    forget_roles,
    in_scope,
    in_scope_ids,
    organisations_in_scope,
    region_prefix,
    require_role,
    roles_of,
)
from yiwang.accounts.services.staff import (
    admin_create_staff,
    audit_events,
    grant_role,
    reset_staff_mfa,
    revoke_role,
    set_staff_active,
    verify_audit_chain,
)

__all__ = [
    "ASSIGNMENT_CACHE",
    "OrgNode",
    "RegionNode",
    "admin_create_staff",
    "admin_roles_present",
    "assignments_of",
    "audit_events",
    "check_scope",
    "forget_roles",
    "grant_role",
    "in_scope",
    "in_scope_ids",
    "organisation_tree",
    "organisations_in_scope",
    "region_prefix",
    "require_role",
    "reset_staff_mfa",
    "revoke_role",
    "roles_of",
    "set_staff_active",
    "staff_directory",
    "verify_audit_chain",
]
