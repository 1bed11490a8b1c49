"""The review stage: pairs pushed to Argilla for blind A/B review, annotations pulled and merged back.

Public API for other stages:

* ``STAGE`` -- the stage's declaration (:class:`curate.core.stage.StageSpec`): a global step that reads the filter's
  kept table and writes ``reviewed.parquet`` (kept), ``review_dropped.parquet`` (dropped) and ``review_report.md``;
  ``run(input, out_dir, cfg) -> manifest`` pushes ``input`` (an upsert) and pulls into ``out_dir``.
"""

from __future__ import annotations

from curate.core.manifest import MANIFEST
from curate.core.stage import StageSpec
from curate.review.tables import ADDS, READS, REPORT, WRITES

__all__ = ["STAGE", "run"]


def run(input, out_dir, cfg, *, client=None) -> dict:
    """Push the pairs in ``input`` (a table or a filter output dir) to Argilla -- an upsert: unchanged records stay
    as they are, annotations are kept -- then pull the current annotations into ``out_dir``.  ``cfg`` is the whole
    ``CurateConfig`` (``review`` section; ``filter`` re-scores corrections); the server and key:
    ``review.api_url`` / ``ARGILLA_API_KEY`` unless ``client`` is given."""
    from curate.review.pull import push_and_pull

    return push_and_pull(input, out_dir, cfg, client=client)


STAGE = StageSpec(name="review", reads=READS, writes=WRITES, run=run, adds=ADDS, global_step=True,
                  extra_files=(REPORT, MANIFEST))
