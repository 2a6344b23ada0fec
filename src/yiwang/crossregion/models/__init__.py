"""Models of the crossregion app."""
