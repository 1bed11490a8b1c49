"""Configuration of the review stage (the ``review:`` section of the YAML). Owned by issue 4."""

from __future__ import annotations

from dataclasses import dataclass

from curate.configlib import field


@dataclass
class ReviewConfig:
    dataset: str | None = field(None, help="Argilla dataset name; null = `curate run` skips the review stage")
