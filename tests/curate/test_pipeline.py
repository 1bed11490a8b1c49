"""`curate run CONFIG`: every stage for real (rewrite against a loopback model server, the real filters, publish),
resumable stage by stage."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import polars as pl
import pytest
import yaml

from curate.app.cli import app
from curate.core.clikit import run_app
from tests.curate.pipeline_data import ROWS, RewriteServer, write_source


@pytest.fixture
def server():
    with RewriteServer() as s:
        yield s


def write_config(path: Path, source: Path, out: Path, url: str, **sections) -> Path:
    cfg = {
        "input": str(source), "output_dir": str(out),
        "rewrite": {"base_url": url, "model": "loopback-rewriter", "concurrency": 4},
        "filter": {"meaning_check": False},
        "publish": {"test_size": 0.2, "license": "cc-by-4.0"},
    }
    for k, v in sections.items():
        cfg.setdefault(k, {}).update(v)
    path.write_text(yaml.safe_dump(cfg))
    return path


def run(capsys, *args) -> tuple[int, str, str]:
    code = run_app(app, "curate", [str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def mtimes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in sorted(root.rglob("*")) if p.is_file()}


def test_run_all_stages_then_resume_stage_by_stage(tmp_path, server, capsys):
    out = tmp_path / "run"
    cfg = write_config(tmp_path / "pipeline.yaml", write_source(tmp_path / "qa.csv"), out, server.url)
    code, stdout, err = run(capsys, "run", cfg)
    assert code == 0, err
    assert "pipeline: rewrite ran, filter ran, publish ran" in stdout
    assert server.requests == 2 * (len(ROWS) + 1)
    # the filters really decided: the planted near-duplicate and the drifting pair are dropped, with reasons
    fm = json.loads((out / "filter/manifest.json").read_text())
    assert fm["counts"]["drops_by_reason"] == {"fact_drift": 1, "near_duplicate": 1}
    ds = datasets.load_dataset(str(out / "publish"), cache_dir=str(tmp_path / "hf-cache"))
    assert ds["train"].num_rows + ds["test"].num_rows == len(ROWS) - 1 and ds["test"].num_rows == 1
    assert ds["train"][0]["prompt"][1]["role"] == "user" and ds["train"][0]["rewrite_model"] == "loopback-rewriter"
    card = (out / "publish/README.md").read_text()
    assert "| `fact_drift` | 1 |" in card and "| `near_dup_threshold` | 0.7 |" in card
    # each threshold next to the drop reason it controls and its count, from the real filter config
    assert "| `drop_on_added_facts` | true | `fact_drift` | 1 |" in card
    assert "| `dedup` | true | `duplicate`, `near_duplicate` | 0, 1 |" in card
    assert "| `max_chosen_grade` | 8.0 | `chosen_too_hard` | 0 |" in card
    assert str(out) not in card  # local paths stay out of a card that may be pushed
    state = json.loads((out / "pipeline.json").read_text())
    assert set(state) == {"rewrite", "filter", "publish"}

    # same config again: everything is up to date, nothing is regenerated or rewritten
    before = mtimes(out)
    code, stdout, err = run(capsys, "run", cfg)
    assert code == 0, err
    assert "pipeline: rewrite skipped, filter skipped, publish skipped" in stdout
    assert server.requests == 2 * (len(ROWS) + 1) and mtimes(out) == before

    # a publish-only change re-runs publish only
    write_config(cfg, tmp_path / "qa.csv", out, server.url, publish={"test_size": 0.4})
    code, stdout, _ = run(capsys, "run", cfg)
    assert "pipeline: rewrite skipped, filter skipped, publish ran" in stdout
    assert json.loads((out / "publish/manifest.json").read_text())["counts"]["test"] == 2
    assert mtimes(out / "rewrite") == {k[len("rewrite/"):]: v for k, v in before.items() if k.startswith("rewrite/")}

    # a filter change re-runs filter and publish, not the rewrite
    write_config(cfg, tmp_path / "qa.csv", out, server.url, publish={"test_size": 0.4}, filter={"dedup": False})
    code, stdout, _ = run(capsys, "run", cfg)
    assert "pipeline: rewrite skipped, filter ran, publish ran" in stdout
    assert server.requests == 2 * (len(ROWS) + 1)
    assert json.loads((out / "publish/manifest.json").read_text())["counts"]["rows_in"] == len(ROWS)


PHI_ROW = ("Mrs. Jane Doe cannot sleep. What can help her?",
           "Keep a regular schedule and limit caffeine after noon. Call the clinic at 555-123-4567 with questions.",
           "Sleep troubles are hard on everyone, and you are doing well. You might keep a regular schedule. "
           "Try to skip caffeine after noon. You can call the clinic at 555-123-4567 with questions.",
           "Enforce a regular schedule. Caffeine consumption after noon is prohibited. Direct all inquiries "
           "to the clinic at 555-123-4567.")


def test_a_refusing_stage_stops_the_run_and_the_fix_resumes_there(tmp_path, capsys):
    out = tmp_path / "run"
    rows = [*ROWS, PHI_ROW]
    with RewriteServer(rows) as server:
        _refuse_then_resume(tmp_path, out, rows, server, capsys)


def _refuse_then_resume(tmp_path, out, rows, server, capsys):
    source = write_source(tmp_path / "qa.csv", rows)
    cfg = write_config(tmp_path / "pipeline.yaml", source, out, server.url)
    code, stdout, err = run(capsys, "run", cfg)
    # the filter keeps the PHI row flagged (drop_phi: false); publish refuses it: exit 2, nothing published
    assert code == 2 and "flagged for PHI" in " ".join(err.split())
    assert "rewrite: done" in stdout and "filter: done" in stdout
    assert not (out / "publish").exists()
    assert set(json.loads((out / "pipeline.json").read_text())) == {"rewrite", "filter"}
    requests = server.requests
    # the fix: drop PHI rows in the filter stage; the rerun resumes at the filter
    write_config(cfg, source, out, server.url, filter={"drop_phi": True})
    code, stdout, err = run(capsys, "run", cfg)
    assert code == 0, err
    assert "pipeline: rewrite skipped, filter ran, publish ran" in stdout and server.requests == requests
    dropped = pl.read_parquet(out / "filter/dropped.parquet")
    assert dropped.filter(pl.col("drop_reasons").list.contains("phi")).height == 1


def test_run_usage_errors(tmp_path, capsys):
    code, _, err = run(capsys, "run", tmp_path / "missing.yaml")
    assert code == 2 and "not found" in err
    cfg = tmp_path / "c.yaml"
    cfg.write_text("output_dir: x\n")
    code, _, err = run(capsys, "run", cfg)
    assert code == 2 and "`input`" in err
    cfg.write_text("input: qa.csv\npublish: {nope: 1}\n")
    code, _, err = run(capsys, "run", cfg)
    assert code == 2 and "unknown key 'nope'" in err


# ---------------------------------------------------------------- with human review in a real Argilla server


@pytest.fixture(scope="module")
def argilla_server():
    from curate.review.launcher import ReviewStack

    stack = ReviewStack(port=0, startup_timeout_s=180)
    info = stack.start()
    try:
        yield info
    finally:
        stack.stop()


def _submit_all(url: str, api_key: str, dataset: str, chosen_by_id: dict[str, str]) -> int:
    """Vote "supportive" (whichever of A/B shows the chosen text) and "facts kept" on every record, as the UI does."""
    import httpx

    from curate.review.connection import connect

    client = connect(url, api_key)
    ds = client.datasets(name=dataset)
    n = 0
    for rec in ds.records:
        letter = "A" if rec.fields["response_a"] == chosen_by_id[rec.id] else "B"
        body = {"values": {"preference": {"value": letter}, "facts_kept": {"value": "yes"}}, "status": "submitted"}
        r = httpx.post(f"{url}/api/v1/records/{rec._server_id}/responses", json=body, headers={"X-Argilla-Api-Key": api_key})
        assert r.status_code in (200, 201), r.text
        n += 1
    return n


@pytest.mark.slow
def test_run_with_review_publishes_only_after_people_reviewed(tmp_path, server, capsys, argilla_server, monkeypatch):
    monkeypatch.setenv("ARGILLA_API_URL", argilla_server.url)
    monkeypatch.setenv("ARGILLA_API_KEY", argilla_server.api_key)
    out = tmp_path / "run"
    cfg = write_config(tmp_path / "pipeline.yaml", write_source(tmp_path / "qa.csv"), out, server.url,
                       review={"dataset": "pipeline-run"})
    # first run: pushed and pulled, nobody has reviewed yet -> publish refuses the pending rows (exit 2)
    code, stdout, err = run(capsys, "run", cfg)
    assert code == 2 and "are not reviewed yet" in " ".join(err.split())
    assert "review: done" in stdout and not (out / "publish").exists()
    kept = pl.read_parquet(out / "filter/kept.parquet")
    assert _submit_all(argilla_server.url, argilla_server.api_key, "pipeline-run",
                       dict(zip(kept["id"], kept["chosen"]))) == kept.height
    # second run: rewrite and filter are up to date, review pulls the votes, publish runs
    code, stdout, err = run(capsys, "run", cfg)
    assert code == 0, err
    assert "pipeline: rewrite skipped, filter skipped, review ran, publish ran" in stdout
    ds = datasets.load_dataset(str(out / "publish"), cache_dir=str(tmp_path / "hf-cache"))
    statuses = set(ds["train"]["review_status"]) | set(ds["test"]["review_status"])
    assert statuses == {"accepted"}
    card = (out / "publish/README.md").read_text()
    assert "Published rows by review status: accepted: 5" in card
    assert "submitted_by_annotator" in card and "| `near_duplicate` | 1 |" in card  # review + filter provenance
    assert argilla_server.api_key not in card
    # a third run with nothing new: review pulls again (people may have voted), publish sees the same table
    code, stdout, _ = run(capsys, "run", cfg)
    assert "review ran, publish skipped" in stdout


def test_a_stage_that_sets_every_row_aside_stops_the_run_with_its_reasons(tmp_path, server, capsys):
    # the stand-in model echoes answers it has no rewrite for: the rewrite stage quarantines them all
    rows = [("What helps with hiccups?", "Sip cold water slowly.", "", ""), ("Is tea fine at night?", "Avoid caffeine after noon.", "", "")]
    cfg = write_config(tmp_path / "p.yaml", write_source(tmp_path / "qa.csv", rows), tmp_path / "run", server.url)
    code, stdout, err = run(capsys, "run", cfg)
    err = " ".join(err.split())
    assert code == 2 and "nothing for filter" in err and "unchanged_source" in err
    assert "rewrite: done" in stdout and not (tmp_path / "run/filter").exists()
    assert pl.read_parquet(tmp_path / "run/rewrite/quarantine.parquet").height == 2  # every row accounted for


def test_force_reruns_the_named_stage_and_everything_after_it(tmp_path, server, capsys):
    out = tmp_path / "run"
    cfg = write_config(tmp_path / "pipeline.yaml", write_source(tmp_path / "qa.csv"), out, server.url)
    assert run(capsys, "run", cfg)[0] == 0
    requests = server.requests
    code, stdout, _ = run(capsys, "run", cfg, "--force", "filter")
    assert code == 0 and "pipeline: rewrite skipped, filter ran, publish ran" in stdout
    code, stdout, _ = run(capsys, "run", cfg, "--force", "rewrite")
    assert code == 0 and "pipeline: rewrite ran, filter ran, publish ran" in stdout
    assert server.requests == requests  # a forced rewrite still answers from its cache
    code, _, err = run(capsys, "run", cfg, "--force", "nope")
    assert code == 2 and "unknown stage 'nope'" in err


def test_example_pipeline_config_runs_every_stage(tmp_path, capsys, monkeypatch):
    """examples/pipeline.yaml as shipped (its filter / publish settings and the example data), with only the model
    swapped for the loopback stand-in so the test does not spend minutes generating on a CPU."""
    root = Path(__file__).resolve().parents[2]
    example = yaml.safe_load((root / "examples/pipeline.yaml").read_text())
    with RewriteServer(echo_unknown=False) as server:
        example["input"] = str(root / example["input"])
        example["output_dir"] = str(tmp_path / "run")
        example["rewrite"].update(model="loopback-rewriter", base_url=server.url)
        cfg = tmp_path / "pipeline.yaml"
        cfg.write_text(yaml.safe_dump(example))
        code, stdout, err = run(capsys, "run", cfg)
    assert code == 0, err
    assert "pipeline: rewrite ran, filter ran, publish ran" in stdout
    ds = datasets.load_dataset(str(tmp_path / "run/publish"), cache_dir=str(tmp_path / "hf-cache"))
    assert ds["train"].num_rows == example["rewrite"]["limit"]
    assert ds["train"][0]["question"] == pl.read_csv(root / "examples/caregiver_qa.csv")["question"][0]
