"""The public API: the top level and every public subpackage export exactly what `__all__` says.

Public subpackages are found by walking the package (any name with a `_` component is private),
so a new one is covered the day it appears. ruff's RUF022 keeps each `__all__` sorted.
"""

from __future__ import annotations
import __future__

import importlib
import pkgutil
import types
import typing

import pytest

import yesman


def _public_packages() -> list[str]:
    names = ["yesman"]
    for info in pkgutil.walk_packages(yesman.__path__, "yesman."):
        if info.ispkg and not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


PACKAGES = _public_packages()
_MISSING = object()


def _defined_here(name: str, value: object) -> bool:
    """Is `name` something the package offers, rather than a tool it imported for itself?"""
    if isinstance(value, types.ModuleType):
        return False  # submodules, and modules imported for internal use
    if any(getattr(source, name, _MISSING) is value for source in (typing, __future__)):
        return False  # TYPE_CHECKING, annotations, Any ...
    origin = getattr(value, "__module__", None)
    # Classes and functions say where they come from; constants (tuples, strings) do not.
    return origin is None or not isinstance(origin, str) or origin.startswith("yesman")


def test_every_public_subpackage_is_found() -> None:
    # The walk itself must work, or every parametrized test below would silently vanish.
    assert {"yesman", "yesman.bus", "yesman.testing", "yesman.tmux"} <= set(PACKAGES)
    assert not any("._" in name for name in PACKAGES)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_resolve_once_each(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert len(exported) == len(set(exported)), f"{name}.__all__ repeats a name"
    missing = [member for member in exported if getattr(module, member, _MISSING) is _MISSING]
    assert missing == [], f"{name}.__all__ lists names it does not have"


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_name_is_in_all(name: str) -> None:
    module = importlib.import_module(name)
    public = {
        member
        for member, value in vars(module).items()
        if not member.startswith("_") and _defined_here(member, value)
    }
    assert public - set(module.__all__) == set(), f"{name} exposes names missing from __all__"


def test_top_level_names_are_the_subpackages_own_objects() -> None:
    """Each name at the top is the very object a subpackage exports (no copies, no strays)."""
    # Several agents export a `parse_screen`; the top-level one must be one of them.
    exported: dict[str, list[object]] = {}
    for module in map(importlib.import_module, PACKAGES[1:]):
        for member in module.__all__:
            exported.setdefault(member, []).append(getattr(module, member))
    for member in yesman.__all__:
        if member == "__version__":
            assert yesman.__version__
            continue
        assert member in exported, f"yesman.{member} is exported by no subpackage"
        assert any(getattr(yesman, member) is obj for obj in exported[member]), member
