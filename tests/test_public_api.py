"""The public API: every subpackage's `__all__` is importable and complete."""

from __future__ import annotations

import importlib

import pytest

import yesman

PACKAGES = [
    "yesman",
    "yesman.agents",
    "yesman.agents.claude",
    "yesman.bus",
    "yesman.metrics",
    "yesman.monitor",
    "yesman.policy",
    "yesman.store",
    "yesman.tmux",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_importable_without_duplicates(name: str) -> None:
    # (ruff's RUF022 keeps each __all__ sorted)
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported))
    for member in exported:
        assert hasattr(module, member), f"{name}.{member} is in __all__ but missing"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_exported(name: str) -> None:
    module = importlib.import_module(name)
    # Names defined by yesman (not typing helpers it imported), submodules excluded.
    public = {
        n
        for n, value in vars(module).items()
        if not n.startswith("_")
        and not isinstance(value, type(importlib))
        and str(getattr(value, "__module__", "")).startswith("yesman")
    }
    assert public <= set(module.__all__), f"{name} exposes {public - set(module.__all__)}"


def test_the_seed_names_are_at_the_top() -> None:
    assert yesman.get_event_bus is importlib.import_module("yesman.bus").get_event_bus
    assert yesman.__version__
