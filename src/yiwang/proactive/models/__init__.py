"""Tables of the proactive app."""
