"""Configuration of the review stage (the ``review:`` section of the YAML).

Groups:
    Connection: ``api_url``, ``workspace``, ``dataset`` (the API key only ever comes from ``ARGILLA_API_KEY``).
    Push: ``min_submitted``, ``seed``, ``guidelines``, ``suggestions``, ``metadata_columns``, ``batch_size``,
        ``key_workspace``.
    Pull / merge: ``min_votes``, ``drop_ties``, ``drop_if_facts_not_kept``, ``rescore_corrections``,
        ``correction_must_pass_filters``.
    Local server (``curate review serve``): ``server_venv``, ``host``, ``port``, ``data_dir``, ``owner_username``,
        ``startup_timeout_s``.
"""

from __future__ import annotations

from dataclasses import dataclass

from curate.core.configlib import check, field

DEFAULT_GUIDELINES = """\
You see a caregiver's question, the clinician's source answer, and two rewrites of it (Response A and B, in random order).
1. Pick the response that is better for a caregiver: supportive, polite, plain language, and medically the same as the source.
   Choose "both unacceptable" if neither could be sent to a caregiver.
2. Say whether the supportive response (the one that reads warmer and plainer) keeps every fact of the source: numbers,
   doses, units, frequencies, drug and condition names, with nothing added.
3. If the supportive response is close but wrong somewhere, paste a corrected version into "corrected supportive response".
4. Add a note for anything the team should know.
"""

GUIDELINES_WITHOUT_SOURCE = """\
You see a caregiver's question and two answers to it (Response A and B, in random order).
1. Pick the response that is better for a caregiver: supportive, polite, plain language, and medically the same as the other.
   Choose "both unacceptable" if neither could be sent to a caregiver.
2. Say whether both responses state the same facts: numbers, doses, units, frequencies, drug and condition names,
   with nothing lost or added by the supportive one (the one that reads warmer and plainer).
3. If the supportive response is close but wrong somewhere, paste a corrected version into "corrected supportive response".
4. Add a note for anything the team should know.
"""

# the same, in Spanish: a dataset whose rows are Spanish (a `lang` column, es) is reviewed in Spanish
DEFAULT_GUIDELINES_ES = """\
Verá la pregunta de un cuidador, la respuesta original del clínico y dos reescrituras (Respuesta A y B, en orden aleatorio).
1. Elija la respuesta más adecuada para un cuidador: cálida, respetuosa, en lenguaje sencillo y con el mismo contenido
   médico que el original. Elija "ninguna es aceptable" si ninguna podría enviarse a un cuidador.
2. Indique si la respuesta cálida (la que se lee más cercana y sencilla) conserva todos los datos del original: números,
   dosis, unidades, frecuencias, nombres de medicamentos y enfermedades, sin añadir nada.
3. Si la respuesta cálida está casi bien pero falla en algo, pegue una versión corregida en "respuesta cálida corregida".
4. Añada una nota sobre cualquier cosa que el equipo deba saber.
"""

GUIDELINES_WITHOUT_SOURCE_ES = """\
Verá la pregunta de un cuidador y dos respuestas (Respuesta A y B, en orden aleatorio).
1. Elija la respuesta más adecuada para un cuidador: cálida, respetuosa, en lenguaje sencillo y con el mismo contenido
   médico que la otra. Elija "ninguna es aceptable" si ninguna podría enviarse a un cuidador.
2. Indique si ambas respuestas dicen los mismos datos: números, dosis, unidades, frecuencias, nombres de medicamentos y
   enfermedades, sin que la respuesta cálida (la más cercana y sencilla) pierda ni añada ninguno.
3. Si la respuesta cálida está casi bien pero falla en algo, pegue una versión corregida en "respuesta cálida corregida".
4. Añada una nota sobre cualquier cosa que el equipo deba saber.
"""


@dataclass
class ReviewConfig:
    # --- connection
    dataset: str | None = field(None, help="Argilla dataset name; null = `curate run` skips the review stage")
    workspace: str | None = field(None, help="Argilla workspace; null = the API key's first workspace (created if a name is given and missing)")
    api_url: str | None = field(None, help="Argilla URL; null = $ARGILLA_API_URL, else http://localhost:6900. The API key is never read from here: $ARGILLA_API_KEY (or --api-key)")
    # --- push
    min_submitted: int = field(1, help="Task distribution: a record counts as done once this many annotators submitted it")
    seed: int | None = field(None, help="Seed of the per-record order of Response A / B; null = random (a known seed lets anyone with the record ids recompute the order). The order is kept in the key dataset, so a re-push keeps it either way")
    guidelines: str | None = field(None, help="Annotation guidelines shown in the Argilla UI; null = the built-in ones (curate.review.config.DEFAULT_GUIDELINES)")
    suggestions: bool = field(False, help="Non-blind review: pre-fill the answers from the filter scores (this tells the reviewers which response is the chosen one) and show every score column as metadata. false = blind: no suggestions, and only columns that describe neither side (source, cluster_id, the source answer's scores) as metadata")
    metadata_columns: list[str] | None = field(None, help="Columns shown as filterable metadata; null = every numeric score column that names no side (with suggestions: every one), list columns as counts, drop reasons as terms")
    batch_size: int = field(256, help="Records per request when logging to Argilla")
    key_workspace: str = field("curate-keys", help="Workspace of the review key (the hidden A/B order and the pushed rows that `pull` rebuilds from); created by the owner's key on the first push; annotators must never be members")
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

    def __post_init__(self) -> None:
        check(isinstance(self.min_submitted, int) and self.min_submitted >= 1, "min_submitted", f"must be >= 1, got {self.min_submitted}")
        check(isinstance(self.min_votes, int) and self.min_votes >= 1, "min_votes", f"must be >= 1, got {self.min_votes}")
        check(isinstance(self.batch_size, int) and self.batch_size >= 1, "batch_size", f"must be >= 1, got {self.batch_size}")
        check(self.seed is None or (isinstance(self.seed, int) and self.seed >= 0), "seed", f"must be >= 0 or null, got {self.seed}")
        check(isinstance(self.port, int) and 0 <= self.port <= 65535, "port", f"must be in [0, 65535] (0 = any free port), got {self.port}")
        check(isinstance(self.startup_timeout_s, (int, float)) and self.startup_timeout_s > 0 and self.startup_timeout_s < float("inf"),
              "startup_timeout_s", f"must be > 0, got {self.startup_timeout_s}")
        check(isinstance(self.key_workspace, str) and self.key_workspace.strip() != "", "key_workspace", "must be a workspace name")
        check(not self.workspace or self.workspace != self.key_workspace, "workspace",
              f"must not be the review key workspace {self.key_workspace!r} (annotators would see the hidden A/B order)")
