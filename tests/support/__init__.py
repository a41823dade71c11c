"""Code the tests, scripts and benchmarks share, and that does not ship in the package.

    claude_api    a scripted stand-in for the Anthropic Messages API (aiohttp)
    claude_code   start the real Claude Code CLI in tmux, isolated, pointed at the stand-in
    corpus        expected readings of captured screens, scenarios, and the screen check
    corpus_scenarios   the table scripts/capture_corpus.py captures

Importable as ``support``: pytest puts tests/ on ``sys.path`` (``pythonpath`` in pyproject.toml);
scripts and benchmarks add it themselves.
"""
