"""E-licence services (电子证照), one module a use case: catalogue, issuance, verification, the
holder's wallet and share links, authorisations and use by departments (一证通办), lifecycle and import.

Every state change here is validated, runs in one transaction, leaves an audit record and notifies
the holder after commit.  Verification is read-only and computes "current" at request time from the
stored status and ``valid_until``, so a revocation, suspension or expiry is seen at once.

Licences sit below cases: nothing here knows a case; ``yiwang.cases.licence_issuing`` turns a
completed case into the plain values :func:`issue_licence` takes.
"""

from __future__ import annotations

from yiwang.licences.models import LicenceType  # callers read the catalogue through services
from yiwang.licences.services.catalogue import (
    FIELD_TYPES,
    create_licence_type,
    licence_data_from,
    licence_type_for_item,
    validate_data,
    validate_schema,
)
from yiwang.licences.services.consents import (
    current_consent,
    grant_consent,
    revoke_consent,
)
from yiwang.licences.services.importing import (
    ImportRecord,
    import_licences,
    prepare_import_record,
)
from yiwang.licences.services.issuing import (
    HOLDER_CODE_TYPES_BY_ID_TYPE,
    SEAL_PREFERENCE,
    holder_code_type_for,
    issue_licence,
    issued_for_source_case,
    issuing_seal,
    next_serial,
    sequence_next,
    valid_until_for,
)
from yiwang.licences.services.lifecycle import (
    LIFECYCLE_ROLES,
    change_licence,
    expire_due_licences,
    require_issuer_staff,
    required_reason,
    resume_licence,
    revoke_licence,
    set_status,
    suspend_licence,
)
from yiwang.licences.services.records import (
    ISSUE_REASON,
    canonical_json,
    data_ok,
    describe,
    document_bytes,
    effective_status,
    holder_user_for,
    licence_layout,
    mask_id_number,
    notify_holder,
    record_event,
    record_of,
    sign_with_seal,
    stamp_and_store,
    status_label,
    verify_data_record,
    verify_imported_record,
    verify_url,
)
from yiwang.licences.services.sharing import (
    SHARE_EXPIRY,
    create_share,
    open_share,
    revoke_share,
    share_url,
    token_hash,
)
from yiwang.licences.services.use import (
    USE_ROLES,
    check_usable,
    lookup_for_use,
    record_use,
    refuse_use,
    staff_licence,
    staff_organisation,
    use_licence,
    use_licence_for_case,
)
from yiwang.licences.services.verification import (
    LicenceVerification,
    licence_from_pdf,
    verification_of,
    verified_queryset,
    verify_document,
    verify_identifier,
)
from yiwang.licences.services.wallet import (
    holder_codes,
    holds,
    licence_for_holder,
    record_download,
    wallet,
)

__all__ = [
    "FIELD_TYPES",
    "HOLDER_CODE_TYPES_BY_ID_TYPE",
    "ISSUE_REASON",
    "LIFECYCLE_ROLES",
    "SEAL_PREFERENCE",
    "SHARE_EXPIRY",
    "USE_ROLES",
    "ImportRecord",
    "LicenceType",
    "LicenceVerification",
    "canonical_json",
    "change_licence",
    "check_usable",
    "create_licence_type",
    "create_share",
    "current_consent",
    "data_ok",
    "describe",
    "document_bytes",
    "effective_status",
    "expire_due_licences",
    "grant_consent",
    "holder_code_type_for",
    "holder_codes",
    "holder_user_for",
    "holds",
    "import_licences",
    "issue_licence",
    "issued_for_source_case",
    "issuing_seal",
    "licence_data_from",
    "licence_for_holder",
    "licence_from_pdf",
    "licence_layout",
    "licence_type_for_item",
    "lookup_for_use",
    "mask_id_number",
    "next_serial",
    "notify_holder",
    "open_share",
    "prepare_import_record",
    "record_download",
    "record_event",
    "record_of",
    "record_use",
    "refuse_use",
    "require_issuer_staff",
    "required_reason",
    "resume_licence",
    "revoke_consent",
    "revoke_licence",
    "revoke_share",
    "sequence_next",
    "set_status",
    "share_url",
    "sign_with_seal",
    "staff_licence",
    "staff_organisation",
    "stamp_and_store",
    "status_label",
    "suspend_licence",
    "token_hash",
    "use_licence",
    "use_licence_for_case",
    "valid_until_for",
    "validate_data",
    "validate_schema",
    "verification_of",
    "verified_queryset",
    "verify_data_record",
    "verify_document",
    "verify_identifier",
    "verify_imported_record",
    "verify_url",
    "wallet",
]
