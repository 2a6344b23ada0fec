"""The tables of sharing: each aggregate in its own module, re-exported here."""
