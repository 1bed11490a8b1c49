"""Configuration of the review stage (the ``review:`` section of the YAML). Owned by issue 4.

Groups:
    Connection: ``api_url``, ``workspace``, ``dataset`` (the API key only ever comes from ``ARGILLA_API_KEY``).
    Push: ``min_submitted``, ``seed``, ``guidelines``, ``suggestions``, ``metadata_columns``, ``batch_size``.
    Pull / merge: ``min_votes``, ``drop_ties``, ``drop_if_facts_not_kept``, ``rescore_corrections``,
        ``correction_must_pass_filters``.
    Local server (``curate review serve``): ``server_venv``, ``host``, ``port``, ``data_dir``, ``owner_username``,
        ``startup_timeout_s``.
"""

from __future__ import annotations

from dataclasses import dataclass

from curate.configlib import field

DEFAULT_GUIDELINES = """\
You see a caregiver's question, the clinician's source answer, and two rewrites of it (Response A and B, in random order).
1. Pick the response that is better for a caregiver: supportive, polite, plain language, and medically the same as the source.
   Choose "both unacceptable" if neither could be sent to a caregiver.
2. Say whether the supportive response (the one that reads warmer and plainer) keeps every fact of the source: numbers,
   doses, units, frequencies, drug and condition names, with nothing added.
3. If the supportive response is close but wrong somewhere, paste a corrected version into "corrected supportive response".
4. Add a note for anything the team should know.
"""


@dataclass
class ReviewConfig:
    # --- connection
    dataset: str | None = field(None, help="Argilla dataset name; null = `curate run` skips the review stage")
    workspace: str | None = field(None, help="Argilla workspace; null = the API key's first workspace (created if a name is given and missing)")
    api_url: str | None = field(None, help="Argilla URL; null = $ARGILLA_API_URL, else http://localhost:6900. The API key is never read from here: $ARGILLA_API_KEY (or --api-key)")
    # --- push
    min_submitted: int = field(1, help="Task distribution: a record counts as done once this many annotators submitted it")
    seed: int = field(0, help="Seed of the per-record random order of Response A / B (the mapping is stored in hidden metadata)")
    guidelines: str | None = field(None, help="Annotation guidelines shown in the Argilla UI; null = the built-in ones (curate.review.config.DEFAULT_GUIDELINES)")
    suggestions: bool = field(True, help="Pre-fill the questions with suggestions derived from the filter scores")
    metadata_columns: list[str] | None = field(None, help="Columns shown as filterable metadata; null = every numeric score column, list columns as counts, drop reasons as terms")
    batch_size: int = field(256, help="Records per request when logging to Argilla")
    # --- pull / merge
    min_votes: int = field(1, help="Submitted responses a record needs before it is decided; fewer = review_status pending")
    drop_ties: bool = field(False, help="Drop pairs whose majority vote is a tie (A and B equally good)")
    drop_if_facts_not_kept: bool = field(True, help="Drop pairs whose majority says the supportive response lost or changed a fact (unless corrected)")
    rescore_corrections: bool = field(True, help="Re-run the filters (filters.filter_frame) on pairs whose chosen answer was corrected")
    correction_must_pass_filters: bool = field(True, help="A corrected chosen answer that the filters drop makes the pair dropped (reason correction_failed_filters:...)")
    # --- local server: `curate review serve`
    server_venv: str = field(".venv-argilla", help="Virtualenv with argilla-server 2.8 and osmem-server (scripts/setup_argilla.sh); $CURATE_ARGILLA_VENV overrides")
    host: str = field("127.0.0.1", help="`curate review serve` binds this loopback address only")
    port: int = field(6900, help="`curate review serve` port; 0 = a free port")
    data_dir: str | None = field(None, help="`curate review serve` keeps the SQLite database here; null = a temp dir removed on exit")
    owner_username: str = field("owner", help="`curate review serve`: the owner account it creates")
    startup_timeout_s: float = field(120.0, help="`curate review serve`: give up if the server is not ready after this many seconds")
