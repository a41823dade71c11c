"""`yesman gates`: the quality gates, before yesman is trusted unattended and in CI.

Exit codes: 0 every gate passed (warnings and skips allowed unless --strict), 1 a gate failed,
2 a usage or environment error (a bad flag or file, or a gate that could not run). Everything
that can be checked before the gates run (the policy file, the project folder, --baseline, the
report folders) is checked first, so a typo costs no 30-second workload.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from yesman._errors import YesmanError
from yesman.cli._app import app
from yesman.cli._baseline_common import DbOption, db_path, fail
from yesman.cli._gates_view import gates_view
from yesman.gates import (
    ENHANCED_SECURITY,
    FAMILIES,
    PERFORMANCE_MONITORING,
    Gate,
    GateContext,
    GateReport,
    GateResult,
    default_gates,
    load_reference,
    record_report,
    render_json,
    render_junit,
    render_markdown,
    run_gates,
)
from yesman.policy import Policy, PolicyError
from yesman.store import StoreError

__all__ = ["gates"]

_COMMAND = "gates"


def _policy(policy_file: Path | None) -> Policy:
    """The effective policy. Its lint warnings are the policy-lint gate's to report."""
    try:
        return Policy.from_file(policy_file) if policy_file else Policy.default()
    except PolicyError as exc:
        raise fail(_COMMAND, str(exc)) from None


def _report_path(path: Path | None, flag: str) -> Path | None:
    if path is None:
        return None
    path = path.expanduser()
    if path.is_dir():
        raise fail(_COMMAND, f"{flag} {path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise fail(_COMMAND, f"{flag} {path}: the folder {path.parent} does not exist")
    return path


async def _run(gates: list[Gate], context: GateContext, families: tuple[str, ...]) -> GateReport:
    console = Console(stderr=True)
    with console.status("starting the gates") as status:

        def progress(gate: Gate, result: GateResult | None) -> None:
            if result is None:
                extra = (
                    f" (standard workload, {context.duration:g} s)"
                    if gate.family == PERFORMANCE_MONITORING
                    else ""
                )
                status.update(f"running {gate.family}/{gate.name}{extra}")

        return await run_gates(gates, context, progress=progress, families=families)


def _write(path: Path | None, text: str) -> None:
    if path is None:
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(_COMMAND, f"cannot write {path}: {exc.strerror or exc}") from exc


@app.command("gates")
def gates(
    enhanced_security: Annotated[
        bool,
        typer.Option(
            "--enhanced-security",
            help="policy self-test, policy lint, agent settings, audit trail",
        ),
    ] = False,
    performance_monitoring: Annotated[
        bool,
        typer.Option(
            "--performance-monitoring",
            help="the standard workload against a baseline; bus overflow, leaks, loop lag",
        ),
    ] = False,
    policy_file: Annotated[
        Path | None,
        typer.Option(
            "--policy", dir_okay=False, help="policy TOML file (default: the shipped one)"
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="NAME|FILE",
            help="baseline to compare with: a saved name or an exported file (default: the "
            "newest saved one of the same workload and machine)",
        ),
    ] = None,
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print the JSON report on stdout (the table on stderr)")
    ] = False,
    junit: Annotated[
        Path | None, typer.Option("--junit", dir_okay=False, help="write JUnit XML here")
    ] = None,
    markdown: Annotated[
        Path | None, typer.Option("--markdown", dir_okay=False, help="write Markdown here")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="warnings and skipped gates fail the run")
    ] = False,
    duration: Annotated[
        float,
        typer.Option("--duration", min=1.0, help="seconds of the standard workload"),
    ] = 30.0,
    project: Annotated[
        Path | None,
        typer.Option(
            "--project",
            file_okay=False,
            help="project whose .claude settings are read (default: the current folder)",
        ),
    ] = None,
) -> None:
    """Run the quality gates (both families when none is named); exit 0 pass, 1 fail, 2 error."""
    families = tuple(
        f
        for f, chosen in ((ENHANCED_SECURITY, enhanced_security),
                          (PERFORMANCE_MONITORING, performance_monitoring))
        if chosen
    ) or FAMILIES  # fmt: skip
    policy = _policy(policy_file)
    project_dir = (project or Path.cwd()).expanduser().resolve()
    if not project_dir.is_dir():
        raise fail(_COMMAND, f"--project {project_dir} is not a folder")
    junit_path = _report_path(junit, "--junit")
    markdown_path = _report_path(markdown, "--markdown")
    database = db_path(db)
    if baseline is not None and PERFORMANCE_MONITORING in families:
        try:
            asyncio.run(load_reference(database, baseline))
        except YesmanError as exc:
            raise fail(_COMMAND, f"--baseline: {exc}") from exc
    context = GateContext(
        policy=policy,
        db_path=database,
        project_dir=project_dir,
        baseline=baseline,
        duration=duration,
        strict=strict,
    )
    report = asyncio.run(_run(default_gates(families), context, families))

    out = Console(stderr=as_json, highlight=False)
    out.print(gates_view(report))
    if as_json:
        sys.stdout.write(render_json(report) + "\n")
    _write(junit_path, render_junit(report))
    _write(markdown_path, render_markdown(report))
    try:
        asyncio.run(record_report(database, report))
    except (StoreError, OSError) as exc:
        # The reports are written and the exit code stands; only the history lacks this run.
        Console(stderr=True, highlight=False).print(
            f"[yellow]yesman gates: the run was not kept in the history: {exc}[/]"
        )
    raise typer.Exit(code=report.exit_code)
