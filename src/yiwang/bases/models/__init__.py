"""The tables of bases: each aggregate in its own module, re-exported here."""
