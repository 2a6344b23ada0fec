"""Hooks logistics offers to the apps above it (it knows none of them).

``order_delivered`` is sent inside the transaction that records an order's 签收 (delivered) event,
with ``order`` (a :class:`~yiwang.logistics.models.CourierOrder`); ``cases/courier.py`` connects to it
to close the handover step of the case the order serves.

``order_submitted`` is sent inside the transaction that records the carrier's waybill number
(``created → submitted``), with ``order``: an order whose postage the applicant paid first goes to
the carrier later than the case hook placed it, and the case records the dispatch then.
"""

from django.dispatch import Signal

order_delivered = Signal()
order_submitted = Signal()
