"""Configuration of the filter stage (the ``filter:`` section of the YAML). Owned by issue 3."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FilterConfig:
    pass
