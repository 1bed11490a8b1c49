"""Pair tables built the way the stages write them (schema of DESIGN.md), and the CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app
from curate.core.schema import make_id

TOPICS = ["sleep", "wandering", "bathing", "appetite", "agitation", "medication times", "driving", "hydration",
          "hearing aids", "sundowning", "falls", "constipation"]

FILTER_CONFIG = {
    "max_fkgl_chosen": 8.0,
    "min_fkgl_margin": 1.5,
    "min_tone_margin": 0.2,
    "min_tone_chosen": 0.1,
    "max_facts_lost": 0,
    "max_facts_added": 0,
    "min_similarity": 0.75,
    "minhash": {"threshold": 0.8, "num_perm": 128, "shingle": 3},
}
DROPS = {"fkgl_chosen_too_high": 4, "tone_margin_too_small": 3, "facts_lost": 2, "near_duplicate": 5, "phi": 1}


def make_pairs(n_topics: int = 12, dupes_per_topic: int = 2) -> pl.DataFrame:
    """Rows with planted near-duplicate questions: each topic has ``dupes_per_topic`` rephrasings sharing a cluster."""
    rows = []
    for t, topic in enumerate(TOPICS[:n_topics]):
        for d in range(dupes_per_topic):
            q = f"How can I help my mother with {topic}{'?' if d == 0 else ' at night, please?' if d == 1 else f' (variant {d})?'}"
            src = f"Check {topic} daily. Give 5 mg donepezil at 8 pm. Contact the clinic if it persists for 2 weeks."
            rows.append({
                "id": make_id(q, src), "question": q, "source_answer": src,
                "chosen": f"It can be hard to manage {topic}, and you are doing well. You might check it each day. "
                          "Give 5 mg donepezil at 8 pm. If it goes on for 2 weeks, it may help to call the clinic.",
                "rejected": f"Monitor {topic} daily. Administer donepezil 5 mg at 8 pm. You must contact the clinic if "
                            "symptoms persist for 2 weeks.",
                "source": "caregiver_qa.csv", "rewrite_model": "HuggingFaceTB/SmolLM2-135M-Instruct",
                "prompt_version": "supportive@1.0:abcd1234|prescriptive@1.0:ef567890",
                "generation_params": json.dumps({"temperature": 0.3, "top_p": 0.95, "seed": 0}),
                "chosen_style": "supportive", "rejected_style": "prescriptive",
                "fkgl_chosen": 5.0 + 0.1 * t, "fkgl_rejected": 9.0 + 0.1 * t,
                "tone_chosen": 0.6, "tone_rejected": -0.4,
                "facts_lost_chosen": [], "facts_added_chosen": [], "facts_lost_rejected": [], "facts_added_rejected": [],
                "phi": [], "cluster_id": f"c{t:03d}" if d < 2 else None, "keep": True, "drop_reasons": [],
            })
    return pl.DataFrame(rows, schema_overrides={k: pl.List(pl.Utf8) for k in
                                                ("facts_lost_chosen", "facts_added_chosen", "facts_lost_rejected",
                                                 "facts_added_rejected", "phi", "drop_reasons")})


def filter_manifest(rows_in: int, kept: int) -> dict:
    return {"stage": "filter", "config": FILTER_CONFIG, "inputs": {},
            "counts": {"rows_in": rows_in, "kept": kept, "dropped": rows_in - kept, "drops_by_reason": DROPS}}


def write_stage_dir(path: Path, df: pl.DataFrame, table: str = "kept.parquet", manifest: dict | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    df.write_parquet(path / table)
    (path / "manifest.json").write_text(json.dumps(manifest or filter_manifest(df.height + 15, df.height)))
    return path


def tree(path: Path) -> list[str]:
    """Every file and directory under ``path`` (hidden ones too), relative; [] when it does not exist."""
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


@pytest.fixture
def pairs() -> pl.DataFrame:
    return make_pairs()


@pytest.fixture
def filter_dir(tmp_path, pairs) -> Path:
    return write_stage_dir(tmp_path / "filter", pairs)


@pytest.fixture
def curate_cli(capsys):
    def run(*args: str) -> tuple[int, str, str]:
        code = run_app(app, "curate", [str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run
