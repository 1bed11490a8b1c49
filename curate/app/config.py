"""The one config: every stage's section with every default written out.

``curate config init`` prints it; ``--config FILE`` loads a (partial) YAML over the defaults; CLI flags
override both; the effective config is saved in every manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from align.config import AlignConfig
from curate.core.errors import UsageError
from curate.core.configlib import (ConfigError, check, cli_overrides, dump_yaml, field, finite, flag_name, from_dict,
                                    join_problem, load_yaml, to_dict)
from curate.publish.config import PublishConfig
from curate.review.config import ReviewConfig
from filters.config import FilterConfig
from rewrite.config import RewriteConfig


@dataclass
class CurateConfig:
    input: str | None = field(None, help="`curate run`: the source QA file (csv / jsonl / parquet / datasets dir)")
    output_dir: str = field("runs/curate", help="`curate run`: where each stage writes its folder (rewrite/, filter/, review/, publish/)")
    lang: str | None = field(None, help="Language of the rows for every stage: en or es (es-MX, es-ES read as es); it fills rewrite.lang, filter.lang and align.eval.lang where they are null; null = en; a `lang` column overrides it per row")
    rewrite: RewriteConfig = field(default_factory=RewriteConfig, help="Stage 1: LLM rewrites into a supportive (chosen) and a prescriptive (rejected) variant")
    filter: FilterConfig = field(default_factory=FilterConfig, help="Stage 2: scores and keep/drop decisions with named reasons")
    review: ReviewConfig = field(default_factory=ReviewConfig, help="Stage 3: human review in Argilla")
    publish: PublishConfig = field(default_factory=PublishConfig, help="Stage 4: Hugging Face dataset with a card")
    align: AlignConfig = field(default_factory=AlignConfig, help="DPO training and evaluation (`align dpo`, `align eval`)")


    def __post_init__(self) -> None:
        check(isinstance(self.output_dir, str) and self.output_dir.strip() != "", "output_dir", "must be a directory path")
        if self.lang is not None:
            from curate.core import lang as _lang

            try:
                self.lang = _lang.check(self.lang)
            except ValueError as e:
                check(False, "lang", str(e))
        # the publish section's numbers, checked here so a bad value fails before any stage starts
        p = self.publish
        if p is not None and not isinstance(p, dict):
            check(finite(p.test_size) and 0 <= p.test_size < 1, "publish.test_size",
                  f"must be in [0, 1) (a fraction of the rows; 0 = no test split), got {p.test_size}")
            check(p.max_shard_rows >= 1, "publish.max_shard_rows", f"must be >= 1, got {p.max_shard_rows}")
            check(p.seed >= 0, "publish.seed", f"must be >= 0, got {p.seed}")


def _merge(base: dict, overrides: Mapping, prefix: str, given: set[str]) -> dict:
    """``overrides`` (nested; ``None`` = not given) over ``base``; the dotted keys set are added to ``given``."""
    merged = dict(base)
    for k, value in overrides.items():
        key = f"{prefix}{k}"
        if isinstance(value, Mapping):
            if all(v is None for v in value.values()):
                continue
            inner = merged.get(k)
            if inner is None:
                inner = {}
            if isinstance(inner, dict):  # else the file's section is not a mapping: from_dict names it below
                merged[k] = _merge(inner, value, key + ".", given)
        elif value is not None:
            merged[k] = value
            given.add(key)
    return merged


LANG_SECTIONS = ("rewrite", "filter", "align.eval")  # the sections with a `lang` of their own


def _spread_lang(merged: dict) -> None:
    """The top-level ``lang`` into every section that has one and does not set it (a bad code fails in the section
    check, named as the top-level key)."""
    top = merged.get("lang")
    if top is None:
        return
    for dotted in LANG_SECTIONS:
        d = merged
        for part in dotted.split("."):
            if not isinstance(d, dict):
                break
            d = d.setdefault(part, {}) if isinstance(d.get(part, {}), dict) else None
        if isinstance(d, dict) and d.get("lang") is None:
            d["lang"] = top


def load_config(path: str | Path | None = None, overrides: dict | None = None,
                flags: Mapping[str, str] | None = None) -> CurateConfig:
    """Defaults <- YAML file <- overrides (a nested dict of CLI flags; ``None`` = not given), validated once.

    A bad value is one line naming where it came from: the flag the user typed (``--batch-rows must be >= 1``;
    ``flags`` maps a key such as ``rewrite.timeout_s`` to its flag, see ``configlib.cli_overrides``; a key not in it is
    named ``flag_name(key)``), or the file and key (``my.yaml: filter.batch_rows: must be >= 1``).
    """
    data = load_yaml(path) if path else {}
    given: set[str] = set()
    merged = _merge(data, overrides or {}, "", given)
    if merged.get("lang") is not None:  # named as the top-level key it came from, before it fills the sections
        from curate.core import lang as _lang

        try:
            _lang.check(merged["lang"])
        except ValueError as e:
            raise UsageError(f"{path}: lang: {e}" if path else f"lang: {e}") from None
    _spread_lang(merged)
    try:
        return from_dict(CurateConfig, merged, "config")
    except ConfigError as e:
        key = e.where.removeprefix("config").lstrip(".")
        flag_key = next((k for k in given if key == k or key.startswith(k + "[")), None)
        if flag_key is not None:
            flag = (flags or {}).get(flag_key) or flag_name(flag_key)
            raise UsageError(join_problem(flag, e.problem, colon=False)) from None
        if path:  # name the file and the key the bad value is in
            raise UsageError(f"{path}: {join_problem(key or 'config', e.problem)}") from None
        raise UsageError(join_problem(key or "config", e.problem)) from None


def load_section(path: str | Path | None, section: str, params: Mapping[str, Any]) -> Any:
    """What every command does: its config ``section`` (``"rewrite"``, ``"align.dpo"``) from defaults <- YAML
    ``path`` <- the command's flags. ``params`` are the command's arguments named like the section's fields (pass
    ``locals()``; see ``configlib.cli_overrides``); a bad value names the flag typed, or the file and key."""
    overrides, flags = cli_overrides(CurateConfig, section, params)
    cfg: Any = load_config(path, overrides, flags)
    for part in section.split("."):
        cfg = getattr(cfg, part)
    return cfg


def default_yaml() -> str:
    header = "# empathy-curate configuration: every default written out. `curate run THIS_FILE` runs the pipeline.\n"
    return header + dump_yaml(CurateConfig())
