"""The wrappers `_unwrap` peels off: which options of each take a value, and which run strings.

Kept apart from the logic so that teaching the guard a new wrapper is a one-line data change.
A wrapper whose value-taking options are missing here would have its option's value mistaken for
the program, so each entry lists them all.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "ENV_VALUE",
    "FD_EXEC",
    "PACKAGE_RUNNERS",
    "PACKAGE_STRINGS",
    "PARALLEL_ARGS",
    "PARALLEL_VALUE",
    "RUNNERS",
    "SHELL_VALUE",
    "STRING_OPTIONS",
    "WATCH_VALUE",
    "WRAPPERS",
    "XARGS_VALUE",
]

# wrapper -> (options that take a value, whether a word after the options is consumed first)
WRAPPERS: Final[dict[str, tuple[frozenset[str], int]]] = {
    "sudo": (frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "pkexec": (frozenset({"--user"}), 0),
    "run0": (frozenset({"-u", "--user", "-g", "--group", "-D", "--chdir"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "--class", "--classdata"}), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "nohup": (frozenset(), 0),
    "setsid": (frozenset(), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "chroot": (frozenset({"--userspec", "--groups"}), 1),
    "taskset": (frozenset(), 1),
    "caffeinate": (frozenset({"-t", "-w"}), 0),
    "unbuffer": (frozenset(), 0),
    "flock": (frozenset({"-w", "-E", "--timeout", "--conflict-exit-code"}), 1),
    "strace": (
        frozenset(
            ["-o", "-e", "-p", "-s", "-u", "-E", "-a", "-b", "-I", "-O", "-P", "-S", "-X", "-U"]
        ),
        0,
    ),
    "ltrace": (
        frozenset(["-o", "-e", "-p", "-s", "-u", "-a", "-n", "-E", "-x", "-l", "-A", "-D", "-F"]),
        0,
    ),
    "unshare": (frozenset({"-S", "-G", "-R", "-w", "--setuid", "--setgid", "--root", "--wd"}), 0),
    "nsenter": (frozenset({"-t", "--target", "-S", "-G", "-r", "-w", "--setuid", "--setgid"}), 0),
    "chrt": (frozenset({"-T", "-P", "-D"}), 1),  # the priority comes before the command
    "systemd-run": (
        frozenset(
            [
                "-p",
                "--property",
                "-u",
                "--unit",
                "-E",
                "--setenv",
                "-M",
                "--machine",
                "-H",
                "--host",
                "--uid",
                "--gid",
                "--nice",
                "--slice",
                "--description",
                "--working-directory",
                "-d",
                "--on-calendar",
                "--on-active",
            ]
        ),
        0,
    ),
    "firejail": (frozenset(), 0),
    "valgrind": (frozenset(), 0),
    "xvfb-run": (frozenset({"-n", "-s", "-f", "-e", "-p", "--server-args", "--auth-file"}), 0),
    "dbus-run-session": (frozenset(), 0),
    "fakeroot": (frozenset({"-l", "-s", "-i", "--lib", "--faked"}), 0),
    "faketime": (frozenset({"-f", "-m"}), 1),  # the timestamp comes before the command
    "proxychains": (frozenset({"-f"}), 0),
    "proxychains4": (frozenset({"-f"}), 0),
    "torsocks": (frozenset({"-u", "-p", "-a", "-P"}), 0),
    "catchsegv": (frozenset(), 0),
}
# Commands that take a command string after one of these options (`sg docker -c 'rm x'`).
STRING_OPTIONS: Final[dict[str, frozenset[str]]] = {
    "sg": frozenset({"-c"}),
    "script": frozenset({"-c", "--command"}),
}
XARGS_VALUE: Final = frozenset(
    {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file", "--delimiter", "--max-args"}
)
ENV_VALUE: Final = frozenset({"-u", "--unset", "-C", "--chdir"})
SHELL_VALUE: Final = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
WATCH_VALUE: Final = frozenset({"-n", "--interval", "-q", "--equexit"})
PARALLEL_VALUE: Final = frozenset(
    [
        "-j",
        "--jobs",
        "-S",
        "--sshlogin",
        "-a",
        "--arg-file",
        "-d",
        "--delimiter",
        "-I",
        "-n",
        "-N",
        "-L",
        "--colsep",
        "-C",
        "--joblog",
        "--results",
        "--tmpdir",
        "-E",
        "--timeout",
        "--delay",
    ]
)
PARALLEL_ARGS: Final = frozenset({":::", "::::", ":::+", "::::+"})
FD_EXEC: Final = frozenset({"-x", "--exec", "-X", "--exec-batch"})
# Package runners: `npx [options] program ...`, `pnpm dlx program ...`; options that take a
# value, and those whose value is a command string (`npx -c 'rm x'`).
PACKAGE_RUNNERS: Final[dict[tuple[str, str | None], frozenset[str]]] = {
    ("npx", None): frozenset({"-p", "--package"}),
    ("bunx", None): frozenset({"-p", "--package"}),
    ("uvx", None): frozenset({"--from", "--with", "--python", "-p", "--index-url"}),
    ("npm", "exec"): frozenset({"-p", "--package", "-w", "--workspace"}),
    ("npm", "x"): frozenset({"-p", "--package", "-w", "--workspace"}),
    ("pnpm", "dlx"): frozenset({"--package"}),
    ("pnpm", "exec"): frozenset({"--filter", "-F"}),
    ("yarn", "dlx"): frozenset({"-p", "--package"}),
    ("yarn", "exec"): frozenset(),
    ("pipx", "run"): frozenset({"--spec", "--python"}),
}
PACKAGE_STRINGS: Final = frozenset({"-c", "--call"})
# Project runners whose `run` subcommand starts a program in the project's environment
# (`uv run python -c ...` runs `python -c ...`): options that take a value.
RUNNERS: Final[dict[str, frozenset[str]]] = {
    "uv": frozenset(
        {
            "--with",
            "--with-editable",
            "--with-requirements",
            "--python",
            "-p",
            "--package",
            "--extra",
            "--group",
            "--env-file",
            "--directory",
            "--project",
            "--index",
            "--index-url",
            "--default-index",
        }
    ),
    "poetry": frozenset({"--directory", "-C", "--project", "-P"}),
    "pdm": frozenset({"--project", "-p", "--venv"}),
    "pipenv": frozenset(),
    "hatch": frozenset({"--env", "-e"}),
    "rye": frozenset({"--pyproject"}),
    "conda": frozenset({"-n", "--name", "-p", "--prefix", "--cwd"}),
    "micromamba": frozenset({"-n", "--name", "-p", "--prefix"}),
}
