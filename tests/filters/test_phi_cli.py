"""PHI through the CLI: `curate filter` (phi_action, phi_allow) -> `curate publish`, and `curate rewrite --phi`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app
from tests.filters.helpers import pair

DEV = Path(__file__).resolve().parents[2] / "filters" / "data" / "labeled" / "phi_dev.jsonl"
HELPLINE = " The Alzheimer's Association 24/7 Helpline is 1-800-272-3900."
RELATIVE = "My father, Luis Ortega (DOB 04/12/1941), keeps forgetting his pills. What can I do?"


@pytest.fixture
def curate(capsys):
    def run(*args) -> tuple[int, str, str]:
        code = run_app(app, "curate", [str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err
    return run


def _pairs(tmp_path: Path, first: dict) -> Path:
    rows = [first, pair(id="p2", question="What time of day should donepezil be given?"),
            pair(id="p3", question="Can donepezil upset her stomach?")]
    path = tmp_path / "pairs.parquet"
    pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]}).write_parquet(path)
    return path


def _filter(curate, tmp_path: Path, src: Path, name: str, **filter_cfg) -> tuple[int, Path, str]:
    cfg = tmp_path / f"{name}.yaml"
    cfg.write_text("filter:\n  meaning_check: false\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in filter_cfg.items()))
    out = tmp_path / name
    code, _, err = curate("filter", src, "-o", out, "--config", cfg)
    return code, out, err


def test_a_pair_citing_a_toll_free_helpline_publishes(curate, tmp_path):
    p = pair(id="help", question="Who can I call at night when I feel overwhelmed?")
    p = {**p, **{k: p[k] + HELPLINE for k in ("source_answer", "chosen", "rejected")}}
    code, out, err = _filter(curate, tmp_path, _pairs(tmp_path, p), "f")
    assert code == 0, err
    kept = pl.read_parquet(out / "kept.parquet")
    assert "help" in kept["id"].to_list() and kept["phi"].list.len().sum() == 0
    code, _, err = curate("publish", out, "--to-dir", tmp_path / "pub")
    assert code == 0, err
    published = pl.concat([pl.read_parquet(f) for f in (tmp_path / "pub" / "data").glob("*.parquet")])
    assert "1-800-272-3900" in json.dumps(published.to_dicts())


def test_relative_with_date_of_birth_refused_dropped_or_redacted(curate, tmp_path):
    src = _pairs(tmp_path, pair(id="rel", question=RELATIVE))
    # flag (default): kept and listed, publish refuses it
    code, out, err = _filter(curate, tmp_path, src, "flag")
    assert code == 0 and "1 kept row flagged for PHI (ids: rel; kinds: DATE_OF_BIRTH, NAME)" in err
    code, _, err = curate("publish", out, "--to-dir", tmp_path / "pub_flag")
    assert code == 2 and "refusing to publish: 1 row(s) flagged for PHI (ids rel)" in err
    assert not (tmp_path / "pub_flag").exists()
    # drop
    code, out, err = _filter(curate, tmp_path, src, "drop", phi_action="drop")
    assert code == 0, err
    dropped = pl.read_parquet(out / "dropped.parquet")
    assert dropped["id"].to_list() == ["rel"] and dropped["drop_reasons"].to_list() == [["phi"]]
    assert json.loads((out / "manifest.json").read_text())["counts"]["drops_by_reason"] == {"phi": 1}
    # redact: kept with typed placeholders, counted, published
    code, out, err = _filter(curate, tmp_path, src, "redact", phi_action="redact")
    assert code == 0 and "PHI" not in err, err
    kept = pl.read_parquet(out / "kept.parquet")
    row = kept.filter(pl.col("id") == "rel").row(0, named=True)
    assert row["question"] == "My father, [NAME] (DOB [DATE_OF_BIRTH]), keeps forgetting his pills. What can I do?"
    assert row["phi"] == [] and row["phi_redacted"] == ["NAME", "DATE_OF_BIRTH"]
    counts = json.loads((out / "manifest.json").read_text())["counts"]
    assert counts["phi_redactions"] == {"NAME": 1, "DATE_OF_BIRTH": 1} and counts["rows_redacted"] == 1
    assert "PHI redacted in 1 rows, spans per kind: NAME 1, DATE_OF_BIRTH 1" in (out / "report.md").read_text()
    code, _, err = curate("publish", out, "--to-dir", tmp_path / "pub")
    assert code == 0, err
    card = (tmp_path / "pub" / "README.md").read_text()
    assert "redacted PHI (`phi_action: redact`) in 1 published rows" in card and "`[NAME]` 1, `[DATE_OF_BIRTH]` 1" in card
    for f in (tmp_path / "pub").rglob("*"):
        if f.is_file():
            assert b"Luis" not in f.read_bytes() and b"04/12/1941" not in f.read_bytes(), f


def test_phi_allow_reaches_the_publish_gate(curate, tmp_path):
    p = pair(id="clin", question="Our nurse said to call 503-555-0100 with questions. Is that normal?")
    src = _pairs(tmp_path, p)
    code, out, _ = _filter(curate, tmp_path, src, "plain")
    assert code == 0
    assert curate("publish", out, "--to-dir", tmp_path / "pub0")[0] == 2
    code, out, err = _filter(curate, tmp_path, src, "allowed", phi_allow=[r"503-555-0100"])
    assert code == 0 and "PHI" not in err
    code, _, err = curate("publish", out, "--to-dir", tmp_path / "pub")
    assert code == 0, err
    code, _, err = _filter(curate, tmp_path, src, "bad", phi_allow=["(unclosed"])
    assert code == 2 and "phi_allow: '(unclosed' is not a valid regular expression" in err
    code, _, err = _filter(curate, tmp_path, src, "both", phi_action="redact", drop_phi=True)
    assert code == 2 and "drop_phi: true conflicts with phi_action: redact" in err


def test_rewrite_guard_redacts_what_leaves_the_machine(curate, tmp_path, monkeypatch):
    from tests.rewrite.conftest import write_qa
    from tests.rewrite.llm_server import LLMServer

    src = write_qa(tmp_path / "qa.csv", [
        (RELATIVE, "Mr. Ortega's MRN is 00482913; donepezil 5 mg once daily at bedtime can help with memory."),
        ("Who can I call for help?", "Call the Eldercare Locator at 1-800-677-1116 to find local services near you.")])
    seen: list[str] = []

    def respond(style, answer):
        seen.append(answer)
        return ("It can help to know that " if style == "supportive" else "Note: ") + answer

    with LLMServer(respond=respond) as server:
        # a non-loopback host, routed to the loopback server through an HTTP proxy: no traffic leaves the machine
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        remote = ["--base-url", "http://clinic-llm.example.com/v1", "--model", "m"]
        code, _, err = curate("rewrite", src, "-o", tmp_path / "refused", *remote)
        assert code == 2 and "1 row(s) contain PHI" in err and "--phi redact" in err and seen == []
        code, _, err = curate("rewrite", src, "-o", tmp_path / "out", *remote, "--phi", "redact")
        assert code == 0, err
    assert len(seen) == 4 and not [a for a in seen if re.search(r"Ortega|00482913|04/12/1941", a)]
    assert any("[NAME]'s MRN is [RECORD_NUMBER]" in a for a in seen)
    assert any("1-800-677-1116" in a for a in seen)  # a helpline is not redacted
    pairs = pl.read_parquet(tmp_path / "out" / "pairs.parquet")
    assert "Luis" not in json.dumps(pairs.to_dicts())
    m = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert m["counts"]["phi_redactions"] == {"NAME": 2, "DATE_OF_BIRTH": 1, "RECORD_NUMBER": 1}
    assert m["counts"]["phi_rows"] == 0


def test_rewrite_guard_and_publish_gate_refuse_the_same_labeled_snippets(curate, tmp_path):
    from tests.rewrite.conftest import write_qa

    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    answer = "Keep a simple daily routine, and ask the care team about memory changes."
    src = write_qa(tmp_path / "qa.csv", [(r["text"], answer) for r in rows])
    code, _, err = curate("rewrite", src, "-o", tmp_path / "rw", "--base-url", "http://192.0.2.1/v1", "--model", "m")
    guard = int(re.search(r"(\d+) row\(s\) contain PHI", err).group(1))
    table = tmp_path / "t.parquet"
    pl.DataFrame({"question": [r["text"] for r in rows], "chosen": ["A routine can help."] * len(rows),
                  "rejected": ["Keep a routine."] * len(rows)}).write_parquet(table)
    code, _, err = curate("publish", table, "--to-dir", tmp_path / "pub", "--allow-unfiltered")
    gate = int(re.search(r"refusing to publish: (\d+) row\(s\) flagged for PHI", err).group(1))
    assert code == 2 and guard == gate and abs(gate - sum(1 for r in rows if r["spans"])) <= 2
