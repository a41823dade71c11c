"""`yesman watch --otlp-endpoint`: the watcher's metrics pushed to an OpenTelemetry collector."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from support.no_otel import run_without_otel
from yesman._simagent.harness import SIMULATED_AGENT, start_simulated_agent
from yesman.testing import PrivateTmuxServer


def yesman(*args: str) -> list[str]:
    return [sys.executable, "-m", "yesman.cli", *args]


def test_without_the_extra_the_flag_fails_at_once_with_the_install_command() -> None:
    done = run_without_otel(
        """
        import sys
        from yesman.cli import main
        sys.argv = ["yesman", *sys.argv[1:]]
        main()
        """,
        "watch", "-L", f"yesman-none-{os.getpid()}", "--no-live",
        "--otlp-endpoint", "http://127.0.0.1:4318",
    )  # fmt: skip
    assert done.returncode == 2
    assert "pip install 'yesman[otel]'" in done.stderr
    assert "no tmux server" not in done.stderr  # refused before anything started


def test_an_endpoint_that_is_no_url_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        yesman(
            "watch",
            "--no-live",
            "--db",
            str(tmp_path / "a.db"),
            "--otlp-endpoint",
            "collector:4318",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "is not an http:// or https:// URL" in done.stderr


@pytest.mark.tmux
async def test_watch_exports_its_final_figures_when_it_stops(tmp_path: Path) -> None:
    try:
        from support.otlp_receiver import OtlpReceiver, attributes, number  # noqa: PLC0415
    except ImportError:
        if os.environ.get("CI"):
            raise  # CI installs every extra (.ci/run)
        pytest.skip("the otel extra is not installed (uv sync --extra otel)")

    with PrivateTmuxServer(width=120, height=40) as tmux:
        _, agent = start_simulated_agent(tmux, tmp_path / "project", "bash", "dangerous")
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        async with OtlpReceiver() as receiver:
            command = yesman(
                "watch", "-L", tmux.socket_name, "--no-live", "--db", str(tmp_path / "a.db"),
                "--agent-cmd", SIMULATED_AGENT, "--otlp-endpoint", receiver.url,
            )  # fmt: skip
            proc = await asyncio.create_subprocess_exec(
                *command,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=env,
            )
            try:
                await agent.wait_for("answered", timeout=30)
                await agent.wait_for("dialog_shown", count=2, timeout=30)
                await asyncio.sleep(1.0)
            finally:
                proc.send_signal(signal.SIGTERM)
                stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
            out, err = stdout.decode(), stderr.decode()
            assert proc.returncode == 0, err
            assert f"Metrics to {receiver.url} (OTLP)" in out + err
            # The interval is 15 s: this is the export made as the watcher stopped.
            assert len(receiver.requests) == 1
            got = receiver.metrics()
            assert receiver.resource()["service.name"] == "yesman"
    dialogs = {attributes(p)["outcome"]: number(p) for p in got["yesman.dialogs"].sum.data_points}
    assert dialogs == {"answer": 1, "hold": 1}
    assert number(got["yesman.panes.watched"].gauge.data_points[0]) == 1
