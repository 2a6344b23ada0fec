"""Use cases of bases: one module per use case, public functions re-exported here."""
