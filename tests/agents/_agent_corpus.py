"""Load an agent's real-screen corpus (``<agent>/corpus/<version>/<case>.txt|.ansi|.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yesman.agents import AgentScreen

__all__ = ["Case", "expected_reading", "load_corpus", "read"]


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    expected: dict[str, Any]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8", errors="replace")


def load_corpus(corpus: Path) -> list[Case]:
    """Every capture (.txt and .ansi) with its reading, every version folder, sorted."""
    out: list[Case] = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        for meta in sorted(folder.glob("*.json")):
            expected = json.loads(meta.read_text(encoding="utf-8"))
            for suffix in (".txt", ".ansi"):
                capture = meta.with_suffix(suffix)
                if capture.exists():
                    out.append(Case(f"{folder.name}/{meta.stem}{suffix}", capture, expected))
    return out


def read(screen: AgentScreen) -> dict[str, Any]:
    """The reading as the corpus stores it (no fingerprint)."""
    got = screen.as_dict()
    if got["prompt"] is not None:
        got["prompt"] = {k: v for k, v in got["prompt"].items() if k != "fingerprint"}
    return got


def expected_reading(case: Case) -> dict[str, Any]:
    return {k: case.expected[k] for k in ("state", "prompt", "mode")}
