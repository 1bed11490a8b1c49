"""The publish stage: gates -> TRL preference format -> grouped train/test split -> dataset card -> a local dir
and/or the Hugging Face Hub.

Public API for other stages:

* ``STAGE`` -- the stage's declaration (:class:`curate.core.stage.StageSpec`): reads a review / filter / rewrite
  output (or a table file), writes the dataset dir (``README.md``, ``data/*.parquet``); ``run(input, out_dir, cfg)
  -> manifest`` (``out_dir`` None: push to ``cfg.repo_id`` only).
* ``DEFAULT_SYSTEM_PROMPT`` -- the system message every published row starts with unless configured.
"""

from __future__ import annotations

from curate.core.manifest import MANIFEST
from curate.core.schema import DEFAULT_SYSTEM_PROMPT
from curate.core.stage import StageSpec
from curate.publish.tables import CARD, READS, WRITES

__all__ = ["STAGE", "run", "DEFAULT_SYSTEM_PROMPT"]


def run(input, out_dir, cfg) -> dict:
    """The stage runner: publish ``input`` to ``out_dir`` (overrides ``cfg.to_dir``) and/or ``cfg.repo_id``."""
    from curate.publish.stage import run

    return run(input, out_dir, cfg)


STAGE = StageSpec(name="publish", reads=READS, writes=WRITES, run=run, global_step=True,
                  extra_files=(CARD, MANIFEST))
