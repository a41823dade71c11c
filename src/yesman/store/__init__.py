"""yesman.store."""
