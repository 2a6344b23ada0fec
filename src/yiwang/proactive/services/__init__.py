"""Use cases of the proactive app (public functions only)."""
