"""The tables of this app (one module per aggregate, re-exported here)."""
