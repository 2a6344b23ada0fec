"""Use cases of crossregion (跨域通办): one module per use case, public functions re-exported here."""

from yiwang.crossregion.services.filing import FILING_KIND, file_remote_case, settle, settle_pending
from yiwang.crossregion.services.items import refresh_all, refresh_region
from yiwang.crossregion.services.receiving import receive_filing
from yiwang.crossregion.services.status import STATUS_KIND, case_event_recorded, receive_status, send_status

__all__ = [
    "FILING_KIND",
    "STATUS_KIND",
    "case_event_recorded",
    "file_remote_case",
    "receive_filing",
    "receive_status",
    "refresh_all",
    "refresh_region",
    "send_status",
    "settle",
    "settle_pending",
]
