"""Every align option is checked before any work: one line, exit 2, naming the flag the user
typed (or the file and key a bad YAML value is in), and nothing is loaded or written."""

from __future__ import annotations

import pytest
import yaml

from align_fixtures import run_align


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("argv, message", [
    (["eval", "--limit", "-1"], "error: --limit must be >= 1, got -1"),
    (["eval", "--limit", "0"], "error: --limit must be >= 1, got 0"),
    (["eval", "--max-new-tokens", "0"], "error: --max-new-tokens must be >= 1, got 0"),
    (["eval", "--batch-size", "-2"], "error: --batch-size must be >= 1, got -2"),
    (["dpo", "--max-steps", "-5"], "error: --max-steps must be >= 1 (or -1 = train for num_train_epochs), got -5"),
    (["dpo", "--max-steps", "0"], "error: --max-steps must be >= 1"),
    (["dpo", "--method", "bogus"], "error: --method must be one of 'lora', 'qlora', 'full'"),
])
def test_bad_flag_fails_first_naming_the_flag(argv, message, lora_run, questions_file, tmp_path, capsys):
    out, _ = lora_run
    target = tmp_path / "out"
    # the model / data are real or missing: either way the bad value must be what is reported, before any loading
    extra = (["--model", out, "--questions", questions_file] if argv[0] == "eval"
             else ["--data", tmp_path / "no-such-data", "--model", tmp_path / "no-such-model"])
    assert run_align([*argv, *extra, "-o", target]) == 2
    err = _one_line_error(capsys)
    assert err.startswith(message), err
    assert "config.align" not in err
    assert not target.exists()


@pytest.mark.parametrize("section, key, value, problem", [
    ("dpo", "learning_rate", -1e-5, "must be a number > 0"),
    ("dpo", "beta", 0, "must be a number > 0"),
    ("dpo", "per_device_train_batch_size", 0, "must be >= 1"),
    ("dpo", "gradient_accumulation_steps", -1, "must be >= 1"),
    ("dpo", "warmup_steps", 1.5, "must be a fraction of the steps in [0, 1) or a whole number of steps"),
    ("dpo", "num_train_epochs", 0, "must be a number > 0"),
    ("dpo", "lora_r", 0, "must be >= 1"),
    ("dpo", "lora_dropout", 1.0, "must be in [0, 1)"),
    ("dpo", "label_smoothing", 0.7, "must be in [0, 0.5)"),
    ("dpo", "max_length", 0, "must be >= 1"),
    ("dpo", "save_steps", 0, "must be >= 1"),
    ("dpo", "collapse_window", 1, "must be >= 2"),
    ("dpo", "max_grad_norm", -1.0, "must be a number >= 0"),
    ("dpo", "loss_type", "sigmoidd", "must be one of sigmoid,"),
    ("dpo", "logprob_chunk_size", 10, "must be >= 256"),
    ("eval", "limit", -1, "must be >= 1"),
    ("eval", "temperature", 0, "must be a number > 0"),
    ("eval", "examples", -1, "must be >= 0"),
])
def test_bad_yaml_value_names_file_and_key(section, key, value, problem, lora_run, questions_file, pref_data,
                                           tmp_path, capsys):
    out, _ = lora_run
    cfg = tmp_path / "my.yaml"
    cfg.write_text(yaml.safe_dump({"align": {section: {key: value}}}))
    target = tmp_path / "out"
    extra = (["--model", out, "--questions", questions_file] if section == "eval" else ["--data", pref_data, "--model", out])
    assert run_align([section, *extra, "-o", target, "--config", cfg]) == 2
    err = _one_line_error(capsys)
    assert err.startswith(f"error: {cfg}: align.{section}.{key}: {problem}"), err
    assert not target.exists()


def test_bad_scheduler_or_optimizer_name_fails_before_loading(pref_data, tmp_path, capsys):
    for key, value in (("lr_scheduler_type", "cosinus"), ("optim", "adamz")):
        cfg = tmp_path / f"{key}.yaml"
        cfg.write_text(yaml.safe_dump({"align": {"dpo": {key: value}}}))
        # the model does not exist: the bad name must be reported first
        assert run_align(["dpo", "--data", pref_data, "--model", tmp_path / "missing", "-o", tmp_path / "o",
                          "--config", cfg]) == 2
        err = _one_line_error(capsys)
        assert err.startswith(f"error: align.dpo.{key}: {value} is not a valid"), err
    assert not (tmp_path / "o").exists()


def test_dpo_output_that_is_a_file_is_refused_up_front(pref_data, tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("mine")
    assert run_align(["dpo", "--data", pref_data, "--model", tmp_path / "missing", "-o", target]) == 2
    assert "exists and is a file" in _one_line_error(capsys)
    assert target.read_text() == "mine"


def test_eval_output_rules(lora_run, questions_file, tmp_path, capsys):
    out, _ = lora_run
    own = tmp_path / "own"
    own.mkdir()
    (own / "notes.txt").write_text("mine")
    assert run_align(["eval", "--model", out, "--questions", questions_file, "-o", own]) == 2
    assert "not an output of this tool" in _one_line_error(capsys)
    assert (own / "notes.txt").read_text() == "mine"


def test_serve_bad_options_exit_2(capsys):
    assert run_align(["serve", "--host", "0.0.0.0"]) == 2
    assert "loopback" in _one_line_error(capsys)
    assert run_align(["serve", "--port", "70000"]) == 2
    assert _one_line_error(capsys) == "error: --port must be in [0, 65535], got 70000"
    assert run_align(["serve", "--device", "gpu0"]) == 2
    assert _one_line_error(capsys) == "error: --device must be auto, cpu, mps, cuda or cuda:N, got 'gpu0'"


def test_dpo_output_rules(lora_run, pref_data, tmp_path, capsys):
    """The rule every stage follows: a folder of the user's files is refused even with --overwrite, an earlier
    `align dpo` output needs --overwrite; either way before anything is loaded (the model here does not exist)."""
    own = tmp_path / "own"
    own.mkdir()
    (own / "notes.txt").write_text("mine")
    assert run_align(["dpo", "--data", pref_data, "--model", tmp_path / "missing", "-o", own, "--overwrite"]) == 2
    assert "not an output of this tool (it holds notes.txt)" in _one_line_error(capsys)
    assert [p.name for p in own.iterdir()] == ["notes.txt"]
    out, _ = lora_run
    assert run_align(["dpo", "--data", pref_data, "--model", tmp_path / "missing", "-o", out]) == 2
    err = _one_line_error(capsys)
    assert f"-o {out}: holds an earlier `align dpo` output; pass --overwrite" in err, err
    # with --overwrite the earlier run is removed only once the new model loaded: a failed load keeps it
    before = sorted(p.name for p in out.iterdir())
    assert run_align(["dpo", "--data", pref_data, "--model", tmp_path / "missing", "-o", out, "--overwrite"]) != 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == before
