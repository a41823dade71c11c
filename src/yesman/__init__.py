"""yesman."""
