"""Reading a rules file (TOML) into an `AlertConfig`, strictly.

    [defaults]                       # optional
    repeat_interval = "4h"           # re-notify a firing alert this often (unless acknowledged)
    sinks = ["ops"]                  # for rules that name none
    dashboard_url = "http://127.0.0.1:8765/"

    [[sink]]
    name = "ops"
    type = "webhook"                 # webhook | desktop | tmux | command | log
    url = "http://127.0.0.1:9099/hook"

    [[rule]]
    kind = "dialog-held"
    for = "2s"
    sinks = ["ops"]

The same tables may sit under an ``[alerts]`` table (``[[alerts.rule]]`` ...). Unknown keys are
errors, not ignored (a typo must not silently switch an alert off), and every error names the
file, the line when it can be found, the key, and what was expected. ``${NAME}`` in a URL, a
header or a command is replaced by the environment variable NAME, so secrets stay out of the
file.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from yesman.alerts._config import (
    AlertConfig,
    Defaults,
    RuleConfig,
    SinkConfig,
    SinkType,
    WebhookFormat,
)
from yesman.alerts._durations import HELP as DURATION_HELP
from yesman.alerts._durations import parse_duration
from yesman.alerts._errors import AlertConfigError
from yesman.alerts._kinds import ALIASES, KINDS, RuleKind, Setting
from yesman.alerts._lines import SourceLines
from yesman.alerts._model import Severity

__all__ = ["load_alert_config", "parse_alert_config"]


def load_alert_config(path: str | os.PathLike[str]) -> AlertConfig:
    """Read and check a rules file; `AlertConfigError` says what is wrong and where."""
    file = Path(path).expanduser()
    try:
        text = file.read_text("utf-8")
    except FileNotFoundError:
        raise AlertConfigError(
            f"alert rules file {file} does not exist; `yesman alerts init {file}` writes the "
            "default one there"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AlertConfigError(f"alert rules file {file} cannot be read: {exc}") from exc
    return parse_alert_config(text, str(file))


def parse_alert_config(text: str, source: str = "<text>") -> AlertConfig:
    """Parse rules-file TOML; `source` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _TOML_AT.search(message)
        if where is not None:  # "Invalid value (at line 3, column 7)": the line first
            message = message[: where.start()].rstrip()
            source += f", line {where['line']}, column {where['column']}"
        elif message.endswith("(at end of document)"):
            message = message.removesuffix("(at end of document)").rstrip()
            source += f", line {max(1, len(text.splitlines()))} (the end)"
        raise AlertConfigError(f"alert rules file {source}: invalid TOML: {message}") from exc
    return _Parser(source, text).top(data)


