"""Inline program text for interpreters: found in every option spelling, scripts left alone."""

from __future__ import annotations

import shlex

import pytest

from yesman.policy._interpreters import family, inline_code


def reason(command: str, *, piped: bool = False, heredoc: bool = False) -> str | None:
    words = shlex.split(command)
    redirects = (("<<", "EOF"),) if heredoc else ()
    return inline_code(words[0], words, redirects, piped)


@pytest.mark.parametrize(
    "command",
    [
        "python -c x",
        "python3 -Bc x",
        "python3 -W ignore -c x",
        "python3 -Xdev -c x",
        "perl -e x",
        "perl -lne x f",
        "perl -i.bak -pe x f",
        "perl -pi -e x f",
        "ruby -r json -e x",
        "ruby -rjson -e x",
        "node -e x",
        "node --eval=x",
        "node -p x",
        "deno eval x",
        "php -r x",
        "lua5.4 -e x",
        "osascript -e x",
        "Rscript -e x",
        "julia --eval x",
        "pwsh -Command x",
        "awk 'BEGIN{system(\"x\")}'",
        "awk '{print | \"sh\"}'",
        "sed '1e x' f",
        "sed -e 's/a/b/w out' f",
    ],
)
def test_inline_code_is_found(command: str) -> None:
    assert reason(command) is not None


@pytest.mark.parametrize(
    "command",
    [
        "python script.py -c x",
        "python -m pytest -c x",
        "python3 -mpytest",
        "perl -Ilib script.pl -e",
        "node --require ts-node/register app.ts",
        "node server.js",
        "ruby -w app.rb",
        "awk -F, '$3 > 100' f",
        "awk -f prog.awk f",
        "sed -n '1,5p;/x/d' f",
        "sed 's/we/you/g' f",
        "sed -f edit.sed f",
        "bun test",
    ],
)
def test_scripts_and_harmless_programs_are_left_alone(command: str) -> None:
    assert reason(command) is None


def test_program_text_on_stdin_is_code() -> None:
    assert reason("python3", piped=True) is not None
    assert reason("python3 -", heredoc=True) is not None
    assert reason("python3 tools/load.py", piped=True) is None  # stdin is data
    assert reason("python3") is None  # an interactive interpreter: nothing to read


def test_versioned_names_share_a_family() -> None:
    assert [family(n) for n in ("python3.12", "pypy3", "perl5.36", "nodejs", "Rscript")] == [
        "python",
        "pypy",
        "perl",
        "nodejs",
        "rscript",
    ]
