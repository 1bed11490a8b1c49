"""The one config: every stage's section with every default written out.

``curate config init`` prints it; ``--config FILE`` loads a (partial) YAML over the defaults; CLI flags
override both; the effective config is saved in every manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from align.config import AlignConfig
from curate.errors import UsageError
from curate.configlib import dump_yaml, field, from_dict, load_yaml, to_dict
from curate.publish.config import PublishConfig
from curate.review.config import ReviewConfig
from filters.config import FilterConfig
from rewrite.config import RewriteConfig


@dataclass
class CurateConfig:
    input: str | None = field(None, help="`curate run`: the source QA file (csv / jsonl / parquet / datasets dir)")
    output_dir: str = field("runs/curate", help="`curate run`: where each stage writes its folder (rewrite/, filter/, review/, publish/)")
    rewrite: RewriteConfig = field(default_factory=RewriteConfig, help="Stage 1: LLM rewrites into a supportive (chosen) and a prescriptive (rejected) variant")
    filter: FilterConfig = field(default_factory=FilterConfig, help="Stage 2: scores and keep/drop decisions with named reasons")
    review: ReviewConfig = field(default_factory=ReviewConfig, help="Stage 3: human review in Argilla")
    publish: PublishConfig = field(default_factory=PublishConfig, help="Stage 4: Hugging Face dataset with a card")
    align: AlignConfig = field(default_factory=AlignConfig, help="DPO training and evaluation (`align dpo`, `align eval`)")


def load_config(path: str | Path | None = None, overrides: dict | None = None) -> CurateConfig:
    """Defaults <- YAML file <- overrides (a nested dict of CLI flags that were given)."""
    data = load_yaml(path) if path else {}
    try:
        cfg = from_dict(CurateConfig, data, "config")
    except UsageError as e:
        if path:  # name the file the bad key is in
            raise UsageError(f"{path}: {e}") from None
        raise
    if overrides:
        merged = to_dict(cfg)
        for section, values in overrides.items():
            if isinstance(values, dict):
                merged[section].update({k: v for k, v in values.items() if v is not None})
            elif values is not None:
                merged[section] = values
        cfg = from_dict(CurateConfig, merged, "config")
    return cfg


def default_yaml() -> str:
    header = "# empathy-curate configuration: every default written out. `curate run THIS_FILE` runs the pipeline.\n"
    return header + dump_yaml(CurateConfig())
