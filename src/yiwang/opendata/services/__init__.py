"""Use cases of opendata: one module per use case, public functions re-exported here."""
