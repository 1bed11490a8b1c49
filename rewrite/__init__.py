"""The rewrite stage: each source answer rewritten by an LLM into a supportive (chosen) and a prescriptive
(rejected) variant, cached, validated, with a PHI guard (``rewrite.runner``; ``rewrite.redo`` regenerates the side
the filter stage blamed).

Public API for other stages (imported on first use, so ``import rewrite`` stays light):

* ``builtin_style(name) -> StyleSpec | None`` -- a built-in style spec (``rewrite/styles/NAME.yaml``).
* ``STAGE`` -- the stage's declaration (:class:`curate.core.stage.StageSpec`): reads the user's QA table, writes
  ``pairs.parquet`` (kept) and ``quarantine.parquet`` (quarantined); ``run(input, out_dir, cfg) -> manifest``.
"""

from __future__ import annotations

from curate.core.lazy import lazy_exports


from curate.core.stage import StageSpec
from rewrite.tables import ADDS, QA_INPUT, WRITES

_LAZY = {"builtin_style": "rewrite.styles"}

__all__ = ["builtin_style", "STAGE", "run"]


def run(input, out_dir, cfg, **options) -> dict:
    """The stage runner: ``rewrite.runner.run_rewrite`` (``options``: ``backend``, ``progress``)."""
    from rewrite.runner import run_rewrite

    return run_rewrite(input, out_dir, cfg, **options)


STAGE = StageSpec(name="rewrite", reads=QA_INPUT, writes=WRITES, run=run, adds=ADDS)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())
