"""`python -m yesman.cli`: the same as the `yesman` command."""

from yesman.cli import main

main()
