"""Tiny dataclass <-> YAML layer: every default is written out, unknown keys and wrong types are rejected.

Each stage owns a dataclass (``rewrite.config.RewriteConfig``, ``filters.config.FilterConfig`` ...);
``curate.config.CurateConfig`` composes them.  ``from_dict`` validates a user's YAML against them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from curate.errors import UsageError


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
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _coerce(a, value, where)
            except UsageError as e:
                errors.append(str(e))
        raise UsageError(errors[0] if errors else f"{where}: invalid value {value!r}")
    if dataclasses.is_dataclass(tp):
        if value is None:  # an empty section in YAML
            value = {}
        if not isinstance(value, dict):
            raise UsageError(f"{where}: expected a mapping, got {type(value).__name__}")
        return from_dict(tp, value, where)
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise UsageError(f"{where}: expected a list, got {value!r}")
        inner = args[0] if args else Any
        return [_coerce(inner, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise UsageError(f"{where}: expected a mapping, got {value!r}")
        vt = args[1] if len(args) == 2 else Any
        return {k: _coerce(vt, v, f"{where}.{k}") for k, v in value.items()}
    if origin is typing.Literal:
        if value not in args:
            raise UsageError(f"{where}: must be one of {', '.join(map(repr, args))}, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise UsageError(f"{where}: expected true/false, got {value!r}")
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise UsageError(f"{where}: expected an integer, got {value!r}")
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UsageError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise UsageError(f"{where}: expected a string, got {value!r}")
        return str(value)
    return value


def from_dict(cls: type, data: dict | None, where: str = "config") -> Any:
    """Build dataclass ``cls`` from ``data``; missing keys take the defaults, unknown keys are an error."""
    data = dict(data or {})
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}; known keys: {', '.join(fields)}")
    kwargs = {name: _coerce(hints[name], value, f"{where}.{name}") for name, value in data.items()}
    try:
        obj = cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise UsageError(f"{where}: {e}") from None
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


def field(default: Any = dataclasses.MISSING, *, help: str = "", default_factory: Any = dataclasses.MISSING) -> Any:
    """``dataclasses.field`` with a ``help`` string that ``curate config init`` prints as a comment."""
    if default_factory is not dataclasses.MISSING:
        return dataclasses.field(default_factory=default_factory, metadata={"help": help})
    return dataclasses.field(default=default, metadata={"help": help})
