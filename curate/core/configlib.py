"""Tiny dataclass <-> YAML layer: every default is written out, unknown keys and wrong types are rejected.

Each stage owns a dataclass (``rewrite.config.RewriteConfig``, ``filters.config.FilterConfig`` ...);
``curate.app.config.CurateConfig`` composes them.  ``from_dict`` validates a user's YAML against them.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from curate.core.errors import UsageError


def join_problem(subject: str, problem: str, colon: bool = True) -> str:
    """``subject`` + ``problem``: "config.filter.batch_rows: must be >= 1"; without ``colon``, a problem that reads as
    a predicate joins with a space: "--batch-rows must be >= 1"."""
    if not colon and problem.startswith(("must", "is ", "cannot")):
        return f"{subject} {problem}"
    return f"{subject}: {problem}"


class ConfigError(UsageError):
    """A bad config value, with where it is (``where``: a dotted key such as ``config.filter.batch_rows``) and what
    is wrong (``problem``), so a caller can name the flag or the file the value came from instead of the key."""

    def __init__(self, where: str, problem: str):
        self.where, self.problem = where, " ".join(str(problem).split())
        super().__init__(join_problem(where, self.problem))


class ConfigValueError(ValueError):
    """Raised by a config dataclass's ``__post_init__`` for one field (``field`` may be dotted for a nested section)."""

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(join_problem(field, problem, colon=False))


def check(ok: bool, field: str, problem: str) -> None:
    """``__post_init__`` helper: ``check(self.batch_rows >= 1, "batch_rows", "must be >= 1")``."""
    if not ok:
        raise ConfigValueError(field, problem)


def finite(x) -> bool:
    """A real number (not NaN, not +-inf): YAML's ``.nan`` compares false with everything, so every range check
    below also rejects it, but an unbounded check (``> 0``) would let ``.inf`` through."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def to_dict(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    if isinstance(obj, Path):
        return str(obj)
    return obj


def _coerce(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors: list[UsageError] = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _coerce(a, value, where)
            except UsageError as e:
                errors.append(e)
        if errors:
            raise errors[0]
        raise ConfigError(where, f"invalid value {value!r}")
    if dataclasses.is_dataclass(tp):
        if value is None:  # an empty section in YAML
            value = {}
        if not isinstance(value, dict):
            raise ConfigError(where, f"expected a mapping, got {type(value).__name__}")
        return from_dict(tp, value, where)
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(where, f"expected a list, got {value!r}")
        inner = args[0] if args else Any
        return [_coerce(inner, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(where, f"expected a mapping, got {value!r}")
        vt = args[1] if len(args) == 2 else Any
        return {k: _coerce(vt, v, f"{where}.{k}") for k, v in value.items()}
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(where, f"must be one of {', '.join(map(repr, args))}, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(where, f"expected true/false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(where, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(where, f"expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(where, f"expected a string, got {value!r}")
        return str(value)
    return value


def from_dict(cls: type, data: dict | None, where: str = "config") -> Any:
    """Build dataclass ``cls`` from ``data``; missing keys take the defaults, unknown keys are an error."""
    data = dict(data or {})
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(where, f"unknown key {unknown[0]!r}; known keys: {', '.join(fields)}")
    kwargs = {name: _coerce(hints[name], value, f"{where}.{name}") for name, value in data.items()}
    try:
        obj = cls(**kwargs)
    except ConfigValueError as e:
        raise ConfigError(f"{where}.{e.field}", e.problem) from None
    except (TypeError, ValueError) as e:
        # a plain ValueError("batch_rows must be >= 1") from a section's __post_init__: find the field it names
        text = " ".join(str(e).split())
        m = re.match(r"([A-Za-z_]\w*)(?::\s*|\s+)(.+)", text)
        if m and m.group(1) in fields:
            raise ConfigError(f"{where}.{m.group(1)}", m.group(2)) from None
        raise ConfigError(where, text) from None
    return obj


def load_yaml(path: str | Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: config file not found")
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        what = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise UsageError(f"{path}: invalid YAML{where}: {what}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: the config must be a mapping at the top level")
    return data


def dump_yaml(obj: Any, comments: bool = True) -> str:
    """YAML of a config; with ``comments``, each field's ``metadata["help"]`` is written above it."""
    if not comments or not dataclasses.is_dataclass(obj):
        return yaml.safe_dump(to_dict(obj), sort_keys=False, allow_unicode=True, width=110)
    lines: list[str] = []
    _dump_commented(obj, 0, lines)
    return "\n".join(lines) + "\n"


