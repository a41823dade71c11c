"""Reading a program's options the way getopt does, given which of them take a value.

`parse_options(args, "tS", {"--target-directory"})` knows that `-t DIR`, `-tDIR`, `-vt DIR`,
`--target-directory DIR` and `--target-directory=DIR` all give `DIR` to `-t`/`--target-directory`,
so a value is neither mistaken for a positional argument nor missed; `--` ends the options and a
lone `-` is positional. Options are not checked against a list: an unknown one is a flag.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ParsedOptions", "parse_options"]


@dataclass(frozen=True, slots=True)
class ParsedOptions:
    """One command's arguments sorted into flags, options with values, and the rest."""

    flags: frozenset[str]  # "-r", "--recursive"
    values: tuple[tuple[str, str], ...]  # ("-t", "dir"), ("--target-directory", "dir")
    positional: tuple[str, ...]

    def value(self, *names: str) -> str | None:
        """The last value given under any of `names` (a later option overrides an earlier)."""
        found = [v for k, v in self.values if k in names]
        return found[-1] if found else None

    def has(self, *names: str) -> bool:
        return any(n in self.flags for n in names)


def parse_options(
    args: list[str], short_values: str = "", long_values: frozenset[str] = frozenset()
) -> ParsedOptions:
    """Sort `args`: `short_values` are the letters, `long_values` the long names that take a
    value."""
    flags: set[str] = set()
    values: list[tuple[str, str]] = []
    positional: list[str] = []
    i = 0
    n = len(args)
    while i < n:
        a = args[i]
        i += 1
        if a == "--":
            positional.extend(args[i:])
            break
        if a.startswith("--"):
            name, eq, val = a.partition("=")
            if eq:
                values.append((name, val))
            elif name in long_values and i < n:
                values.append((name, args[i]))
                i += 1
            else:
                flags.add(name)
        elif a.startswith("-") and a != "-":
            for j, ch in enumerate(a[1:], 1):
                if ch in short_values:
                    rest = a[j + 1 :]
                    if not rest and i < n:
                        rest = args[i]
                        i += 1
                    values.append((f"-{ch}", rest))
                    break
                flags.add(f"-{ch}")
        else:
            positional.append(a)
    return ParsedOptions(frozenset(flags), tuple(values), tuple(positional))
