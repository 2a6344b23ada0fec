"""Models of this bounded context (one module per aggregate, re-exported here)."""
