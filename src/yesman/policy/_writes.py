"""Which paths a command deletes, overwrites, moves or re-permissions.

The guard does not ask "is this verb on a list of dangerous ones" but "which paths does this
command change, and are they all inside the project". This module knows, per program, which of
its words are such paths (`mv` changes its sources and its destination, `cp` only its
destination, `truncate` every file, `curl -o` one file ...); `_paths` resolves them against
the project folder. A program that is not in the table changes no paths as far as the guard is
concerned; shell redirections (`> file`) are checked separately for every command.

Options are parsed per program (`_options`, told which short letters and long names take a
value), so a value such as the `-t DIR` of `cp` is neither mistaken for a source nor missed as
the destination.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from yesman.policy._options import parse_options

__all__ = ["Effect", "Target", "Writes", "file_writes"]


class Effect(StrEnum):
    """What a command does to a path it names."""

    DELETE = "deletes"
    WRITE = "writes"
    MOVE = "moves"
    MODE = "changes owner or mode of"


@dataclass(frozen=True, slots=True)
class Target:
    """One path a command changes, and where it may lie for the command to count as safe."""

    path: str
    effect: Effect
    recursive: bool = False  # the whole tree under the path: strictly inside the project
    root_ok: bool = False  # the project folder itself may be named (copy into it, chmod it)
    scratch_ok: bool = True  # /tmp and /var/tmp are fine for single files
    sink_ok: bool = False  # /dev/null and friends are fine (tee)
    remote: bool = False  # host:path of scp/rsync: another machine


@dataclass(frozen=True, slots=True)
class Writes:
    """The paths one command changes; ``unseen`` when some are not in the text at all."""

    targets: tuple[Target, ...]
    unseen: bool = False


def _remote(word: str) -> bool:
    """`host:path` or `user@host:path` as scp and rsync read it (`./a:b` is local)."""
    head, colon, _ = word.partition(":")
    return bool(colon) and bool(head) and "/" not in head


def _deleter(args: list[str], stdin_args: bool) -> Writes:
    p = parse_options(args, "", frozenset())
    recursive = p.has("-r", "-R", "--recursive")
    targets = tuple(Target(a, Effect.DELETE, recursive=recursive) for a in p.positional)
    return Writes(targets, unseen=stdin_args or not targets)


def _rimraf(args: list[str], stdin_args: bool) -> Writes:
    """rimraf (Node's `rm -rf`): every path it names goes, with everything under it."""
    p = parse_options(args, "", frozenset())
    targets = tuple(Target(a, Effect.DELETE, recursive=True) for a in p.positional)
    return Writes(targets, unseen=stdin_args or not targets)


def _all_positional(
    effect: Effect, short_values: str, long_values: frozenset[str], *, sink_ok: bool = False
) -> Callable[[list[str], bool], Writes]:
    def each(args: list[str], stdin_args: bool) -> Writes:
        p = parse_options(args, short_values, long_values)
        targets = tuple(Target(a, effect, sink_ok=sink_ok) for a in p.positional)
        return Writes(targets, unseen=stdin_args)

    return each


def _mv(args: list[str], stdin_args: bool) -> Writes:
    p = parse_options(args, "tS", frozenset({"--target-directory", "--suffix"}))
    into = p.value("-t", "--target-directory")
    sources = list(p.positional)
    if into is None and sources:
        into = sources.pop()
    targets = [Target(s, Effect.MOVE) for s in sources]
    if into is not None:
        targets.append(Target(into, Effect.WRITE, root_ok=True))
    return Writes(tuple(targets), unseen=stdin_args)


def _copier(
    short_values: str, long_values: frozenset[str], *, remote: bool = False
) -> Callable[[list[str], bool], Writes]:
    """cp, install, ln, rsync, scp: the destination (last word, or `-t DIR`) is written."""

    def copy(args: list[str], stdin_args: bool) -> Writes:
        p = parse_options(args, short_values, long_values)
        into = p.value("-t", "--target-directory")
        if p.has("-d", "--directory") and short_values == _INSTALL_VALUES:
            dirs = tuple(Target(a, Effect.WRITE, root_ok=True) for a in p.positional)
            return Writes(dirs, unseen=stdin_args)
        sources = list(p.positional)
        if into is None and len(sources) >= 2:
            into = sources.pop()
        # rsync --delete removes what the source lacks from the destination, which must then
        # lie strictly inside; --remove-source-files empties the sources.
        deleting = any(f.startswith("--delete") for f in p.flags)
        targets: list[Target] = []
        if "--remove-source-files" in p.flags:
            targets.extend(Target(s, Effect.MOVE, remote=remote and _remote(s)) for s in sources)
        if into is not None:
            targets.append(
                Target(
                    into,
                    Effect.DELETE if deleting else Effect.WRITE,
                    root_ok=not deleting,
                    remote=remote and _remote(into),
                )
            )
        # xargs appends its words at the end: they become the destination.
        return Writes(
            tuple(targets), unseen=stdin_args and p.value("-t", "--target-directory") is None
        )

    return copy


def _chmod(args: list[str], stdin_args: bool) -> Writes:
    flags: set[str] = set()
    reference = False
    rest: list[str] = []
    ended = False
    for a in args:
        if ended or not a.startswith("-") or a == "-":
            rest.append(a)
        elif a == "--":
            ended = True
        elif a.startswith("--"):
            flags.add(a.partition("=")[0])
            reference = reference or a.startswith("--reference")
        elif set(a[1:]) <= set("RcfvhHLP"):
            flags.update(f"-{c}" for c in a[1:])
        else:
            rest.append(a)  # a mode such as -x or -w
    if not reference:
        rest = rest[1:]  # the mode or the owner
    recursive = "-R" in flags or "--recursive" in flags
    targets = tuple(Target(a, Effect.MODE, recursive=recursive, root_ok=True) for a in rest)
    return Writes(targets, unseen=stdin_args or not targets)


def _compressor(args: list[str], stdin_args: bool) -> Writes | None:
    """gzip, xz, zstd ...: replace (or write next to) each file named, unless writing to stdout."""
    p = parse_options(args, "So", frozenset({"--suffix", "--output"}))
    if p.has("-c", "--stdout", "--to-stdout", "-t", "--test", "-l", "--list"):
        return None
    output = p.value("-o", "--output")
    named = (output,) if output is not None else p.positional
    recursive = p.has("-r", "--recursive")
    targets = tuple(Target(a, Effect.WRITE, recursive=recursive) for a in named)
    return Writes(targets, unseen=stdin_args)


def _sed(args: list[str], stdin_args: bool) -> Writes | None:
    p = parse_options(args, "efl", frozenset({"--expression", "--file", "--line-length"}))
    in_place = p.has("-i", "--in-place") or any(k == "--in-place" for k, _ in p.values)
    if not in_place:
        return None
    script_given = p.value("-e", "--expression", "-f", "--file") is not None
    files = p.positional if script_given else p.positional[1:]
    return Writes(tuple(Target(f, Effect.WRITE) for f in files), unseen=stdin_args or not files)


def _output_options(
    short_values: str, long_values: frozenset[str], outputs: dict[str, bool]
) -> Callable[[list[str], bool], Writes | None]:
    """Programs that write only where an option says (`curl -o`, `sort -o`, `unzip -d`).

    ``outputs`` maps each such option to whether it names a directory (which may be the
    project folder itself).
    """

    def options(args: list[str], stdin_args: bool) -> Writes | None:
        del stdin_args  # appended words are inputs, not outputs
        p = parse_options(args, short_values, long_values)
        targets = tuple(
            Target(v, Effect.WRITE, root_ok=outputs[k], sink_ok=True)
            for k, v in p.values
            if k in outputs and v != "-"
        )
        return Writes(targets) if targets else None

    return options


def _tar(args: list[str], stdin_args: bool) -> Writes | None:
    del stdin_args
    if args and not args[0].startswith("-"):
        # Old style `tar xzf archive -C dir`: the letters' values follow in order.
        letters, words = args[0], args[1:]
        args = []
        for ch in letters:
            if ch in "fCTXbgHKLNV" and words:
                args += [f"-{ch}", words.pop(0)]
            else:
                args.append(f"-{ch}")
        args += words
    p = parse_options(
        args,
        "fCTXbgHKLNV",
        frozenset({"--file", "--directory", "--files-from", "--exclude-from", "--exclude"}),
    )
    targets: list[Target] = []
    if p.has("-x", "--extract", "--get"):
        into = p.value("-C", "--directory") or "."
        targets.append(Target(into, Effect.WRITE, recursive=False, root_ok=True, scratch_ok=True))
        if p.has("-P", "--absolute-names"):
            return Writes(tuple(targets), unseen=True)
    if p.has("-c", "--create", "-r", "--append", "-u", "--update", "-A", "--catenate"):
        archive = p.value("-f", "--file")
        if archive is not None and archive != "-":
            targets.append(Target(archive, Effect.WRITE, sink_ok=True))
    return Writes(tuple(targets)) if targets else None


_INSTALL_VALUES: Final = "tSmog"
_RSYNC_LONG: Final = frozenset(
    {
        "--rsh",
        "--filter",
        "--exclude",
        "--include",
        "--exclude-from",
        "--include-from",
        "--files-from",
        "--temp-dir",
        "--backup-dir",
        "--suffix",
        "--port",
        "--timeout",
        "--block-size",
        "--log-file",
        "--partial-dir",
        "--compare-dest",
        "--copy-dest",
        "--link-dest",
        "--chmod",
        "--chown",
        "--max-size",
        "--min-size",
        "--bwlimit",
    }
)
_CURL_VALUES: Final = "AbcCdDeEFHKmoPQrTuUwxXyYz"
_CURL_LONG: Final = frozenset(
    {
        "--output",
        "--output-dir",
        "--cookie-jar",
        "--dump-header",
        "--trace",
        "--trace-ascii",
        "--stderr",
        "--libcurl",
        "--etag-save",
        "--header",
        "--data",
        "--data-raw",
        "--data-binary",
        "--request",
        "--user",
        "--user-agent",
        "--url",
        "--config",
        "--max-time",
        "--connect-timeout",
        "--cookie",
        "--form",
        "--proxy",
        "--upload-file",
        "--write-out",
        "--referer",
        "--range",
        "--retry",
    }
)
_CURL_OUTPUTS: Final = {
    "-o": False,
    "--output": False,
    "--output-dir": True,
    "-c": False,
    "--cookie-jar": False,
    "-D": False,
    "--dump-header": False,
    "--trace": False,
    "--trace-ascii": False,
    "--stderr": False,
    "--libcurl": False,
    "--etag-save": False,
}
_WGET_OUTPUTS: Final = {
    "-O": False,
    "--output-document": False,
    "-o": False,
    "--output-file": False,
    "-a": False,
    "--append-output": False,
    "-P": True,
    "--directory-prefix": True,
}

_WRITERS: Final[dict[str, Callable[[list[str], bool], Writes | None]]] = {
    "rm": _deleter,
    "unlink": _deleter,
    "rmdir": _deleter,
    "srm": _deleter,
    "wipe": _deleter,
    "trash": _deleter,
    "trash-put": _deleter,
    "rimraf": _rimraf,
    "shred": _all_positional(
        Effect.WRITE, "ns", frozenset({"--iterations", "--size", "--random-source"})
    ),
    "truncate": _all_positional(Effect.WRITE, "sr", frozenset({"--size", "--reference"})),
    "touch": _all_positional(Effect.WRITE, "dtr", frozenset({"--date", "--reference", "--time"})),
    "tee": _all_positional(Effect.WRITE, "", frozenset(), sink_ok=True),
    "mv": _mv,
    "cp": _copier("tS", frozenset({"--target-directory", "--suffix"})),
    "install": _copier(
        _INSTALL_VALUES,
        frozenset({"--target-directory", "--suffix", "--mode", "--owner", "--group"}),
    ),
    "ln": _copier("tS", frozenset({"--target-directory", "--suffix"})),
    "rsync": _copier("efTBM", _RSYNC_LONG, remote=True),
    "scp": _copier("cFiJloPSX", frozenset(), remote=True),
    "chmod": _chmod,
    "chown": _chmod,
    "chgrp": _chmod,
    "sed": _sed,
    "sort": _output_options(
        "okTtS",
        frozenset({"--output", "--key", "--field-separator", "--temporary-directory"}),
        {"-o": False, "--output": False},
    ),
    "curl": _output_options(_CURL_VALUES, _CURL_LONG, _CURL_OUTPUTS),
    "wget": _output_options(
        "OoaPeiBtTwQUlDARIX",
        frozenset({"--output-document", "--output-file", "--append-output", "--directory-prefix"}),
        _WGET_OUTPUTS,
    ),
    "unzip": _output_options("dx", frozenset(), {"-d": True}),
    "tar": _tar,
    **dict.fromkeys(
        (
            "gzip",
            "gunzip",
            "bzip2",
            "bunzip2",
            "xz",
            "unxz",
            "lzma",
            "unlzma",
            "zstd",
            "unzstd",
            "lz4",
        ),
        _compressor,
    ),
}


def file_writes(name: str, args: list[str], stdin_args: bool) -> Writes | None:
    """The paths `name args...` changes, or None when the program changes none by itself."""
    handler = _WRITERS.get(name)
    return None if handler is None else handler(args, stdin_args)
