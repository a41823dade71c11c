"""yesman.tmux."""
