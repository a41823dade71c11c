"""`yesman audit` against real SQLite files."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

import yesman.cli._audit  # noqa: F401  (registers `yesman audit`)
from yesman.cli._app import app
from yesman.store import AuditStore, DecisionRecord

WIDE = {"COLUMNS": "220", "LINES": "50"}


def _record(n: int, session: str = "work", **changes: object) -> DecisionRecord:
    fields: dict[str, object] = {
        "session": session,
        "pane": f"%{n}",
        "prompt_kind": "tool_permission",
        "tool": "Bash",
        "target": f"npm run job-{n}",
        "options": ("Yes", "No"),
        "action": "answer",
        "keys": ("1",),
        "rule": "allow:npm",
        "reason": "package script",
        "first_seen": 1_700_000_000.0 + n,
        "answered_at": 1_700_000_000.04 + n,
        "latency_ms": 40.0,
        "verified": True,
        "time": 1_700_000_000.05 + n,
    }
    fields.update(changes)
    return DecisionRecord(**fields)  # type: ignore[arg-type]


def _populate(path: Path, records: list[DecisionRecord]) -> None:
    async def write() -> None:
        async with AuditStore.open(path) as store:
            for rec in records:
                await store.record(rec)

    asyncio.run(write())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "audit.db"
    _populate(
        path,
        [
            _record(1, agent="claude-code", agent_version="2.1.332"),
            _record(2, session="other", agent="codex", agent_version="0.171.0"),
            _record(
                3,
                action="hold",
                keys=(),
                target="rm -rf /",
                rule="deny:rm-root",
                reason="deletes everything",
                answered_at=None,
                latency_ms=None,
                verified=None,
            ),
        ],
    )
    return path


def test_table_shows_each_decision(db: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "--db", str(db)], env=WIDE)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("npm run job-1" in line and "answer" in line and "40 ms" in line for line in lines)
    assert any("rm -rf /" in line and "hold" in line and "deny:rm-root" in line for line in lines)
    assert "other" in result.output
    assert any("npm run job-1" in line and "claude-code@2.1.332" in line for line in lines)
    assert any("npm run job-2" in line and "codex@0.171.0" in line for line in lines)


def test_json_is_the_records(db: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [row["target"] for row in rows] == ["npm run job-1", "npm run job-2", "rm -rf /"]
    assert rows[0]["options"] == ["Yes", "No"]
    assert rows[0]["keys"] == ["1"]
    assert rows[2]["verified"] is None
    expected_keys = {
        "time", "session", "pane", "prompt_kind", "tool", "target", "options", "action", "keys",
        "rule", "reason", "first_seen", "answered_at", "latency_ms", "verified", "dry_run",
        "fingerprint", "id", "agent", "agent_version",
    }  # fmt: skip
    assert expected_keys <= set(rows[0])
    assert [(row["agent"], row["agent_version"]) for row in rows] == [
        ("claude-code", "2.1.332"),
        ("codex", "0.171.0"),
        ("", ""),
    ]


def test_limit_and_session_filter(db: Path) -> None:
    result = CliRunner().invoke(
        app, ["audit", "--db", str(db), "--json", "--session", "work", "--limit", "1"]
    )
    assert result.exit_code == 0, result.output
    assert [row["target"] for row in json.loads(result.output)] == ["rm -rf /"]


def test_agent_filter(db: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "--db", str(db), "--json", "--agent", "codex"])
    assert result.exit_code == 0, result.output
    assert [row["target"] for row in json.loads(result.output)] == ["npm run job-2"]
    result = CliRunner().invoke(app, ["audit", "--db", str(db), "--agent", "gemini"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "about agent 'gemini'" in result.output


def test_a_database_from_before_agents_lists_and_filters(tmp_path: Path) -> None:
    from yesman.store._schema import _MIGRATIONS  # noqa: PLC0415

    path = tmp_path / "v7.db"
    conn = sqlite3.connect(path)
    for migration in _MIGRATIONS[:7]:
        for statement in migration:
            conn.execute(statement)
    conn.execute(
        "INSERT INTO decisions (time, session, pane, prompt_kind, action, first_seen, target) "
        "VALUES (1.0, 'work', '%3', 'tool_permission', 'answer', 1.0, 'make')"
    )
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    table = CliRunner().invoke(app, ["audit", "--db", str(path)], env=WIDE)
    assert table.exit_code == 0, table.output
    assert "agent" in table.output
    assert "make" in table.output
    listed = CliRunner().invoke(app, ["audit", "--db", str(path), "--json"])
    assert [(r["target"], r["agent"]) for r in json.loads(listed.output)] == [("make", "")]
    none = CliRunner().invoke(app, ["audit", "--db", str(path), "--json", "--agent", "codex"])
    assert (none.exit_code, json.loads(none.output)) == (0, [])


def test_a_limit_below_one_is_a_usage_error(db: Path) -> None:
    result = CliRunner().invoke(app, ["audit", "--db", str(db), "--limit", "0"])
    assert result.exit_code == 2


def test_escape_sequences_from_the_screen_are_not_replayed(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    _populate(path, [_record(1, target="echo \x1b]0;pwned\x07 [bold]x[/bold]")])
    result = CliRunner().invoke(app, ["audit", "--db", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    assert "\\x1b]0;pwned\\x07 [bold]x[/bold]" in result.output


def test_a_missing_db_given_explicitly_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(app, ["audit", "--db", str(missing)])
    assert result.exit_code == 1
    assert "no audit database at" in result.output
    assert not missing.exists()


def test_nothing_recorded_yet_at_the_default_place(tmp_path: Path) -> None:
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), **WIDE}
    table = CliRunner().invoke(app, ["audit"], env=env)
    as_json = CliRunner().invoke(app, ["audit", "--json"], env=env)
    assert table.exit_code == 0
    assert "No decisions recorded yet" in table.output
    assert str(tmp_path / "data" / "yesman" / "yesman.db") in table.output.replace("\n", "")
    assert as_json.exit_code == 0
    assert json.loads(as_json.output) == []


def test_a_corrupt_db_is_explained_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    path.write_bytes(b"garbage" * 500)
    result = CliRunner().invoke(app, ["audit", "--db", str(path)], env=WIDE)
    assert result.exit_code == 1
    assert "not a readable yesman database" in result.output
    assert "Traceback" not in result.output


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_another_programs_database_is_refused_and_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.commit()
    conn.close()
    before = _digest(path)
    result = CliRunner().invoke(app, ["audit", "--db", str(path)], env=WIDE)
    assert result.exit_code == 1
    output = result.output.replace("\n", "")
    assert "not a yesman audit database" in output
    assert "moz_places" in output
    assert _digest(path) == before
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert check.execute("PRAGMA user_version").fetchone()[0] == 0
    check.close()


def test_an_empty_file_is_refused_and_stays_empty(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    path.touch()
    result = CliRunner().invoke(app, ["audit", "--db", str(path), "--json"], env=WIDE)
    assert result.exit_code == 1
    assert "is empty (0 bytes)" in result.output.replace("\n", "")
    assert path.read_bytes() == b""


def test_reading_leaves_the_database_byte_for_byte(db: Path) -> None:
    before = _digest(db)
    result = CliRunner().invoke(app, ["audit", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    assert _digest(db) == before


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs holding a yesman database, remounted read-only (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "yesman-ro", str(mnt)],
        capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        _populate(mnt / "audit.db", [_record(1), _record(2)])
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_database_on_a_read_only_mount_is_listed(read_only_mount: Path) -> None:
    path = read_only_mount / "audit.db"
    result = CliRunner().invoke(app, ["audit", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert [row["target"] for row in json.loads(result.output)] == ["npm run job-1",
                                                                     "npm run job-2"]  # fmt: skip
