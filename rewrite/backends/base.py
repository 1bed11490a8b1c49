"""The one interface every rewrite backend implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol


@dataclass
class GenRequest:
    key: str                 # cache key (row id + style + model + prompt version + generation params)
    row_id: str
    style: str
    messages: list[dict]


@dataclass
class GenResult:
    text: str | None = None
    finish_reason: str | None = None   # "stop" | "length" | None when the request failed
    error: str | None = None           # set when the backend gave up (after retries)
    completion_tokens: int | None = None
    meta: dict = field(default_factory=dict)


OnResult = Callable[[GenRequest, GenResult], None]


class Backend(Protocol):
    model_id: str          # recorded as `rewrite_model`
    remote: bool           # True when text leaves this machine (the PHI guard applies)

    def generate(self, requests: list[GenRequest], on_result: OnResult) -> None:
        """Generate every request; call ``on_result`` as each one finishes (in any order)."""
        ...

    def close(self) -> None: ...
