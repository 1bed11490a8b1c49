"""`align dpo` end to end on a tiny random Llama: config reaches TRL, training learns, LoRA/full/resume/merge."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml

from align.config import DPOTrainConfig
from align.metrics import detect_collapse, read_metrics_csv
from align_fixtures import run_align as _run, write_cfg
from align.trainer import (ADAPTER_ARGS, MODEL_ARGS, NOT_TRAINER_ARGS, RUN_ARGS, build_trainer, load_model, load_tokenizer,
                           trainer_args)

# a non-default, valid value for every TRL-facing field
NON_DEFAULTS = {
    "learning_rate": 3e-4, "num_train_epochs": 3.0, "max_steps": 7, "per_device_train_batch_size": 3,
    "per_device_eval_batch_size": 5, "gradient_accumulation_steps": 2, "warmup_steps": 3.0,
    "lr_scheduler_type": "linear", "weight_decay": 0.01, "max_grad_norm": 0.5, "optim": "sgd", "seed": 7,
    "gradient_checkpointing": False, "bf16": False, "beta": 0.25, "loss_type": "ipo", "label_smoothing": 0.05,
    "max_length": 300, "precompute_ref_log_probs": True, "disable_dropout": False, "logging_steps": 2,
    "save_steps": 3, "save_total_limit": 4, "eval_steps": 6, "dataloader_num_workers": 1, "report_to": [],
}


def test_every_config_field_is_accounted_for():
    fields = {f.name for f in dataclasses.fields(DPOTrainConfig)}
    routed = set(trainer_args()) | set(MODEL_ARGS) | set(ADAPTER_ARGS) | set(RUN_ARGS)
    assert fields == routed, f"fields not routed anywhere: {fields - routed}; stale: {routed - fields}"
    assert not set(trainer_args()) & (set(MODEL_ARGS) | set(ADAPTER_ARGS) | set(RUN_ARGS))
    assert set(NOT_TRAINER_ARGS) <= set(MODEL_ARGS) | set(RUN_ARGS)
    assert set(NON_DEFAULTS) == set(trainer_args())
    defaults = DPOTrainConfig()
    for k, v in NON_DEFAULTS.items():
        if k not in ("report_to", "bf16"):
            assert getattr(defaults, k) != v, f"{k}: the test value must differ from the default"


def test_every_config_value_reaches_the_trainer(tiny_dir, pref_data, tmp_path):
    from align.data import load_preference_dataset, prepare_tokenizer

    cfg = dataclasses.replace(DPOTrainConfig(), model=str(tiny_dir), attn_implementation="eager", dtype="float32",
                              lora_r=4, lora_alpha=8, lora_dropout=0.0, lora_target_modules=["q_proj", "v_proj"],
                              **NON_DEFAULTS)
    tok = load_tokenizer(str(tiny_dir))
    prepare_tokenizer(tok)
    ds = load_preference_dataset(str(pref_data), "train")
    trainer = build_trainer(cfg, load_model(cfg), tok, ds, load_preference_dataset(str(pref_data), "test"),
                            output_dir=tmp_path)
    for ours in trainer_args():
        theirs = ours  # passed through by name
        got = getattr(trainer.args, theirs)
        want = getattr(cfg, ours)
        if ours == "loss_type":
            want = [want]
        if ours == "report_to":
            want = []
        if ours == "lr_scheduler_type":
            got = getattr(got, "value", got)
        if ours == "optim":
            got = getattr(got, "value", got)
        assert got == want, f"{ours} -> DPOConfig.{theirs}: {got!r} != {want!r}"
    # the trainer itself uses them (not only the args object)
    assert trainer.beta == 0.25 and trainer.loss_types == ["ipo"] and trainer.precompute_ref_logps
    assert "ref_chosen_logps" in trainer.train_dataset.column_names
    peft_cfg = trainer.model.peft_config["default"]
    assert (peft_cfg.r, peft_cfg.lora_alpha, peft_cfg.lora_dropout) == (4, 8, 0.0)
    assert set(peft_cfg.target_modules) == {"q_proj", "v_proj"}
    assert trainer.model.config._attn_implementation == "eager"
    assert trainer.eval_dataset is not None and trainer.args.eval_strategy.value == "steps"


def test_ten_lora_steps_lower_the_loss_and_raise_reward_accuracy(lora_run):
    out, _ = lora_run
    rows = [r for r in read_metrics_csv(out / "metrics.csv") if r["loss"] is not None]
    assert [int(r["step"]) for r in rows] == list(range(1, 11))
    first, last = rows[:3], rows[-3:]
    mean = lambda rs, k: sum(r[k] for r in rs) / len(rs)  # noqa: E731
    assert mean(last, "loss") < mean(first, "loss") - 0.05
    assert mean(last, "rewards/accuracies") > mean(first, "rewards/accuracies")
    assert mean(last, "rewards/margins") > mean(first, "rewards/margins")
    assert (out / "metrics.png").stat().st_size > 10_000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["steps"] == 10 and manifest["config"]["learning_rate"] == 2e-3
    assert manifest["system_prompt"].startswith("You are a caring assistant")
    assert (out / "final" / "adapter_config.json").is_file() and (out / "final" / "tokenizer.json").is_file()
    assert sorted(p.name for p in (out / "checkpoints").glob("checkpoint-*")) == ["checkpoint-10", "checkpoint-5"]


def test_merged_model_equals_base_plus_adapter(lora_run, tiny_dir):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    out, _ = lora_run
    merged = AutoModelForCausalLM.from_pretrained(str(out / "merged"))
    with_adapter = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(str(tiny_dir)), str(out / "final"))
    base = AutoModelForCausalLM.from_pretrained(str(tiny_dir))
    ids = torch.tensor([[5, 17, 42, 99, 7]])
    with torch.no_grad():
        lm, la, lb = (m.eval()(ids).logits for m in (merged, with_adapter, base))
    assert torch.allclose(lm, la, atol=1e-4)
    assert not torch.allclose(lm, lb, atol=1e-3)  # training changed the model


def test_resume_continues_from_the_checkpoint(lora_run, tiny_dir, pref_data):
    out, cfg = lora_run
    # a non-empty output dir is never overwritten silently
    assert _run(["dpo", "--data", pref_data, "--model", tiny_dir, "-o", out, "--config", cfg, "--max-steps", 12]) == 2
    assert _run(["dpo", "--data", pref_data, "--model", tiny_dir, "-o", out, "--config", cfg, "--max-steps", 12,
                 "--resume"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["steps"] == 12
    rows = read_metrics_csv(out / "metrics.csv")
    assert [int(r["step"]) for r in rows if r["loss"] is not None] == list(range(1, 13))  # history kept, not redone


def test_full_fine_tuning_fast_path(tiny_dir, pref_data, tmp_path):
    from transformers import AutoModelForCausalLM

    out = tmp_path / "full"
    cfg = write_cfg(tmp_path / "cfg.yaml", learning_rate=1e-3)
    assert _run(["dpo", "--data", pref_data, "--model", tiny_dir, "-o", out, "--config", cfg, "--method", "full",
                 "--fast", "--max-steps", 6]) == 0
    rows = [r for r in read_metrics_csv(out / "metrics.csv") if r["loss"] is not None]
    assert len(rows) == 6 and rows[-1]["loss"] < rows[0]["loss"]
    assert (out / "final" / "model.safetensors").is_file()
    AutoModelForCausalLM.from_pretrained(str(out / "final"))
    assert json.loads((out / "manifest.json").read_text())["config"]["fast"] is True


def test_qlora_without_cuda_is_one_line_usage_error(tiny_dir, pref_data, tmp_path, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA present")
    code = _run(["dpo", "--data", pref_data, "--model", tiny_dir, "-o", tmp_path / "q", "--method", "qlora"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "CUDA" in err
    assert not (tmp_path / "q").exists()


def test_bad_inputs_exit_2(tiny_dir, pref_data, tmp_path, capsys):
    assert _run(["dpo", "--data", tmp_path / "nope", "--model", tiny_dir, "-o", tmp_path / "o"]) == 2
    assert _run(["dpo", "--data", pref_data, "--model", tiny_dir, "-o", tmp_path / "o", "--method", "bogus"]) == 2
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"align": {"dpo": {"lerning_rate": 1}}}))
    assert _run(["dpo", "--data", pref_data, "--model", tiny_dir, "-o", tmp_path / "o", "--config", cfg]) == 2
    assert "unknown key 'lerning_rate'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_collapse_warning():
    def rows(chosen_rewards, margins, logps=None):
        logps = logps or [-400.0] * len(margins)
        return [{"step": i + 1, "rewards/chosen": c, "rewards/margins": m, "logps/chosen": lp}
                for i, (c, m, lp) in enumerate(zip(chosen_rewards, margins, logps))]

    # chosen answers lose likelihood vs the reference while the margin grows: warn
    collapsing = rows([0.05, 0.0, -0.1, -0.2, -0.3], [0.0, 0.2, 0.5, 0.9, 1.4])
    assert "collapse" in detect_collapse(collapsing, window=5, min_drop=1.0, beta=0.1)
    # healthy: chosen rewards rise, even though raw chosen log-probs jump with batch composition (longer pairs)
    healthy = rows([0.0, 0.2, 0.5, 0.8, 1.0], [0.0, 0.4, 1.0, 1.6, 2.0], logps=[-380, -500, -420, -470, -410])
    assert detect_collapse(healthy, window=5, beta=0.1) is None
    assert detect_collapse(collapsing[:3], window=5) is None  # not enough history


def test_first_step_learning_rate_is_not_zero_with_warmup(tiny_dir, pref_data, tmp_path):
    """transformers' warm-up gives step 1 a learning rate of 0 (a wasted step); the warm-up is
    shifted so step 1 already learns, the peak is reached at the end of the warm-up, the decay is unchanged."""
    out = tmp_path / "warm"
    cfg = write_cfg(tmp_path / "cfg.yaml", learning_rate=1e-3, warmup_steps=0.3, lr_scheduler_type="cosine")
    assert _run(["dpo", "--data", pref_data, "--model", tiny_dir, "-o", out, "--config", cfg, "--max-steps", 6]) == 0
    lrs = [r["learning_rate"] for r in read_metrics_csv(out / "metrics.csv") if r["loss"] is not None]
    assert len(lrs) == 6
    # warm-up: ceil(0.3 * 6) = 2 steps -> 1/3 and 2/3 of the peak, then cosine from the peak down
    assert lrs[0] == pytest.approx(1e-3 / 3) and lrs[1] == pytest.approx(2e-3 / 3)
    assert lrs[2] == pytest.approx(1e-3) and lrs[2] > lrs[3] > lrs[4] > lrs[5] > 0


def test_constant_schedule_is_left_alone(tiny_dir, pref_data, tmp_path):
    from align.trainer import start_warmup_above_zero
    import torch
    from transformers import get_scheduler

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = get_scheduler("constant", opt, num_warmup_steps=3, num_training_steps=10)
    start_warmup_above_zero(sched, 3)
    assert opt.param_groups[0]["lr"] == 0.1
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = get_scheduler("linear", opt, num_warmup_steps=3, num_training_steps=10)
    assert opt.param_groups[0]["lr"] == 0.0  # what transformers does
    start_warmup_above_zero(sched, 3)
    seen = []
    for _ in range(10):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert seen[:4] == pytest.approx([0.025, 0.05, 0.075, 0.1]) and seen[-1] == pytest.approx(0.1 / 7)


@pytest.mark.slow
def test_cpu_run_peak_memory_is_cut_by_the_lm_head_tile(tmp_path):
    """(a 135M LoRA run peaked at 6.3 GB): on CPU TRL's chunked log-prob head folds each
    32768-column tile with plain torch ops, several tile-sized temporaries at once. With a 49k vocabulary (SmolLM2's)
    that dominates the peak; `align dpo` uses 4096-column tiles on CPU. Two real CLI runs, peak RSS of each process."""
    import subprocess
    import sys

    from align_fixtures import train_tokenizer, write_dataset
    from transformers import LlamaConfig, LlamaForCausalLM

    model_dir = tmp_path / "wide-vocab"
    tok = train_tokenizer(model_dir)
    LlamaForCausalLM(LlamaConfig(vocab_size=49152, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                 num_attention_heads=4, num_key_value_heads=2, bos_token_id=tok.bos_token_id,
                                 eos_token_id=tok.eos_token_id)).save_pretrained(str(model_dir))
    data = write_dataset(tmp_path / "data", n_train=16, n_test=2)
    peaks = {}
    for name, chunk in (("trl-default", 32768), ("auto", None)):
        cfg = write_cfg(tmp_path / f"{name}.yaml", per_device_train_batch_size=16,
                        **({"logprob_chunk_size": chunk} if chunk else {}))
        out = tmp_path / name
        proc = subprocess.run([sys.executable, "-m", "curate.app.align_cli", "dpo", "--data", str(data), "--model", str(model_dir),
                               "-o", str(out), "--config", str(cfg), "--max-steps", "1"],
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        manifest = json.loads((out / "manifest.json").read_text())
        peaks[name] = manifest["peak_rss_mb"]
        assert manifest["logprob_chunk_size"] == (chunk or 4096)
    print("peak RSS MB", peaks)
    assert peaks["auto"] < 0.6 * peaks["trl-default"], peaks