def _dump_commented(obj: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        help_text = f.metadata.get("help") if f.metadata else None
        if help_text:
            lines.extend(f"{pad}# {h}" for h in help_text.splitlines())
        if dataclasses.is_dataclass(value):
            lines.append(f"{pad}{f.name}:")
            _dump_commented(value, indent + 2, lines)
            continue
        plain = to_dict(value)
        if isinstance(plain, list):  # short lists read best inline
            rendered = f"{f.name}: " + yaml.safe_dump(plain, default_flow_style=True, allow_unicode=True, width=110).strip()
        else:
            rendered = yaml.safe_dump({f.name: plain}, sort_keys=False, allow_unicode=True, width=110,
                                      default_flow_style=False).rstrip("\n")
        lines.extend(pad + line for line in rendered.splitlines())


def field(default: Any = dataclasses.MISSING, *, help: str = "", default_factory: Any = dataclasses.MISSING,
          flag: str | None = None) -> Any:
    """``dataclasses.field`` with a ``help`` string that ``curate config init`` prints as a comment, and the
    command-line ``flag`` that sets it where that is not simply ``--field-name`` (``flag="-o"`` for an output dir)."""
    metadata: dict[str, Any] = {"help": help}
    if flag is not None:
        metadata["flag"] = flag
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


# --- command-line flags -> config fields: one rule for every console script --------------------------------------

def flag_name(key: str) -> str:
    """The flag derived from a config key: ``filter.batch_rows`` -> ``--batch-rows``."""
    return "--" + key.rsplit(".", 1)[-1].replace("_", "-")


def field_flag(f: dataclasses.Field) -> str:
    """The flag of a config field: the one it declares (``field(..., flag="-o")``), else ``--field-name``."""
    return (f.metadata or {}).get("flag") or flag_name(f.name)


def section_class(cls: type, section: str) -> type:
    """The dataclass at dotted ``section`` of ``cls``: ``section_class(CurateConfig, "align.dpo")`` ->
    ``DPOTrainConfig`` ("" = ``cls`` itself)."""
    for part in filter(None, section.split(".")):
        hints = typing.get_type_hints(cls)
        if part not in hints or not dataclasses.is_dataclass(hints[part]):
            raise KeyError(f"{cls.__name__} has no config section {part!r}")
        cls = hints[part]
    return cls


def cli_overrides(cls: type, section: str, params: typing.Mapping[str, Any]) -> tuple[dict, dict[str, str]]:
    """CLI values -> config overrides, by field name: each entry of ``params`` (a command's arguments, e.g. its
    ``locals()``) named like a field of the ``section`` dataclass of ``cls`` and not ``None`` (= not given) sets that
    field; other names (the input, ``--overwrite`` ...) are not config. Paths become strings.

    Returns the nested overrides (``{"rewrite": {"timeout_s": 5.0}}``) and, for each key given, the flag that set it
    (``{"rewrite.timeout_s": "--timeout"}``, see ``field_flag``), so an error names the flag the user typed."""
    import os

    values: dict[str, Any] = {}
    flags: dict[str, str] = {}
    prefix = f"{section}." if section else ""
    for f in dataclasses.fields(section_class(cls, section)):
        value = params.get(f.name)
        if value is None:
            continue
        values[f.name] = os.fspath(value) if isinstance(value, os.PathLike) else value
        flags[prefix + f.name] = field_flag(f)
    for part in reversed([p for p in section.split(".") if p]):
        values = {part: values}
    return values, flags
