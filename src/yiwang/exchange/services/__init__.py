"""Use cases of exchange: one module per use case, public functions re-exported here."""
