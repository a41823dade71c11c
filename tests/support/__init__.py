"""Code the tests, scripts and benchmarks share, and that does not ship in the package.

    claude_api    a scripted stand-in for the Anthropic Messages API (aiohttp)
    claude_code   start the real Claude Code CLI in tmux, isolated, pointed at the stand-in
    corpus        expected readings of captured screens, scenarios, and the screen check
    corpus_scenarios   the table scripts/capture_corpus.py captures
    agents        agents made up for tests (Claude Code's screen, another process)
    toy_agent     a toy coding agent program with a screen of its own

Importable as ``support``: pytest puts tests/ on ``sys.path`` (``pythonpath`` in pyproject.toml);
scripts and benchmarks add it themselves.
"""
