"""The simulated Claude Code that `yesman demo`, the tests and the benchmarks watch.

Private: it ships because the demo runs it, but nothing here is a supported API. It is a real
program (``python -m yesman._simagent``) that draws Claude Code 2.1.x dialogs in its terminal and
logs what it showed and which keys reached it.

    scenarios   the dialogs and replies, as data
    screen      how they are laid out, and how key bytes are read (pure functions)
    agent       the state machine and terminal loop
    cli         the command line, `command()` to build its argv, `read_log()`
    harness     start it in a tmux pane and follow its log (imports yesman.agents)

This file imports nothing, so ``python -m yesman._simagent`` starts on the standard library alone.
"""
