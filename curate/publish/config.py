"""Configuration of the publish stage (the ``publish:`` section of the YAML). Owned by issue 5."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PublishConfig:
    pass
