"""The input-guard table: reading versions, choosing a guard, and keeping up with the pins."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from yesman.agents.claude._guards import (
    DEFAULT_GUARD,
    GUARDS,
    ClaudeVersion,
    input_guard,
    parse_version,
)

ROOT = Path(__file__).resolve().parents[3]
CORPUS = Path(__file__).parent / "corpus"
OLD, NEW = ClaudeVersion(2, 1, 197), ClaudeVersion(2, 1, 332)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2.1.197", OLD, id="bare"),
        pytest.param("v2.1.332", NEW, id="leading-v"),
        pytest.param("  2.1.332\n", NEW, id="surrounding-blanks"),
        pytest.param("2.1.332 (Claude Code)\n", NEW, id="version-output"),
        pytest.param("2.1.197-beta.1", OLD, id="pre-release-suffix"),
        pytest.param("10.20.3000", ClaudeVersion(10, 20, 3000), id="wide-numbers"),
        pytest.param(" ▐▛███▜▌   Claude Code v2.1.197\n▝▜█████▛▘  Opus", OLD, id="banner"),
        pytest.param("Running Claude Code v2.1.332.", NEW, id="banner-sentence-end"),
        pytest.param("", None, id="empty"),
        pytest.param("garbage", None, id="garbage"),
        pytest.param("2.1", None, id="two-parts"),
        pytest.param("2.1.332.4", None, id="four-parts"),
        pytest.param("Python 3.11.7\nnode v20.20.2\n", None, id="other-versions-on-screen"),
        pytest.param("upgrade to 2.1.400 now", None, id="number-in-prose"),
    ],
)
def test_parse_version(text: str, expected: ClaudeVersion | None) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize("version", ["2.1.197", "2.1.332"])
@pytest.mark.parametrize("suffix", [".txt", ".ansi"])
def test_the_banner_of_a_real_capture_gives_its_version(version: str, suffix: str) -> None:
    screen = (CORPUS / version / f"idle_start_w120{suffix}").read_text(encoding="utf-8")
    assert parse_version(screen) == parse_version(version)


def test_versions_order_as_releases() -> None:
    assert ClaudeVersion(2, 1, 197) < ClaudeVersion(2, 1, 332) < ClaudeVersion(2, 2, 0)
    assert ClaudeVersion(2, 1, 40) < ClaudeVersion(2, 1, 197)  # numerically, not as text
    assert str(NEW) == "2.1.332"


def test_measured_versions_get_their_own_guard() -> None:
    assert input_guard("2.1.197") == GUARDS[OLD] == pytest.approx(0.05)
    assert input_guard("Claude Code v2.1.332") == GUARDS[NEW] == pytest.approx(0.19)
    assert input_guard(NEW) == GUARDS[NEW]


def test_the_guard_clears_every_measured_drop() -> None:
    # 2.1.332 dropped a key typed 130 ms after the dialog was complete, never one at 140 ms.
    assert input_guard("2.1.332") > 0.14
    assert input_guard("2.1.197") < input_guard("2.1.332")


@pytest.mark.parametrize(
    "version",
    [
        pytest.param(None, id="unknown"),
        pytest.param("not a version", id="unreadable"),
        pytest.param("2.1.333", id="newer-than-measured"),
        pytest.param("3.0.0", id="next-major"),
        pytest.param("2.1.196", id="older-than-measured"),
    ],
)
def test_versions_outside_the_table_get_the_default(version: str | None) -> None:
    assert input_guard(version) == DEFAULT_GUARD


def test_the_default_is_longer_than_every_measured_guard() -> None:
    assert max(GUARDS.values()) < DEFAULT_GUARD


def test_a_version_between_two_measured_gets_the_longer_neighbour() -> None:
    # Somewhere between 2.1.197 and 2.1.332 the guard appeared; assume the longer one.
    assert input_guard("2.1.198") == GUARDS[NEW]
    assert input_guard("2.1.331") == GUARDS[NEW]


def _pinned() -> dict[str, str]:
    pins: dict[str, str] = {}
    for manifest in sorted(ROOT.glob("tools/claude-code*/package.json")):
        deps = json.loads(manifest.read_text(encoding="utf-8"))["dependencies"]
        pins[manifest.parent.name] = deps["@anthropic-ai/claude-code"]
    return pins


def test_every_pinned_claude_code_has_a_measured_guard() -> None:
    pins = _pinned()
    assert pins, "no tools/claude-code*/package.json found"
    unmeasured = {folder: pin for folder, pin in pins.items() if parse_version(pin) not in GUARDS}
    assert not unmeasured, (
        f"pinned Claude Code without a measured input guard: {unmeasured}; run "
        "scripts/measure_input_guard.py for it and add it to yesman/agents/claude/_guards.py"
    )


def _installed() -> list[Path]:
    found = []
    for folder in sorted(ROOT.glob("tools/claude-code*")):
        modules = folder / "node_modules"
        natives = sorted(modules.glob("@anthropic-ai/claude-code-*/claude"))
        found += [n for n in natives if os.access(n, os.X_OK)][:1]
    return found


@pytest.mark.parametrize("binary", _installed() or [None], ids=lambda b: b and b.parts[-5])
def test_the_version_output_of_a_real_claude_code_is_read(binary: Path | None) -> None:
    if binary is None:
        pytest.skip("no Claude Code installed: npm ci --prefix tools/claude-code")
    with tempfile.TemporaryDirectory(prefix="yesman-claude-") as home:
        out = subprocess.run(
            [str(binary), "--version"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env={"PATH": os.environ.get("PATH", ""), "HOME": home, "DISABLE_AUTOUPDATER": "1"},
        ).stdout
    version = parse_version(out)
    assert version is not None, out
    assert version in GUARDS, f"{binary} is {version}, which has no measured guard"
