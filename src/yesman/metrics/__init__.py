"""yesman.metrics."""
