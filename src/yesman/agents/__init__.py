"""yesman.agents."""
