"""Configuration of the publish stage (the ``publish:`` section of the YAML).

Groups: where the dataset goes (``to_dir`` / ``repo_id``), how it is split, what it looks like (system prompt,
columns, card metadata), and the gates that keep unsafe rows out.
"""

from __future__ import annotations

from dataclasses import dataclass

from curate.core.configlib import field
from curate.core.schema import DEFAULT_SYSTEM_PROMPT, FILTER_COLUMNS


@dataclass
class PublishConfig:
    # --- destination
    to_dir: str | None = field(None, help="Write the dataset to this local directory (`curate run`: null = OUTPUT_DIR/publish)")
    repo_id: str | None = field(None, help="Push to this Hugging Face dataset repo (ORG/NAME) with HF_TOKEN from the environment; null = no push")
    private: bool = field(False, help="Create the Hub repo as private (only when it does not exist yet; false = the account's default visibility)")
    commit_message: str = field("Publish preference dataset with empathy-curate", help="Commit message of the Hub upload")
    # --- split
    test_size: float = field(0.2, help="Fraction of rows in the test split (0 = train only); whole near-duplicate groups move together")
    seed: int = field(0, help="Seed of the grouped split (same data + seed = same split)")
    # --- format
    system_prompt: str = field(DEFAULT_SYSTEM_PROMPT, help="The one system message that starts every `prompt` (recorded in the card); left at this default, a dataset whose rows are mostly Spanish (`lang` column) gets its Spanish version (curate.core.schema.DEFAULT_SYSTEM_PROMPT_ES)")
    drop_columns: list[str] = field(
        default_factory=lambda: list(FILTER_COLUMNS),
        help="Columns left out of the published rows (everything else: scores and provenance, is kept)",
    )
    max_shard_rows: int = field(100_000, help="Rows per parquet shard in data/")
    # --- card
    license: str = field("unknown", help="License of the published data (a Hub license id, e.g. cc-by-4.0); set it to your source data's license")
    language: list[str] | None = field(None, help="Language codes for the card metadata; null = the languages of the rows (their `lang` column, most rows first; en without one)")
    pretty_name: str | None = field(None, help="Human-readable dataset name for the card; null = derived from the repo id / directory name")
    tags: list[str] = field(
        default_factory=lambda: ["dpo", "preference", "trl", "healthcare", "empathy", "caregiving", "synthetic"],
        help="Tags in the card metadata",
    )
    # --- gates
    allow_unreviewed: bool = field(False, help="Publish rows still pending review (data from `curate review pull`); the card says how many")
    allow_unfiltered: bool = field(
        False,
        help="Publish DATA that did not come from `curate filter` or `curate review pull` (no such manifest.json beside it, "
             "no keep/drop_reasons columns); the card then says plainly that the pairs were NOT filtered",
    )
    filter_manifest: str | None = field(None, help="The filter stage's manifest.json for the card's thresholds; null = found next to DATA or through the review manifest's inputs")
