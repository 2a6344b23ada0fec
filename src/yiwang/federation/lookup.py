"""The province answers a licence verification from its cities' licence index
(connected to :mod:`yiwang.licences.remote_lookup` in ``FederationConfig.ready``)."""

from __future__ import annotations

from django.utils import timezone

from yiwang.federation.models import FederatedLicence
from yiwang.licences.models import LicenceStatus
from yiwang.licences.remote_lookup import RemoteLicence


def find_licence(identifier: str) -> RemoteLicence | None:
    row = (
        FederatedLicence.objects.select_related("node")
        .filter(identifier=identifier)
        .order_by("-source_version")
        .first()
    )
    if row is None:
        return None
    status = row.status
    if (
        status == LicenceStatus.VALID
        and row.valid_until is not None
        and row.valid_until < timezone.localdate()
    ):
        status = LicenceStatus.EXPIRED
    label = str(LicenceStatus(status).label) if status in LicenceStatus.values else status
    return RemoteLicence(
        identifier=row.identifier,
        type_name=row.type_name,
        holder_masked=row.holder_masked,
        holder_code_masked=row.holder_code_masked,
        issuer_name=row.issuer_name,
        region_code=row.region_code,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        status=status,
        status_label=label,
        source=row.node.name,
        document_sha256=row.document_sha256,
        record_sm3=row.record_sm3,
    )
