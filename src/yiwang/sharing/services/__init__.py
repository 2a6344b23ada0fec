"""Use cases of sharing: one module per use case, public functions re-exported here."""
