"""yesman.monitor."""
