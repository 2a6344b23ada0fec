"""统一支付 Unified payment: fee rules, payment orders, gateway adapters, notifications, refunds,
reconciliation, electronic receipts (财政电子票据) and the finance view (docs/payments.md)."""
