"""Screens for the parser tests: the real corpus and the hand-made cases, in one format.

`corpus/<version>/` holds real captures from one Claude Code version (`<case>.txt`, optionally
`<case>.ansi`, and the expected reading `<case>.json`); `cases/` holds hand-made screens and hard
negatives in the same format.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"
CASES = HERE / "cases"
# One folder per Claude Code version the corpus was captured from, oldest first.
VERSIONS = sorted(
    (p.name for p in CORPUS.iterdir() if p.is_dir()),
    key=lambda v: tuple(int(x) for x in v.split(".")),
)
VERSION_FOLDERS = [CORPUS / v for v in VERSIONS]


@dataclass(frozen=True)
class Case:
    name: str  # <folder>/<stem><suffix>, e.g. 2.1.197/bash_short_w80.txt
    path: Path  # the .txt or .ansi capture
    expected: dict[str, Any]

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8", errors="replace")


def load_cases(*folders: Path) -> list[Case]:
    """Every capture with an expected reading, `.txt` and `.ansi` alike, sorted by name."""
    out: list[Case] = []
    for folder in folders:
        for meta in sorted(folder.glob("*.json")):
            expected = json.loads(meta.read_text(encoding="utf-8"))
            for suffix in (".txt", ".ansi"):
                capture = meta.with_suffix(suffix)
                if capture.exists():
                    out.append(Case(f"{folder.name}/{meta.stem}{suffix}", capture, expected))
    return out


def reading(expected: dict[str, Any]) -> dict[str, Any]:
    """The part of an expected reading the parser must reproduce (no fingerprint, no note)."""
    prompt = expected.get("prompt")
    if prompt is not None:
        prompt = {k: v for k, v in prompt.items() if k != "fingerprint"}
    return {"state": expected["state"], "prompt": prompt, "mode": expected.get("mode")}
