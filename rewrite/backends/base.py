"""The one interface every rewrite backend implements."""

from __future__ import annotations

import time
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
    finish_reason: str | None = None   # "stop" | "length" | "repetition" (stopped in a loop) | None when it failed
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


class LazyBackend:
    """A local backend loaded on its first ``generate``: a rerun whose rows are all cached never loads the model.

    ``model_id`` and ``remote`` are known up front (they key the cache and gate the PHI guard).
    """

    def __init__(self, factory: Callable[[], Backend], model_id: str, remote: bool = False):
        self._factory = factory
        self._backend: Backend | None = None
        self.model_id = model_id
        self.remote = remote
        self.load_s: float | None = None

    @property
    def loaded(self) -> bool:
        return self._backend is not None

    def load(self) -> Backend:
        if self._backend is None:
            t0 = time.perf_counter()
            self._backend = self._factory()
            self.load_s = round(time.perf_counter() - t0, 3)
        return self._backend

    # progress hooks, handed to the backend it loads
    on_tokens: Callable[[int], None] | None = None
    on_batch: Callable[[int, int, int, int], None] | None = None

    def generate(self, requests: list[GenRequest], on_result: OnResult) -> None:
        backend = self.load()
        for hook in ("on_tokens", "on_batch"):
            if getattr(self, hook) is not None:
                setattr(backend, hook, getattr(self, hook))
        backend.generate(requests, on_result)

    @property
    def fatal(self):
        return getattr(self._backend, "fatal", None)

    @property
    def stats(self) -> dict:
        return {"model_loaded": self.loaded, "load_s": self.load_s, **getattr(self._backend, "stats", {})}

    def close(self) -> None:
        if self._backend is not None:
            self._backend.close()
