"""The audit-trail gate on real SQLite files written by `AuditStore`."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from yesman.gates import AuditTrailGate, Gate, GateContext, GateResult, GateStatus
from yesman.policy import Policy
from yesman.store import AuditStore, DecisionRecord

_PAGE = 4096


def _decision(target: str, *, action: str = "answer", dry_run: bool = False) -> DecisionRecord:
    return DecisionRecord(
        session="work", pane="%1", prompt_kind="tool_permission", action=action,
        first_seen=1_700_000_000.0, tool="Bash", target=target, dry_run=dry_run,
    )  # fmt: skip


async def record(
    path: Path,
    target: str,
    *,
    action: str = "answer",
    sent: bool = True,
    verified: bool | None = True,
    dry_run: bool = False,
) -> int:
    """One decision as the watcher writes it: the row, then the keys sent, then the check."""
    async with AuditStore.open(path) as store:
        row = await store.record(_decision(target, action=action, dry_run=dry_run))
        assert row.id is not None
        if sent:
            await store.update_answered(row.id, keys=("1",), answered_at=2.0, latency_ms=5.0)
        if verified is not None:
            await store.update_verified(row.id, verified)
        return row.id


def private(path: Path) -> Path:
    path.parent.chmod(0o700)
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            file.chmod(0o600)
    return path


def files_in(folder: Path) -> list[str]:
    return sorted(os.listdir(folder))


def size(path: Path) -> int:
    return path.stat().st_size


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def put(path: Path, data: bytes, *, offset: int | None = None) -> None:
    """Write ``data`` at ``offset`` (from the end when negative), or replace the file."""
    if offset is None:
        path.write_bytes(data)
        return
    with path.open("r+b") as handle:
        handle.seek(offset, os.SEEK_END if offset < 0 else os.SEEK_SET)
        handle.write(data)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    return folder / "yesman.db"


async def check(path: Path) -> GateResult:
    context = GateContext(policy=Policy.default(), db_path=path, project_dir=path.parent)
    gate: Gate = AuditTrailGate()
    return await gate.run(context)


async def test_missing_database_is_skipped_with_the_reason(db: Path) -> None:
    result = await check(db)
    assert result.status is GateStatus.SKIPPED
    assert result.summary == f"no audit database at {db} yet; run yesman watch first"
    assert files_in(db.parent) == []


async def test_private_intact_verified_database_passes(db: Path) -> None:
    await record(db, "ls")
    await record(db, "hold me", action="hold", sent=False, verified=None)
    await record(db, "dry", dry_run=True, sent=False, verified=None)
    await record(db, "crashed before typing", sent=False, verified=None)
    private(db)
    before = digest(db)
    result = await check(db)
    assert result.status is GateStatus.PASSED, result.findings
    assert result.gate_id == "enhanced-security/audit-trail"
    assert result.metrics == {
        "db_mode": "0600",
        "dir_mode": "0700",
        "integrity": "ok",
        "decisions": 4,
        "answered": 1,
        "unverified": 0,
        "never_verified": 0,
        "verify_failed": 0,
    }
    assert digest(db) == before  # read, never written


async def test_a_database_yesman_created_in_a_new_folder_passes_as_made(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "yesman" / "yesman.db"
    await record(path, "ls")
    result = await check(path)
    assert result.status is GateStatus.PASSED, result.findings


async def test_world_readable_database_fails_with_the_chmod_to_run(db: Path) -> None:
    await record(db, "ls")
    private(db).chmod(0o644)
    result = await check(db)
    assert result.status is GateStatus.FAILED
    [finding] = [f for f in result.findings if f.severity is GateStatus.FAILED]
    assert finding.where == str(db)
    assert "mode 0644" in finding.message
    assert "others can read" in finding.message
    assert f"chmod 600 '{db}'" in finding.message
    assert result.metrics["db_mode"] == "0644"


async def test_a_loose_wal_file_fails_too(db: Path) -> None:
    await record(db, "ls")
    private(db)
    wal = Path(f"{db}-wal")
    put(wal, b"")  # what a reader leaves behind; here with a careless mode
    os.chmod(wal, 0o664)
    result = await check(db)
    assert result.status is GateStatus.FAILED
    assert f"chmod 600 '{wal}'" in result.summary


async def test_folder_others_can_list_fails(db: Path) -> None:
    await record(db, "ls")
    private(db)
    db.parent.chmod(0o755)
    result = await check(db)
    assert result.status is GateStatus.FAILED
    [finding] = [f for f in result.findings if f.severity is GateStatus.FAILED]
    assert finding.where == str(db.parent)
    assert "folder mode 0755" in finding.message
    assert f"chmod 700 '{db.parent}'" in finding.message
    assert result.metrics["dir_mode"] == "0755"


async def test_a_damaged_page_fails_the_integrity_check(db: Path) -> None:
    for i in range(200):  # enough rows for the table to span many pages
        await record(db, f"command {i} " + "x" * 200)
    private(db)
    assert size(db) > 10 * _PAGE
    # garbage over the last page: a leaf of the decisions table
    put(db, b"\xde\xad\xbe\xef" * (_PAGE // 4), offset=-_PAGE)
    result = await check(db)
    assert result.status is GateStatus.FAILED
    assert "PRAGMA integrity_check reports damage" in result.summary
    assert result.metrics["integrity"] == "failed"


async def test_garbage_instead_of_a_database_fails(db: Path) -> None:
    put(db, b"this is not sqlite at all" * 100)
    private(db)
    result = await check(db)
    assert result.status is GateStatus.FAILED
    assert "not a readable yesman database" in result.summary


async def test_answers_never_verified_or_failing_verification_warn(db: Path) -> None:
    await record(db, "ls")
    never = [await record(db, f"never {i}", verified=None) for i in range(7)]
    failed = await record(db, "pytest -x", verified=False)
    private(db)
    result = await check(db)
    assert result.status is GateStatus.WARNING
    assert result.summary == (
        "8 of 9 answers yesman typed were not verified (7 never checked, 1 failed the check)"
    )
    assert result.metrics["unverified"] == 8
    assert result.metrics["never_verified"] == 7
    assert result.metrics["verify_failed"] == 1
    listed = [f.where for f in result.findings if (f.where or "").startswith("decision ")]
    # the five most recent never-verified (newest first), then the failed one
    assert listed == [f"decision {i}" for i in reversed(never[-5:])] + [f"decision {failed}"]
    messages = " ".join(f.message for f in result.findings)
    assert "7 answers yesman typed were never verified" in messages
    assert "1 answer yesman typed failed verification" in messages
    assert "session work pane %1: Bash 'pytest -x'" in messages


async def test_another_programs_database_is_an_error(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    private(db)
    before = digest(db)
    result = await check(db)
    assert result.status is GateStatus.ERROR
    assert "not a yesman audit database" in result.summary
    assert digest(db) == before


async def test_a_newer_schema_is_an_error(db: Path) -> None:
    await record(db, "ls")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    private(db)
    result = await check(db)
    assert result.status is GateStatus.ERROR
    assert "schema version 999" in result.summary


async def test_an_empty_file_is_skipped(db: Path) -> None:
    put(db, b"")
    private(db)
    result = await check(db)
    assert result.status is GateStatus.SKIPPED
    assert "is empty" in result.summary


@pytest.mark.skipif(os.getuid() == 0, reason="root reads every file")
async def test_unreadable_database_is_an_error_naming_it(db: Path) -> None:
    await record(db, "ls")
    private(db).chmod(0o000)
    result = await check(db)
    assert result.status is GateStatus.ERROR
    assert str(db) in result.summary
