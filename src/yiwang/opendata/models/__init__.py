"""The tables of opendata: each aggregate in its own module, re-exported here."""
