"""财政电子票据 Electronic fiscal receipts: a sealed PDF for every payment, its public verification,
and the red-letter receipt (红冲) of a refund (docs/receipts.md)."""
