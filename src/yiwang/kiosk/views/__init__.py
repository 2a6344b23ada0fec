"""Pages of the self-service kiosk (/kiosk/)."""
