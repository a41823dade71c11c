"""The data the command analysis (`_commands`) consults: program lists, patterns, paths.

Kept apart from the logic so that adding a disk tool or a find test is a one-line data change;
the modules that read these say what each list means for the verdict.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "BLOCK_DEVICE_RE",
    "DEVICE_READERS",
    "DISK_TOOLS",
    "FIND_TESTS",
    "FORK_BOMB_RE",
    "GIT_VALUE_OPTS",
    "PKILL_VALUES",
    "PLAIN_NAME_RE",
    "POWER",
    "POWER_VERBS",
    "SAFE_SINKS",
    "STDIN_PATHS",
    "TEMP_DIRS",
]

# `f(){ f|f& };f` under any function name
FORK_BOMB_RE: Final = re.compile(r"([\w:.]{1,40})\s*\(\)\s*\{[^}]{0,200}?\1\s*\|\s*&?\s*\1")
BLOCK_DEVICE_RE: Final = re.compile(
    r"^/dev/(?:sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|loop|md|dm-|mapper/|sr|nbd)"
)
# writing to these is harmless; scratch folders may take single files
SAFE_SINKS: Final = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/")
TEMP_DIRS: Final = ("/tmp/", "/var/tmp/")
# a "script file" with one of these names is whatever the command's standard input holds
STDIN_PATHS: Final = frozenset({"-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0"})
# format or partition a disk (plus mkfs.*, mkfs_*, newfs*)
DISK_TOOLS: Final = frozenset(
    {
        "mkfs",
        "mke2fs",
        "mkswap",
        "wipefs",
        "fdisk",
        "sfdisk",
        "cfdisk",
        "gdisk",
        "sgdisk",
        "parted",
        "blkdiscard",
        "diskutil",
        "format",
    }
)
# may name a block device without writing to it
DEVICE_READERS: Final = frozenset(
    {
        "lsblk",
        "blkid",
        "ls",
        "stat",
        "file",
        "cat",
        "less",
        "od",
        "hexdump",
        "xxd",
        "head",
        "smartctl",
        "df",
        "echo",
    }
)
POWER: Final = frozenset({"shutdown", "reboot", "halt", "poweroff", "kexec"})
# systemctl / loginctl verbs that stop or restart the machine
POWER_VERBS: Final = frozenset(
    {"poweroff", "reboot", "halt", "kexec", "suspend", "hibernate", "soft-reboot"}
)
# git's global options that take a value (skipped to find the subcommand)
GIT_VALUE_OPTS: Final = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace"})
# find tests: with one, `find DIR -delete` deletes only what matches
FIND_TESTS: Final = frozenset(
    {
        "-name",
        "-iname",
        "-path",
        "-ipath",
        "-wholename",
        "-regex",
        "-iregex",
        "-type",
        "-newer",
        "-mtime",
        "-mmin",
        "-size",
        "-empty",
        "-user",
        "-perm",
    }
)
# a pkill pattern this plain matches processes by name, not "anything"
PLAIN_NAME_RE: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{2,}")
PKILL_VALUES: Final = frozenset({"-g", "-G", "-P", "-s", "-t", "-u", "-U", "-F", "--signal"})
