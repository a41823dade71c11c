"""Helpers for tests and benchmarks that drive real programs.

``claude_api`` is a local stand-in for the Anthropic Messages API, ``claude_code`` starts the real
Claude Code CLI in tmux against it, and ``tmux`` manages private tmux servers.
"""
