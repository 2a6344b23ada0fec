"""Use cases of the space app (public functions only)."""
