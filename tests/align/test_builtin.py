"""The built-in SmolLM2-135M-Instruct by one name: `--model builtin`, the default of `align dpo`,
recorded as `builtin` so `align eval` finds it, loaded from a dequantized HF directory (no GGUF re-conversion, no
"Could not find a config file" warning), with the smoke-only warning."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from align_fixtures import run_align, write_cfg

pytestmark = pytest.mark.slow

SMOKE = "for offline smoke runs only"


def _cfg(tmp_path: Path) -> Path:
    # one short step: batch 1, answers cut at 96 tokens (CPU, a 135M model)
    return write_cfg(tmp_path / "cfg.yaml", learning_rate=1e-4, per_device_train_batch_size=1, max_length=96,
                     lora_r=4, lora_alpha=8)


def test_builtin_is_converted_once_into_a_plain_hf_dir(builtin_cache):
    from align.builtin import builtin_dir, resolve_model

    d = builtin_dir()
    assert d.parent == builtin_cache and (d / ".complete").is_file()
    config = json.loads((d / "config.json").read_text())
    assert config["architectures"] == ["LlamaForCausalLM"] and "quantization_config" not in config
    assert config["vocab_size"] == 49152 and (d / "model.safetensors").stat().st_size > 400e6  # float32 weights
    assert "<|im_start|>" in (d / "chat_template.jinja").read_text()
    stamp = (d / "model.safetensors").stat().st_mtime_ns
    assert resolve_model("builtin") == resolve_model("BUILTIN") == str(d)
    assert (d / "model.safetensors").stat().st_mtime_ns == stamp  # cached: not converted again
    assert resolve_model("HuggingFaceTB/SmolLM2-135M-Instruct") == "HuggingFaceTB/SmolLM2-135M-Instruct"


@pytest.fixture(scope="module")
def builtin_run(builtin_cache, pref_data, tmp_path_factory):
    """`align dpo` with no --model at all: the built-in model is the default."""
    import io
    from contextlib import redirect_stderr

    root = tmp_path_factory.mktemp("builtin-run")
    out = root / "out"
    buf = io.StringIO()  # the rich error console writes to whatever sys.stderr is at print time
    with warnings.catch_warnings(record=True) as caught, redirect_stderr(buf):
        warnings.simplefilter("always")
        code = run_align(["dpo", "--data", pref_data, "-o", out, "--config", _cfg(root), "--max-steps", 1])
    return code, out, buf.getvalue(), [str(w.message) for w in caught]


def test_align_dpo_without_model_trains_the_builtin(builtin_run):
    code, out, err, caught = builtin_run
    assert code == 0, err[-2000:]
    assert "no model given (--model / align.dpo.model)" in err and SMOKE in err
    assert not any("Could not find a config file" in m for m in caught + [err])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["config"]["model"] == "builtin" and manifest["counts"]["steps"] == 1
    adapter = json.loads((out / "final" / "adapter_config.json").read_text())
    assert (Path(adapter["base_model_name_or_path"]) / "config.json").is_file()  # a real base dir, not a GGUF
    assert (out / "final" / "tokenizer.json").is_file()


def test_align_eval_finds_the_builtin_base_and_accepts_base_builtin(builtin_run, questions_file, tmp_path, capsys):
    code, out, _, _ = builtin_run
    assert code == 0
    ev = tmp_path / "eval"
    assert run_align(["eval", "--model", out, "--questions", questions_file, "-o", ev, "--limit", 2,
                      "--max-new-tokens", 6, "--base", "builtin"]) == 0
    assert SMOKE in capsys.readouterr().err
    md = (ev / "eval.md").read_text()
    assert "Base: `builtin`" in md
    data = json.loads((ev / "eval.json").read_text())
    assert data["inputs"]["base"] == "builtin" and len(data["rows"]) == 2
    assert all(isinstance(r["base_answer"], str) for r in data["rows"])
    # without --base: the base recorded by `align dpo` (`builtin`) is used
    ev2 = tmp_path / "eval2"
    assert run_align(["eval", "--model", out, "--questions", questions_file, "-o", ev2, "--limit", 1,
                      "--max-new-tokens", 4]) == 0
    assert json.loads((ev2 / "eval.json").read_text())["inputs"]["base"] == "builtin"


def test_align_dpo_model_builtin_by_name(builtin_cache, pref_data, tmp_path, capsys):
    out = tmp_path / "named"
    assert run_align(["dpo", "--data", pref_data, "--model", "builtin", "-o", out, "--config", _cfg(tmp_path),
                      "--max-steps", 1]) == 0
    err = capsys.readouterr().err
    assert "--model builtin" in err and SMOKE in err
    assert json.loads((out / "manifest.json").read_text())["config"]["model"] == "builtin"
