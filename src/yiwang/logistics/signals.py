"""Hooks logistics offers to the apps above it (it knows none of them).

``order_delivered`` is sent inside the transaction that records an order's 签收 (delivered) event,
with ``order`` (a :class:`~yiwang.logistics.models.CourierOrder`); ``cases/courier.py`` connects to it
to close the handover step of the case the order serves.
"""

from django.dispatch import Signal

order_delivered = Signal()
