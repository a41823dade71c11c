"""yesman without the ``otel`` extra: everything works, and asking for OTLP says what to install.

The child process here cannot import the OpenTelemetry SDK (`support.no_otel`).
"""

from __future__ import annotations

from support.no_otel import run_without_otel


def test_yesman_works_without_the_extra_and_says_how_to_install_it() -> None:
    done = run_without_otel(
        """
        import yesman, yesman.cli, yesman.export, yesman.monitor
        from yesman.export import OtelMissingError, OtlpExporter, PrometheusExporter, require_otel

        assert b"yesman_process_cpu_seconds_total" in PrometheusExporter().render()
        for attempt in (require_otel, lambda: OtlpExporter("http://127.0.0.1:4318")):
            try:
                attempt()
            except OtelMissingError as exc:
                assert isinstance(exc, ImportError)
                print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        assert "pip install 'yesman[otel]'" in line
        assert "uv sync --extra otel" in line
        assert "opentelemetry" in line
