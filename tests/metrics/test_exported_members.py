from __future__ import annotations

import yesman.metrics


def test_all_lists_exactly_the_public_names() -> None:
    # Order is ruff's RUF022 (constants, classes, functions), checked by the linter.
    names = yesman.metrics.__all__
    assert len(names) == len(set(names))
    public = {n for n in vars(yesman.metrics) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(yesman.metrics, n)).__name__ == "module"}
    assert set(names) == public - modules
