"""The tables of exchange: each aggregate in its own module, re-exported here."""
