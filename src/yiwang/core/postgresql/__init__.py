"""Django's PostgreSQL backend with a cheaper health check for pooled connections (settings.py)."""
