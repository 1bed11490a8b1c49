"""One rule for every stage's output path, checked before any work: a file, an unwritable place,
a folder of the user's own files or an earlier output without --overwrite -> one line, exit 2, nothing written;
--overwrite replaces only an earlier output of this tool, and a failed replace leaves the earlier output as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app
from curate.core.outputs import check_output_dir, earlier_output
from tests.curate.pipeline_data import ROWS
from tests.rewrite.conftest import example_rows, write_qa
from tests.rewrite.llm_server import LLMServer

DEAD = "http://127.0.0.1:9/v1"  # nothing listens: a stage that got as far as sending would fail


def curate(capsys, *args) -> tuple[int, str, str]:
    code = run_app(app, "curate", [str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err.strip()


def snapshot(path: Path) -> dict[str, bytes | None]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {str(p.relative_to(path)): (p.read_bytes() if p.is_file() else None) for p in sorted(path.rglob("*"))}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A pairs file, a real `curate filter` output (publish's input) and a real earlier output to be replaced."""
    d = tmp_path_factory.mktemp("outputs")
    pairs = d / "pairs.parquet"
    pl.DataFrame([{"id": f"p{i}", "question": q, "source_answer": a, "chosen": c, "rejected": r}
                  for i, (q, a, c, r) in enumerate(ROWS)]).write_parquet(pairs)
    assert run_app(app, "curate", ["filter", str(pairs), "-o", str(d / "filtered"), "--no-meaning-check"]) == 0
    assert earlier_output(d / "filtered") == "filter"
    qa = write_qa(d / "qa.csv", example_rows(2))
    config = d / "pipeline.yaml"
    config.write_text(f"input: {qa}\noutput_dir: {d / 'unused'}\nrewrite:\n  base_url: {DEAD}\n  model: m\n"
                      "  max_retries: 0\n", "utf-8")
    return {"pairs": pairs, "filtered": d / "filtered", "qa": qa, "config": config}


def command(stage: str, made: dict, target: Path, url: str = DEAD) -> list:
    if stage == "rewrite":
        return ["rewrite", made["qa"], "-o", target, "--base-url", url, "--model", "m", "--max-retries", "0"]
    if stage == "filter":
        return ["filter", made["pairs"], "-o", target, "--no-meaning-check"]
    if stage == "review":
        return ["review", "pull", "-o", target, "--dataset", "d", "--api-url", url.removesuffix("/v1"), "--api-key", "k"]
    if stage == "run":
        return ["run", made["config"], "--output-dir", target]
    return ["publish", made["filtered"], "--to-dir", target, "--test-size", "0"]


FLAG = {"rewrite": "-o", "filter": "-o", "publish": "--to-dir", "review": "-o", "run": "--output-dir"}
STAGES = ["rewrite", "filter", "publish", "review", "run"]


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("case", ["file", "unwritable", "below_a_file", "user_folder", "user_folder_overwrite",
                                  "earlier_output"])
def test_a_bad_output_path_is_one_line_exit_2_nothing_written(tmp_path, capsys, made, stage, case):
    extra: list[str] = []
    if case == "file":
        target = tmp_path / "results.parquet"
        target.write_bytes(b"the user's own file")
        want = "exists and is a file"
    elif case == "unwritable":
        target = Path("/proc/nope")
        want = "cannot create it"
    elif case == "below_a_file":
        (tmp_path / "f").write_text("x")
        target = tmp_path / "f" / "out"
        want = "is a file, not a directory"
    elif case.startswith("user_folder"):
        target = tmp_path / "mine"
        target.mkdir()
        (target / "notes.txt").write_text("keep me")
        want = "not an output of this tool (it holds notes.txt); refusing to overwrite it"
        extra = ["--overwrite"] if case.endswith("overwrite") else []
    else:
        target = tmp_path / "earlier"
        shutil.copytree(made["filtered"], target)
        want = "holds an earlier `curate filter` output; pass --overwrite to replace it"
    before = snapshot(target) if target.exists() else None
    code, out, err = curate(capsys, *command(stage, made, target), *extra)
    assert code == 2, (out, err)
    assert len(err.splitlines()) == 1 and err.startswith(f"error: {FLAG[stage]} {target}: ") and want in err, err
    assert (snapshot(target) if target.exists() else None) == before  # nothing written, nothing removed
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left next to it


