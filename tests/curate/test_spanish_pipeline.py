"""The Spanish path through the CLI: `curate run` with `lang: es` on examples/caregiver_qa_es.csv (the rewrite
answered by the loopback model server, the real filters with their Spanish default targets, publish),
`curate score --lang es --json`, per-row languages in the rewrite, and bad language codes refused with one line."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import yaml

from curate.app.cli import app
from curate.core.clikit import run_app
from tests.rewrite.llm_server import LLMServer

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "examples" / "caregiver_qa_es.csv"


def cli(capsys, *args) -> tuple[int, str, str]:
    code = run_app(app, "curate", [str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_example_file_is_spanish_team_data_without_phi():
    from filters import detect_phi_es

    df = pl.read_csv(SOURCE)
    assert df.columns == ["question", "answer", "topic"] and df.height >= 60
    assert df["question"].n_unique() == df.height
    assert all(not detect_phi_es(t) for t in df["question"].to_list() + df["answer"].to_list())


def test_curate_run_in_spanish_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    cfg = {"input": str(SOURCE), "output_dir": str(out), "lang": "es",
           "filter": {"meaning_check": False}, "publish": {"test_size": 0.2, "license": "apache-2.0"}}
    with LLMServer() as server:
        cfg["rewrite"] = {"base_url": server.url, "model": "loopback-llm", "concurrency": 4}
        (tmp_path / "p.yaml").write_text(yaml.safe_dump(cfg), "utf-8")
        code, stdout, err = cli(capsys, "run", tmp_path / "p.yaml")
    assert code == 0, err
    pairs = pl.read_parquet(out / "rewrite" / "pairs.parquet")
    assert pairs.height == 60 and set(pairs["lang"]) == {"es"}
    assert set(pairs["chosen_style"]) == {"supportive_es"} and set(pairs["rejected_style"]) == {"prescriptive_es"}
    kept = pl.read_parquet(out / "filter" / "kept.parquet")
    dropped = pl.read_parquet(out / "filter" / "dropped.parquet")
    assert kept.height + dropped.height == 60 and kept.height > 0
    # Spanish readability equal to textstat's, the English grade left out, Spanish tone and no caricature
    from filters._readability_es import textstat_scores_es

    row = kept.row(0, named=True)
    assert row["fernandez_huerta_chosen"] == pytest.approx(textstat_scores_es(row["chosen"])["fernandez_huerta"])
    assert kept["fkgl_chosen"].null_count() == kept.height
    assert (kept["fernandez_huerta_chosen"] >= 60).all()  # the Spanish health-literacy target, a real gate
    assert (kept["tone_chosen"] > 0.2).all() and (kept["tone_rejected"] < -0.2).all()
    assert (kept["hostility_rejected"] < 0.5).all()
    assert kept["facts_lost_chosen"].list.len().sum() == 0  # the loopback rewrite keeps every fact
    manifest = json.loads((out / "filter" / "manifest.json").read_text())
    assert manifest["config"]["lang"] == "es"
    # the card in the data's language, the Spanish system prompt on every row
    card = (out / "publish" / "README.md").read_text("utf-8")
    meta = yaml.safe_load(card.split("---")[1])
    assert meta["language"] == ["es"] and "## Resumen (español)" in card
    train = pl.read_parquet(next((out / "publish" / "data").glob("train-*.parquet")))
    from curate.core.schema import DEFAULT_SYSTEM_PROMPT_ES

    assert train["prompt"][0][0]["content"] == DEFAULT_SYSTEM_PROMPT_ES


def test_score_lang_es_json(capsys):
    import textstat

    text = "Es normal sentirse cansado. Usted está haciendo mucho."
    code, stdout, err = cli(capsys, "score", "--lang", "es", "--json", text)
    assert code == 0, err
    r = json.loads(stdout)
    textstat.set_lang("es")
    try:
        assert abs(r["fernandez_huerta"] - textstat.fernandez_huerta(text)) <= 0.5
    finally:
        textstat.set_lang("en_US")
    assert r["tone"] > 0.2 and r["cues"] and r["lang"] == "es"
    code, stdout, err = cli(capsys, "score", "--lang", "fr", text)
    assert code == 2 and "unsupported language 'fr'" in err and len(err.strip().splitlines()) == 1


def test_rewrite_rows_in_their_own_language_and_tu_register(tmp_path, capsys):
    src = tmp_path / "qa.csv"
    pl.DataFrame({
        "question": ["How much donepezil?", "¿Cuánto donepezilo?"],
        "answer": ["Donepezil 5 mg is taken once daily at bedtime for 4 weeks.",
                   "El donepezilo 5 mg se toma una vez al día al acostarse durante 4 semanas."],
        "lang": ["en", "es-MX"],
    }).write_csv(src)
    with LLMServer() as server:
        code, _, err = cli(capsys, "rewrite", src, "-o", tmp_path / "rw", "--base-url", server.url, "--model", "m",
                           "--register", "tu")
        assert code == 0, err
        pairs = pl.read_parquet(tmp_path / "rw" / "pairs.parquet").sort("input_row")
        assert pairs["chosen_style"].to_list() == ["supportive", "supportive_es_tu"]
        assert pairs["rejected_style"].to_list() == ["prescriptive", "prescriptive_es_tu"]
        assert pairs["lang"].to_list() == ["en", "es-MX"]
        manifest = json.loads((tmp_path / "rw" / "manifest.json").read_text())
        assert manifest["languages"] == {"en": 1, "es": 1}
        bad = tmp_path / "bad.csv"
        pl.DataFrame({"question": ["q"], "answer": ["a"], "lang": ["xx"]}).write_csv(bad)
        code, _, err = cli(capsys, "rewrite", bad, "-o", tmp_path / "rw_bad", "--base-url", server.url, "--model", "m")
    assert code == 2 and "unsupported language 'xx'" in err and not (tmp_path / "rw_bad").exists()


def test_review_texts_follow_the_rows_language():
    """What `build_settings` shows the reviewers (the settings object itself needs a connected Argilla client; the
    review server tests push real records)."""
    from curate.review.config import DEFAULT_GUIDELINES, DEFAULT_GUIDELINES_ES, ReviewConfig
    from curate.review.push import PREFERENCE_LABELS, TEXTS, guidelines_for, review_lang

    df = pl.DataFrame({"id": ["a", "b"], "question": ["¿Qué hago?", "What now?"], "lang": ["es", "es-ES"]})
    assert review_lang(df) == "es" and review_lang(df.drop("lang")) == "en"
    assert guidelines_for(ReviewConfig(), True, "es") == DEFAULT_GUIDELINES_ES
    assert guidelines_for(ReviewConfig(), True) == DEFAULT_GUIDELINES
    assert guidelines_for(ReviewConfig(guidelines="mine"), True, "es") == "mine"
    assert TEXTS["es"]["preference"].startswith("¿Qué respuesta") and set(TEXTS["es"]["labels"]) == set(PREFERENCE_LABELS)


def test_rewrite_redacts_spanish_phi_on_spanish_rows_only():
    from rewrite.config import RewriteConfig
    from rewrite.runner import redact_spanish_rows

    df = pl.DataFrame({"question": ["Mi madre, Carmen López, ¿qué hago?", "Mi madre, Carmen López?"],
                       "source_answer": ["Llame al 612 345 678.", "x"], "lang": ["es", "en"]})
    out, counts = redact_spanish_rows(df, RewriteConfig(lang="es"), {})
    assert out["question"].to_list() == ["Mi madre, [NAME], ¿qué hago?", "Mi madre, Carmen López?"]
    assert out["source_answer"][0] == "Llame al [PHONE]." and counts == {"NAME": 1, "PHONE": 1}


def test_align_eval_scores_spanish_answers_in_spanish():
    from align.evaluate import score_answers, summarize

    ref = "Administre donepezilo 5 mg al acostarse."
    warm = "Es normal tener dudas. Puede darle donepezilo 5 mg al acostarse; lo está haciendo muy bien."
    curt = "Administre donepezilo 10 mg al acostarse. Vigile la bradicardia."
    model = "sentence-transformers/all-MiniLM-L6-v2"  # the bundled copy, offline
    base = score_answers([curt], [ref], model, ["es"])
    aligned = score_answers([warm], [ref], model, ["es"])
    assert base["fkgl"][0] is None and base["fernandez_huerta"][0] is not None
    assert aligned["tone"][0] > 0.2 > -0.2 > base["tone"][0]
    assert base["facts_lost"][0] == "5 mg" and base["facts_added"][0] == "10 mg" and aligned["facts_changed"][0] == 0
    metrics = {r["metric"] for r in summarize(base, aligned)}
    assert {"tone", "fernandez_huerta", "facts_changed"} <= metrics and "fkgl" not in metrics
    assert "fernandez_huerta" not in score_answers([warm], [None], model).columns  # English: the table as before
