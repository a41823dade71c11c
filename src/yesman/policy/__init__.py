"""yesman.policy."""
