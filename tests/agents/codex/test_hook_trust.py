"""Whether Codex will run yesman's hook, read from its config.toml as Codex 0.171.0 writes it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yesman.agents.codex._hook import CodexHook

COMMAND = "/opt/yesman/bin/yesman hook --agent codex"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / ".codex").mkdir()
    return tmp_path


def _installed(home: Path, *, project: Path | None = None, users_groups: int = 1) -> Path:
    """yesman's hook written after ``users_groups`` groups of the user's; the file's path."""
    hook = CodexHook({})
    folder = home / ".codex" if project is None else project / ".codex"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hooks.json"
    users = [{"hooks": [{"type": "command", "command": f"mine-{n}"}]} for n in range(users_groups)]
    doc = hook.install({"hooks": {"PermissionRequest": users}}, COMMAND, 10)
    path.write_text(json.dumps(doc))
    return path


def _pending(home: Path, path: Path, *, changed: bool = False) -> str | None:
    hook = CodexHook({})
    return hook.pending_step(path, json.loads(path.read_text()), home=home, changed=changed)


def _config(home: Path, text: str) -> None:
    (home / ".codex" / "config.toml").write_text(text)


def test_until_the_user_trusts_it_codex_does_not_run_it(home: Path) -> None:
    path = _installed(home)
    step = _pending(home, path)
    assert step is not None
    assert "Hooks need review" in step
    assert "/hooks" in step
    assert str(path) in step


def test_trust_as_codex_records_it(home: Path) -> None:
    path = _installed(home, users_groups=2)
    # What choosing "Trust all and continue" wrote (0.171.0); yesman's group is the third.
    _config(
        home,
        'model = "gpt-5.4"\n\n[hooks.state]\n\n'
        f'[hooks.state."{path}:permission_request:2:0"]\n'
        'trusted_hash = "sha256:759f5743c1e0f031110af804561d10e60c22b68fb3e1e26e5971ec63ad7a"\n',
    )
    assert _pending(home, path) is None
    step = _pending(home, path, changed=True)
    assert step is not None, "a changed entry is asked about again"
    assert "Hooks need review" in step


def test_trust_for_another_place_does_not_count(home: Path) -> None:
    path = _installed(home, users_groups=1)
    _config(home, f'[hooks.state."{path}:permission_request:0:0"]\ntrusted_hash = "sha256:00"\n')
    assert _pending(home, path) is not None


def test_a_hook_switched_off_or_hooks_off_are_said(home: Path) -> None:
    path = _installed(home, users_groups=0)
    _config(home, f'[hooks.state."{path}:permission_request:0:0"]\nenabled = false\n')
    assert "switched off in Codex" in (_pending(home, path) or "")
    _config(home, "[features]\nhooks = false\n")
    assert "[features] hooks = false" in (_pending(home, path) or "")


def test_a_project_file_needs_a_trusted_project(home: Path, tmp_path: Path) -> None:
    project = tmp_path / "app"
    path = _installed(home, project=project, users_groups=0)
    assert "only in a project it trusts" in (_pending(home, path) or "")
    _config(
        home,
        f'[projects."{project}"]\ntrust_level = "trusted"\n\n'
        f'[hooks.state."{path}:permission_request:0:0"]\ntrusted_hash = "sha256:09"\n',
    )
    assert _pending(home, path) is None


def test_an_unreadable_config_is_said_not_guessed(home: Path) -> None:
    path = _installed(home)
    _config(home, "this is = = not toml")
    assert "cannot read" in (_pending(home, path) or "")


def test_no_entry_of_yesmans_needs_nothing(home: Path) -> None:
    path = home / ".codex" / "hooks.json"
    path.write_text('{"hooks": {}}')
    assert _pending(home, path) is None