_TOP_KEYS: Final = frozenset({"defaults", "sink", "rule"})
_DEFAULT_KEYS: Final = frozenset({"repeat_interval", "sinks", "dashboard_url"})
_RULE_KEYS: Final = frozenset(
    {"kind", "name", "for", "severity", "labels", "sinks", "repeat_interval", "sessions"}
)
_SINK_KEYS: Final = frozenset(
    {"name", "type", "timeout", "retries", "backoff", "queue", "send_resolved", "min_severity"}
)
_SINK_TYPE_KEYS: Final = {
    SinkType.WEBHOOK: frozenset({"url", "format", "headers"}),
    SinkType.DESKTOP: frozenset({"command"}),
    SinkType.TMUX: frozenset({"display"}),
    SinkType.COMMAND: frozenset({"command"}),
    SinkType.LOG: frozenset({"path"}),
}
_NAME_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_LABEL_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # Alertmanager's label names
_TOML_AT: Final = re.compile(r"\s*\(at line (?P<line>\d+), column (?P<column>\d+)\)")
_ENV_RE: Final = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class _Parser:
    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.lines = SourceLines(text)

    # -- errors

    def fail(self, where: str, line: int | None, expected: str, got: object = None) -> Exception:
        at = "" if line is None else f", line {line}"
        tail = "" if got is None else f", got {got!r}"
        return AlertConfigError(
            f"alert rules file {self.source}{at}: {where}: expected {expected}{tail}"
        )

    def unknown(self, where: str, line: int | None, key: str, allowed: frozenset[str]) -> Exception:
        close = difflib.get_close_matches(key, sorted(allowed), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return self.fail(
            f"{where}: unknown key {key!r}{hint}", line, "one of " + ", ".join(sorted(allowed))
        )

    # -- the file

    def top(self, data: Mapping[str, Any]) -> AlertConfig:
        if set(data) == {"alerts"} and isinstance(data["alerts"], dict):
            data = data["alerts"]
        for key in data:
            if key not in _TOP_KEYS:
                raise self.unknown("top level", self.lines.table_key(key), key, _TOP_KEYS)
        defaults = self.defaults(data.get("defaults", {}))
        sinks = tuple(self.sink(i, raw) for i, raw in enumerate(self.array("sink", data)))
        names = [s.name for s in sinks]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise self.fail(
                    f"sink[{i}].name",
                    self.lines.item_key("sink", i, "name"),
                    f"unique sink names (another sink is already called {name!r})",
                )
        for name in defaults.sinks:
            if name not in names:
                raise self.fail(
                    "defaults.sinks",
                    self.lines.table_key("defaults", "sinks"),
                    self.sink_names(names),
                    name,
                )
        rules = tuple(
            self.rule(i, raw, defaults, names) for i, raw in enumerate(self.array("rule", data))
        )
        seen: dict[str, int] = {}
        for i, rule in enumerate(rules):
            if rule.name in seen:
                raise self.fail(
                    f"rule[{i}]",
                    self.lines.item("rule", i),
                    f"unique rule names: rule[{seen[rule.name]}] is also called {rule.name!r} "
                    '(give one of them `name = "..."`)',
                )
            seen[rule.name] = i
        return AlertConfig(rules=rules, sinks=sinks, defaults=defaults, source=self.source)

    def array(self, name: str, data: Mapping[str, Any]) -> list[Any]:
        value = data.get(name, [])
        if not isinstance(value, list):
            raise self.fail(name, self.lines.table_key(name), f"an array of [[{name}]] tables")
        return value

    @staticmethod
    def sink_names(names: list[str]) -> str:
        if not names:
            return "the name of a [[sink]] (this file defines none)"
        return "one of the sinks defined here: " + ", ".join(names)

    def defaults(self, raw: object) -> Defaults:
        line = self.lines.table_key("defaults")
        if not isinstance(raw, dict):
            raise self.fail("defaults", line, "a table", raw)
        for key in raw:
            if key not in _DEFAULT_KEYS:
                raise self.unknown(
                    "defaults", self.lines.table_key("defaults", key), key, _DEFAULT_KEYS
                )
        result = Defaults()
        repeat = result.repeat_interval
        if "repeat_interval" in raw:
            where = self.lines.table_key("defaults", "repeat_interval")
            repeat = self.duration("defaults.repeat_interval", where, raw["repeat_interval"], 1)
        sinks: tuple[str, ...] = ()
        if "sinks" in raw:
            sinks = self.names(
                "defaults.sinks", self.lines.table_key("defaults", "sinks"), raw["sinks"]
            )
        url = raw.get("dashboard_url")
        if url is not None and not (
            isinstance(url, str) and url.startswith(("http://", "https://"))
        ):
            raise self.fail(
                "defaults.dashboard_url",
                self.lines.table_key("defaults", "dashboard_url"),
                "an http:// or https:// URL",
                url,
            )
        return Defaults(repeat_interval=repeat, sinks=sinks, dashboard_url=url)

    # -- sinks

    def sink(self, index: int, raw: object) -> SinkConfig:
        def at(key: str) -> int | None:
            return self.lines.item_key("sink", index, key)

        if not isinstance(raw, dict):
            raise self.fail(f"sink[{index}]", self.lines.item("sink", index), "a table", raw)
        name = raw.get("name")
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise self.fail(
                f"sink[{index}].name",
                at("name"),
                "a name of letters, digits, '-', '_' or '.'",
                name,
            )
        where = f"sink {name!r}"
        kind = raw.get("type")
        if kind not in SinkType.__members__.values():
            raise self.fail(
                f"{where}: type", at("type"), "one of " + ", ".join(t.value for t in SinkType), kind
            )
        sink_type = SinkType(str(kind))
        allowed = _SINK_KEYS | _SINK_TYPE_KEYS[sink_type]
        for key in raw:
            if key not in allowed:
                raise self.unknown(f"{where} (type {kind})", at(key), key, allowed)
        fields: dict[str, Any] = {"name": name, "type": sink_type}
        for key, lowest in (("timeout", 0.001), ("backoff", 0.0)):
            if key in raw:
                fields[key] = self.duration(f"{where}: {key}", at(key), raw[key], lowest)
        for key, low, high in (("retries", 0, 20), ("queue", 1, 100_000)):
            if key in raw:
                fields[key] = self.integer(f"{where}: {key}", at(key), raw[key], low, high)
        if "send_resolved" in raw:
            if not isinstance(raw["send_resolved"], bool):
                raise self.fail(
                    f"{where}: send_resolved",
                    at("send_resolved"),
                    "true or false",
                    raw["send_resolved"],
                )
            fields["send_resolved"] = raw["send_resolved"]
        if "min_severity" in raw:
            fields["min_severity"] = self.severity(
                f"{where}: min_severity", at("min_severity"), raw["min_severity"]
            )
        if sink_type is SinkType.WEBHOOK:
            url = self.expand(f"{where}: url", at("url"), raw.get("url"))
            if not url.startswith(("http://", "https://")):
                raise self.fail(f"{where}: url", at("url"), "an http:// or https:// URL", url)
            fields["url"] = url
            fmt = raw.get("format", "json")
            if fmt not in WebhookFormat.__members__.values():
                raise self.fail(
                    f"{where}: format",
                    at("format"),
                    "one of " + ", ".join(f.value for f in WebhookFormat),
                    fmt,
                )
            fields["format"] = WebhookFormat(fmt)
            headers = raw.get("headers", {})
            if not isinstance(headers, dict) or not all(
                isinstance(v, str) for v in headers.values()
            ):
                raise self.fail(
                    f"{where}: headers",
                    at("headers"),
                    'a table of strings (headers = { Authorization = "..." })',
                    headers,
                )
            fields["headers"] = {
                k: self.expand(f"{where}: headers.{k}", at("headers"), v)
                for k, v in headers.items()
            }
        elif sink_type is SinkType.COMMAND or (sink_type is SinkType.DESKTOP and "command" in raw):
            fields["command"] = self.command(f"{where}: command", at("command"), raw.get("command"))
        elif sink_type is SinkType.DESKTOP:
            fields["command"] = ("notify-send",)
        elif sink_type is SinkType.TMUX and "display" in raw:
            fields["display"] = self.duration(
                f"{where}: display", at("display"), raw["display"], 0.1
            )
        elif sink_type is SinkType.LOG and "path" in raw:
            path = raw["path"]
            if not isinstance(path, str) or not path:
                raise self.fail(f"{where}: path", at("path"), "a file path", path)
            fields["path"] = os.path.expanduser(path)
        if sink_type in (SinkType.COMMAND, SinkType.DESKTOP) and "timeout" not in raw:
            fields["timeout"] = 10.0
        return SinkConfig(**fields)

    def command(self, where: str, line: int | None, value: object) -> tuple[str, ...]:
        if isinstance(value, str) and value.strip():
            try:
                parts = shlex.split(value)
            except ValueError as exc:
                raise self.fail(where, line, f"a command line ({exc})", value) from None
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            parts = list(value)
        else:
            raise self.fail(
                where, line, 'a command: "program arg ..." or ["program", "arg"]', value
            )
        return tuple(self.expand(where, line, part) for part in parts)

    def expand(self, where: str, line: int | None, value: object) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(where, line, "a non-empty string", value)

        def lookup(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise self.fail(
                    where,
                    line,
                    f"the environment variable {name} to be set (the value uses ${{{name}}})",
                )
            return os.environ[name]

        return _ENV_RE.sub(lookup, value)

    # -- rules

    def rule(
        self, index: int, raw: object, defaults: Defaults, sink_names: list[str]
    ) -> RuleConfig:
        def at(key: str) -> int | None:
            return self.lines.item_key("rule", index, key)

        if not isinstance(raw, dict):
            raise self.fail(f"rule[{index}]", self.lines.item("rule", index), "a table", raw)
        kind_raw = raw.get("kind")
        kinds = [k.value for k in RuleKind]
        if not isinstance(kind_raw, str) or (kind_raw not in kinds and kind_raw not in ALIASES):
            close = difflib.get_close_matches(str(kind_raw), kinds, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise self.fail(
                f"rule[{index}].kind{hint}", at("kind"), "one of " + ", ".join(kinds), kind_raw
            )
        kind = ALIASES.get(kind_raw) or RuleKind(kind_raw)
        spec = KINDS[kind]
        allowed = _RULE_KEYS | frozenset(spec.settings)
        if not spec.agent:
            allowed -= {"sessions"}
        for key in raw:
            if key not in allowed:
                raise self.unknown(f"rule[{index}] (kind {kind.value})", at(key), key, allowed)
        name = raw.get("name", kind.value)
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            raise self.fail(
                f"rule[{index}].name",
                at("name"),
                "a name of letters, digits, '-', '_' or '.'",
                name,
            )
        where = f"rule {name!r}"
        fields: dict[str, Any] = {"name": name, "kind": kind}
        fields["for_seconds"] = (
            self.duration(f"{where}: for", at("for"), raw["for"], 0)
            if "for" in raw
            else spec.default_for
        )
        fields["severity"] = (
            self.severity(f"{where}: severity", at("severity"), raw["severity"])
            if "severity" in raw
            else spec.severity
        )
        fields["repeat_interval"] = (
            self.duration(
                f"{where}: repeat_interval", at("repeat_interval"), raw["repeat_interval"], 1
            )
            if "repeat_interval" in raw
            else defaults.repeat_interval
        )
        sinks = defaults.sinks
        if "sinks" in raw:
            sinks = self.names(f"{where}: sinks", at("sinks"), raw["sinks"], allow_empty=True)
            for sink in sinks:
                if sink not in sink_names:
                    raise self.fail(
                        f"{where}: sinks", at("sinks"), self.sink_names(sink_names), sink
                    )
        fields["sinks"] = sinks
        if "labels" in raw:
            fields["labels"] = self.labels(f"{where}: labels", at("labels"), raw["labels"])
        if "sessions" in raw:
            fields["sessions"] = self.names(
                f"{where}: sessions", at("sessions"), raw["sessions"], pattern=None
            )
        for key, setting in spec.settings.items():
            value = (
                self.setting(f"{where}: {key}", at(key), setting, raw[key])
                if key in raw
                else setting.default
            )
            if value is not None:
                fields[setting.field] = value
        return RuleConfig(**fields)

    def setting(self, where: str, line: int | None, setting: Setting, value: object) -> Any:
        if setting.type == "duration":
            return self.duration(where, line, value, 0.001)
        if setting.type == "integer":
            return self.integer(where, line, value, 1, 1_000_000)
        if setting.type == "strings":
            return self.names(where, line, value, pattern=None)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(where, line, f"a number >= 0 ({setting.help})", value)
        return float(value)

    def labels(self, where: str, line: int | None, value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.fail(where, line, 'a table of strings (labels = { team = "infra" })', value)
        for key, item in value.items():
            if not _LABEL_RE.fullmatch(key):
                raise self.fail(
                    where,
                    line,
                    "label names of letters, digits and '_' (not starting with a digit)",
                    key,
                )
            if not isinstance(item, str):
                raise self.fail(f"{where}.{key}", line, "a string", item)
        return dict(value)

    # -- scalars

    def duration(self, where: str, line: int | None, value: object, lowest: float) -> float:
        try:
            seconds = parse_duration(value)
        except ValueError:
            raise self.fail(where, line, DURATION_HELP, value) from None
        if seconds < lowest:
            raise self.fail(where, line, f"at least {lowest:g}s", value)
        return seconds

    def integer(self, where: str, line: int | None, value: object, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(where, line, f"a whole number from {low} to {high}", value)
        return value

    def severity(self, where: str, line: int | None, value: object) -> Severity:
        if value not in Severity.__members__.values():
            raise self.fail(where, line, "one of " + ", ".join(s.value for s in Severity), value)
        return Severity(str(value))

    def names(
        self,
        where: str,
        line: int | None,
        value: object,
        *,
        pattern: re.Pattern[str] | None = _NAME_RE,
        allow_empty: bool = False,
    ) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if (
            not isinstance(items, list)
            or (not items and not allow_empty)
            or not all(isinstance(v, str) and v for v in items)
            or (pattern is not None and not all(pattern.fullmatch(v) for v in items))
        ):
            raise self.fail(where, line, "a name or a list of names", value)
        return tuple(items)
