"""Configuration of DPO training and evaluation (the ``align:`` section of the YAML). Owned by issue 6."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class AlignConfig:
    pass
