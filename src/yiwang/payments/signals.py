"""Hooks of payments for the apps above it (cases connects in ``cases/payment_stage.py``)."""

from django.dispatch import Signal

# Sent inside the transaction that marks an order paid, with ``order`` (a PaymentOrder).
# Receivers that do more than read should act on commit.
order_paid = Signal()
