"""Tables of the space app."""
