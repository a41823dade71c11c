"""Saving baselines in the audit database and finding one by name or file."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from yesman.baseline._errors import BaselineNotFoundError
from yesman.baseline._model import PerformanceBaseline
from yesman.store import AuditStore, StoredBaseline

__all__ = ["load_baseline", "resolve_baseline", "save_baseline"]


async def save_baseline(
    store: AuditStore,
    baseline: PerformanceBaseline,
    name: str | None = None,
    *,
    replace_existing: bool = False,
) -> PerformanceBaseline:
    """Save ``baseline`` under ``name`` (default: its own name); returns it with that name.

    Raises `yesman.store.BaselineExistsError` when the name is taken and not replacing."""
    chosen = name if name is not None else baseline.name
    if not chosen:
        raise ValueError("a saved baseline needs a name: pass name= or establish it with one")
    named = replace(baseline, name=chosen)
    await store.save_baseline(
        StoredBaseline(
            name=chosen,
            created=named.created,
            workload=named.environment.workload,
            environment=named.environment.key,
            document=named.to_json(),
        ),
        replace=replace_existing,
    )
    return named


async def load_baseline(store: AuditStore, name: str) -> PerformanceBaseline:
    """The saved baseline ``name``; `BaselineNotFoundError` when there is none."""
    row = await store.get_baseline(name)
    if row is None:
        raise BaselineNotFoundError(
            f"no baseline named {name!r} in {store.path}; `yesman baseline list` shows the "
            "saved ones"
        )
    return PerformanceBaseline.from_json(row.document, source=f"baseline {name!r} in {store.path}")


async def resolve_baseline(store: AuditStore | None, ref: str) -> PerformanceBaseline:
    """``ref`` is a saved baseline's name or an exported JSON file (a name wins over a file)."""
    if store is not None:
        row = await store.get_baseline(ref)
        if row is not None:
            return PerformanceBaseline.from_json(row.document, source=f"baseline {ref!r}")
    text = await asyncio.to_thread(_read_file, ref)
    if text is not None:
        return PerformanceBaseline.from_json(text, source=ref)
    where = f"in {store.path}" if store is not None else "(no database)"
    raise BaselineNotFoundError(
        f"{ref!r} is neither a saved baseline {where} nor a file; `yesman baseline list` shows "
        "the saved ones, `yesman baseline export NAME` writes a file"
    )


def _read_file(ref: str) -> str | None:
    path = Path(ref).expanduser()
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except OSError as exc:
        raise BaselineNotFoundError(f"cannot read {path}: {exc.strerror or exc}") from exc
