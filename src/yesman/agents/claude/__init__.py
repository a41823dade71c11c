"""yesman.agents.claude."""
