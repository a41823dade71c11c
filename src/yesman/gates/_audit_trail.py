"""The ``audit-trail`` gate: the audit database is private, intact, and its answers were checked.

The audit database holds every command yesman saw and what it typed; it must not be readable by
other users (commands carry paths, hosts and sometimes secrets) nor replaceable by them (a
swapped file would rewrite history). Checks, in order:

1. modes of the database file, its ``-wal`` and ``-shm`` (no group or other access: ``0600``)
   and of its folder (not writable by group or others, not readable by others: ``0700``);
2. ``PRAGMA integrity_check`` on a read-only connection (`AuditStore` with ``read_only=True``:
   SQLite's ``mode=ro``, nothing is migrated or written);
3. decisions that typed an answer (action ``answer``, keys sent, not a dry run) whose
   verification is missing: ``verified`` NULL means it was never checked (the watcher stopped
   first, or could not write the result), 0 means the check ran and failed (the dialog stayed
   up, or the screen could not be read; the watcher then left the pane to a human).

Result: ``skipped`` when there is no database yet; ``failed`` for loose modes or a damaged file;
``warning`` for unverified answers; ``error`` for a database that is not yesman's, is newer than
this yesman, or stays locked.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from yesman.gates._model import ENHANCED_SECURITY, Finding, GateContext, GateResult, GateStatus
from yesman.store import (
    AuditStore,
    StoreCorruptError,
    StoreError,
    StoreNotFoundError,
)

__all__ = ["AuditTrailGate"]

_FILE_MASK: Final = 0o066  # group or others may read or write
_DIR_MASK: Final = 0o026  # group or others may write (swap the file), others may list
_INTEGRITY_LINES: Final = 5

_ANSWERED: Final = "action = 'answer' AND dry_run = 0 AND (keys != '[]' OR answered_at IS NOT NULL)"


@dataclass(frozen=True, slots=True)
class _Unverified:
    id: int
    time: float
    session: str
    pane: str
    tool: str
    target: str

    def describe(self) -> str:
        when = _dt.datetime.fromtimestamp(self.time).astimezone().isoformat(timespec="seconds")
        target = self.target if len(self.target) <= 80 else self.target[:77] + "..."
        what = f"{self.tool} {target!r}" if self.tool else repr(target)
        return f"{when} session {self.session} pane {self.pane}: {what}"


@dataclass(frozen=True, slots=True)
class _Counts:
    decisions: int
    answered: int
    never: int  # verified IS NULL
    failed: int  # verified = 0
    recent_never: tuple[_Unverified, ...]
    recent_failed: tuple[_Unverified, ...]


def _octal(mode: int) -> str:
    return f"{stat.S_IMODE(mode):04o}"


def _who(mode: int) -> str:
    """Which classes of user may do what: "group can read and write, others can read"."""
    parts = []
    for who, shift in (("group", 3), ("others", 0)):
        can = [
            verb
            for verb, bit in (("read", 4), ("write", 2), ("list", 4), ("enter", 1))
            if mode >> shift & bit
        ]
        if stat.S_ISDIR(mode):
            can = [v for v in can if v != "read"]
        else:
            can = [v for v in can if v in ("read", "write")]
        if can:
            parts.append(f"{who} can {' and '.join(can)}")
    return ", ".join(parts)


def _permission_findings(path: Path) -> tuple[list[Finding], str, str] | None:
    """Findings on the file, its WAL companions and folder, and the file's and folder's modes;
    None when there is no file."""
    if not path.exists():
        return None
    findings: list[Finding] = []
    db_mode = dir_mode = "?"
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            mode = file.stat().st_mode
        except FileNotFoundError:
            continue
        if file == path:
            db_mode = _octal(mode)
        if mode & _FILE_MASK:
            findings.append(
                Finding(
                    f"mode {_octal(mode)}: {_who(mode)} this file, which holds every command "
                    f"yesman saw and answered; run: chmod 600 '{file}'",
                    str(file),
                )
            )
    folder = path.parent
    info = folder.stat()
    dir_mode = _octal(info.st_mode)
    if info.st_mode & _DIR_MASK:
        if info.st_uid == os.getuid():
            fix = f"run: chmod 700 '{folder}'"
        else:  # a shared folder such as /tmp: not ours to chmod
            fix = (
                "the folder is not yours to chmod: move the database to a private folder "
                "(mkdir -m 700 DIR) and pass --db"
            )
        findings.append(
            Finding(
                f"folder mode {dir_mode}: {_who(info.st_mode)} the folder of the audit database "
                f"(others can see, or replace, it); {fix}",
                str(folder),
            )
        )
    return findings, db_mode, dir_mode


def _integrity(conn: sqlite3.Connection) -> list[str]:
    try:
        rows = conn.execute(f"PRAGMA integrity_check({_INTEGRITY_LINES})").fetchall()
    except sqlite3.DatabaseError as exc:  # so damaged the check cannot even run
        return [str(exc)]
    return [str(row[0]) for row in rows]


def _count_job(recent: int) -> Callable[[sqlite3.Connection], _Counts]:
    def run(conn: sqlite3.Connection) -> _Counts:
        decisions = int(conn.execute("SELECT count(*) FROM decisions").fetchone()[0])
        answered, never, failed = conn.execute(
            f"SELECT count(*), coalesce(sum(verified IS NULL), 0), "
            f"coalesce(sum(verified = 0), 0) FROM decisions WHERE {_ANSWERED}"
        ).fetchone()

        def latest(condition: str) -> tuple[_Unverified, ...]:
            rows = conn.execute(
                "SELECT id, time, session, pane, tool, target FROM decisions "
                f"WHERE {_ANSWERED} AND {condition} ORDER BY time DESC, id DESC LIMIT ?",
                (recent,),
            ).fetchall()
            return tuple(_Unverified(*(tuple(row))) for row in rows)

        return _Counts(
            decisions,
            int(answered),
            int(never),
            int(failed),
            latest("verified IS NULL"),
            latest("verified = 0"),
        )

    return run


_Metrics = dict[str, float | int | str]


class AuditTrailGate:
    """The audit database is private, passes SQLite's integrity check, and every answer yesman
    typed was verified.

    ``recent`` is how many of the newest unverified decisions are listed per kind;
    ``busy_timeout`` how long to wait for a watcher's write lock before giving up.
    """

    family = ENHANCED_SECURITY
    name = "audit-trail"
    title = "Audit trail"

    def __init__(self, *, recent: int = 5, busy_timeout: float = 5.0) -> None:
        if recent < 1:
            raise ValueError(f"recent must be at least 1, got {recent}")
        self.recent = recent
        self.busy_timeout = busy_timeout

    def _result(
        self,
        started: float,
        status: GateStatus,
        summary: str,
        findings: Sequence[Finding] = (),
        metrics: _Metrics | None = None,
    ) -> GateResult:
        return GateResult(
            family=self.family,
            name=self.name,
            title=self.title,
            status=status,
            summary=summary,
            findings=tuple(findings),
            metrics=metrics or {},
            duration_s=time.perf_counter() - started,
        )

    async def run(self, context: GateContext) -> GateResult:
        started = time.perf_counter()
        path = context.db_path.expanduser()
        try:
            inspected = await asyncio.to_thread(_permission_findings, path)
        except OSError as exc:
            return self._result(started, GateStatus.ERROR, f"cannot inspect {path}: {exc}")
        if inspected is None:
            return self._result(
                started,
                GateStatus.SKIPPED,
                f"no audit database at {path} yet; run yesman watch first",
            )
        findings, db_mode, dir_mode = inspected
        metrics: _Metrics = {"db_mode": db_mode, "dir_mode": dir_mode}
        counts: _Counts | None = None
        try:
            async with AuditStore.open(
                path, read_only=True, busy_timeout=self.busy_timeout
            ) as store:
                problems = await store.run_read(_integrity)
                if problems == ["ok"]:
                    counts = await store.run_read(_count_job(self.recent))
        except StoreNotFoundError:
            summary = f"the audit database {path} is empty; run yesman watch first"
            return self._result(started, GateStatus.SKIPPED, summary, findings, metrics)
        except StoreCorruptError as exc:  # the file (or a page read on the way) is damaged
            problems = [str(exc)]
        except StoreError as exc:  # another program's database, a newer schema, a lock
            if not findings:
                summary = f"the audit database could not be checked: {exc}"
                return self._result(started, GateStatus.ERROR, summary, (), metrics)
            # loose modes are a finding whatever the file holds
            findings.append(Finding(f"could not be checked: {exc}", str(path), GateStatus.ERROR))
            return self._result(
                started, GateStatus.FAILED, _first(findings, GateStatus.FAILED), findings, metrics
            )
        if problems != ["ok"]:
            shown = "; ".join(problems[:_INTEGRITY_LINES])
            findings.append(
                Finding(
                    f"PRAGMA integrity_check reports damage: {shown}. Keep a copy and see what "
                    f"can be recovered (sqlite3 '{path}' .recover)",
                    str(path),
                )
            )
        metrics["integrity"] = "ok" if problems == ["ok"] else "failed"
        if counts is not None:
            metrics |= {
                "decisions": counts.decisions,
                "answered": counts.answered,
                "unverified": counts.never + counts.failed,
                "never_verified": counts.never,
                "verify_failed": counts.failed,
            }
            findings += _unverified_findings(path, counts)
        if any(f.severity is GateStatus.FAILED for f in findings):
            status, summary = GateStatus.FAILED, _first(findings, GateStatus.FAILED)
        elif counts is not None and counts.never + counts.failed:
            status = GateStatus.WARNING
            summary = (
                f"{counts.never + counts.failed} of {counts.answered} answers yesman typed were "
                f"not verified ({counts.never} never checked, {counts.failed} failed the check)"
            )
        else:
            answered = counts.answered if counts is not None else 0
            status = GateStatus.PASSED
            verified = f"all {answered} answers yesman typed" if answered else "no answers typed"
            summary = (
                f"{path} is private (file {db_mode}, folder {dir_mode}) and intact; "
                f"{verified} {'were verified' if answered else 'yet'}"
            )
        return self._result(started, status, summary, findings, metrics)


def _first(findings: Sequence[Finding], severity: GateStatus) -> str:
    """The first finding of ``severity``, and how many more there are."""
    matching = [f for f in findings if f.severity is severity]
    more = f" (and {len(matching) - 1} more)" if len(matching) > 1 else ""
    return f"{matching[0]}{more}"


def _unverified_findings(path: Path, counts: _Counts) -> list[Finding]:
    findings: list[Finding] = []
    for total, rows, meaning in (
        (
            counts.never,
            counts.recent_never,
            "were never verified (the watcher stopped before checking, or could not record the "
            "result): nobody knows whether the agent took them",
        ),
        (
            counts.failed,
            counts.recent_failed,
            "failed verification (the dialog stayed up after a retry, or the screen could not "
            "be read; the watcher left the pane to a human)",
        ),
    ):
        if total:
            findings.append(
                Finding(
                    f"{total} {'answer' if total == 1 else 'answers'} yesman typed {meaning}",
                    str(path),
                    GateStatus.WARNING,
                )
            )
            findings.extend(
                Finding(row.describe(), f"decision {row.id}", GateStatus.WARNING) for row in rows
            )
    return findings
