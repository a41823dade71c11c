"""Test helpers for code that drives tmux: a private tmux server per test, and polling waits.

Like libtmux's pytest plugin, this is public so that tests of tools built on yesman can use it::

    from yesman.testing import PrivateTmuxServer, eventually

    with PrivateTmuxServer() as tmux:
        pane = tmux.new_session("work", ["python3", "-c", "..."])
        eventually(lambda: "ready" in tmux.capture(pane))

It imports `yesman.tmux` and nothing else of ours. The simulated Claude Code that `yesman demo`
runs lives in the private `yesman._simagent`; the stand-in Anthropic API and the Claude Code
launcher for end-to-end tests live with the tests (tests/support), not in the package.
"""

from yesman.testing._tmux import PrivateTmuxServer, TmuxHelperError, eventually, eventually_async

__all__ = ["PrivateTmuxServer", "TmuxHelperError", "eventually", "eventually_async"]
