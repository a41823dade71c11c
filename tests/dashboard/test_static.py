"""The vendored chart library is what its README says, with its licence, inside the package."""

from __future__ import annotations

import hashlib
import re
from importlib import resources


def test_vendored_files_match_the_readme() -> None:
    static = resources.files("yesman.dashboard").joinpath("static")
    readme = static.joinpath("README.md").read_text("utf-8")
    listed = {
        name: digest for digest, name in re.findall(r"^\s+([0-9a-f]{64})\s+(\S+)$", readme, re.M)
    }
    assert set(listed) == {"uPlot.iife.min.js", "uPlot.min.css"}
    for name, digest in listed.items():
        data = static.joinpath(name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
    version = re.search(r"uplot` (\d+\.\d+\.\d+)", readme)
    assert version is not None
    assert f"(v{version.group(1)})" in static.joinpath("uPlot.iife.min.js").read_text("utf-8")[:80]
    licence = static.joinpath("LICENSE.uPlot").read_text("utf-8")
    assert "MIT License" in licence
    assert "Leon Sorokin" in licence


def test_page_script_and_styles_are_shipped() -> None:
    static = resources.files("yesman.dashboard").joinpath("static")
    script = static.joinpath("dashboard.js").read_text("utf-8")
    assert 'new EventSource("/api/events")' in script
    assert static.joinpath("dashboard.css").is_file()