@pytest.mark.parametrize("stage", ["filter", "publish"])
def test_overwrite_replaces_an_earlier_output_completely(tmp_path, capsys, made, stage):
    target = tmp_path / "earlier"
    shutil.copytree(made["filtered"], target)
    (target / "stale_plot.png").write_bytes(b"from an earlier run")
    code, _, err = curate(capsys, *command(stage, made, target), "--overwrite")
    assert code == 0, err
    names = {p.name for p in target.iterdir()}
    assert "stale_plot.png" not in names and not [n for n in names if n.startswith(".")]
    assert json.loads((target / "manifest.json").read_text())["stage"] == stage
    if stage == "publish":
        assert "kept.parquet" not in names and (target / "README.md").exists()


def test_rewrite_overwrite_keeps_the_cache_and_a_failed_replace_keeps_the_earlier_output(tmp_path, capsys, made):
    out = tmp_path / "rw"
    with LLMServer() as server:
        code, stdout, err = curate(capsys, *command("rewrite", made, out, server.url))
        assert code == 0, err
        code, _, err = curate(capsys, *command("rewrite", made, out, server.url))
        assert code == 2 and "holds an earlier `curate rewrite` output; pass --overwrite to replace it (its .cache is kept)" in err
        sent = server.requests
        code, stdout, err = curate(capsys, *command("rewrite", made, out, server.url), "--overwrite")
        assert code == 0, err
        assert server.requests == sent and "0 generated, 4 from cache" in stdout  # the cache survived the replace
    first = snapshot(out)
    # a replace that fails (no server, nothing cached for the new rows) leaves the earlier output exactly as it was
    other = write_qa(tmp_path / "other.csv", example_rows(4)[2:])
    code, _, err = curate(capsys, "rewrite", other, "-o", out, "--base-url", DEAD, "--model", "m", "--max-retries", "0",
                          "--overwrite")
    assert code == 1 and "every request to the model failed" in err, err
    now = snapshot(out)
    assert {k: v for k, v in now.items() if not k.startswith(".cache")} == \
           {k: v for k, v in first.items() if not k.startswith(".cache")}
    assert not [k for k in now if k.startswith(".replaced-")]


def test_a_crashed_rewrite_resumes_without_overwrite(tmp_path):
    """A folder that holds only the resume cache is not "non-empty": rerunning the same command resumes (test_resume)."""
    out = tmp_path / "rw"
    (out / ".cache").mkdir(parents=True)
    (out / ".cache" / "rewrite.sqlite").write_bytes(b"")
    assert check_output_dir(out).state == "empty"


@pytest.mark.parametrize("stage", ["filter", "publish"])
def test_the_output_cannot_be_the_input(tmp_path, capsys, made, stage):
    if stage == "filter":
        rw = tmp_path / "rw"
        rw.mkdir()
        shutil.copy(made["pairs"], rw / "pairs.parquet")
        (rw / "manifest.json").write_text(json.dumps({"stage": "rewrite", "config": {}}))
        args = ["filter", rw, "-o", rw, "--overwrite", "--no-meaning-check"]
        target = rw
    else:
        target = tmp_path / "filtered"
        shutil.copytree(made["filtered"], target)
        args = ["publish", target, "--to-dir", target, "--overwrite"]
    before = snapshot(target)
    code, _, err = curate(capsys, *args)
    assert code == 2 and "holds this command's input" in err, err
    assert snapshot(target) == before


def test_a_run_that_stopped_in_its_first_stage_is_resumed_not_refused(tmp_path, capsys, made):
    """`curate run` marks its output_dir first, so a rerun after a failed first stage is a resume (and another
    command's earlier output there still needs --overwrite)."""
    out = tmp_path / "run"
    code, _, err = curate(capsys, *command("run", made, out))
    assert code == 1 and "every request to the model failed" in err, err
    assert earlier_output(out) == "run"
    code, _, err = curate(capsys, *command("run", made, out))
    assert code == 1 and "every request to the model failed" in err, err


def test_config_init_output_file_rules(tmp_path, capsys):
    code, _, err = curate(capsys, "config", "init", "-o", "/proc/nope.yaml")
    assert code == 2 and err.startswith("error: -o /proc/nope.yaml: cannot create it")
    (tmp_path / "d").mkdir()
    code, _, err = curate(capsys, "config", "init", "-o", tmp_path / "d")
    assert code == 2 and "is a directory" in err
