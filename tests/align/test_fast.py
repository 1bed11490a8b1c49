"""The fast path computes the same DPO loss and gradients as plain TRL on the same batch (CPU, fp32)."""

from __future__ import annotations

import copy
import dataclasses

import pytest
import torch

from align.config import DPOTrainConfig
from align.data import load_preference_dataset, prepare_tokenizer
from align.fast import PackedPreferenceCollator, dense_branch_mask
from align.trainer import build_trainer
from align_fixtures import make_model


def _trainers(tiny_dir, pref_data, tmp_path, method, max_length):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_dir))
    prepare_tokenizer(tok)
    ds = load_preference_dataset(str(pref_data), "train").select(range(8))
    cfg = dataclasses.replace(DPOTrainConfig(), method=method, max_steps=1, gradient_checkpointing=False,
                              max_length=max_length, beta=0.5, lora_dropout=0.0)
    policy = make_model(tok, seed=0)
    ref = make_model(tok, seed=1) if method == "full" else None
    plain = build_trainer(cfg, copy.deepcopy(policy), tok, ds, output_dir=tmp_path / "plain",
                          ref_model=copy.deepcopy(ref) if ref is not None else None)
    fast = build_trainer(dataclasses.replace(cfg, fast=True), copy.deepcopy(policy), tok, ds,
                         output_dir=tmp_path / "fast", ref_model=copy.deepcopy(ref) if ref is not None else None)
    if method == "lora":  # fresh adapters are zero (policy == reference); give both the same non-zero adapter
        g = torch.Generator().manual_seed(3)
        named = dict(fast.model.named_parameters())
        for name, p in plain.model.named_parameters():
            if "lora_" in name:
                with torch.no_grad():
                    v = torch.randn(p.shape, generator=g) * 0.2
                    p.copy_(v)
                    named[name].copy_(v)
    return plain, fast


def _loss_and_grads(trainer, rows):
    trainer.model.train()
    trainer.model.zero_grad(set_to_none=True)
    batch = trainer._prepare_inputs(trainer.data_collator(rows))
    loss = trainer.compute_loss(trainer.model, batch)
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in trainer.model.named_parameters() if p.grad is not None}
    return loss.item(), grads, trainer._metrics["train"]


@pytest.mark.parametrize("method,max_length", [("full", 1024), ("lora", 1024), ("full", 120)])
def test_fast_path_loss_and_grads_match_trl(tiny_dir, pref_data, tmp_path, method, max_length):
    plain, fast = _trainers(tiny_dir, pref_data, tmp_path, method, max_length)
    n = 6
    plain_rows = [plain.train_dataset[i] for i in range(n)]
    fast_rows = [fast.train_dataset[i] for i in range(n)]
    assert [r["chosen_ids"] for r in plain_rows] == [r["chosen_ids"] for r in fast_rows]
    if max_length == 120:  # the truncation branch is exercised
        assert any(len(r["prompt_ids"]) + len(r["chosen_ids"]) > 120 for r in plain_rows)

    loss_p, grads_p, metrics_p = _loss_and_grads(plain, plain_rows)
    loss_f, grads_f, metrics_f = _loss_and_grads(fast, fast_rows)
    assert abs(loss_p - 0.6931) > 1e-3  # policy != reference: a non-trivial loss
    assert loss_f == pytest.approx(loss_p, abs=1e-4)
    assert set(grads_p) == set(grads_f) and grads_p
    for name, gp in grads_p.items():
        gf = grads_f[name]
        rel = ((gf - gp).norm() / gp.norm().clamp_min(1e-12)).item()
        assert rel < 1e-4 and (gf - gp).abs().max() < 1e-4, f"{name}: relative diff {rel:.2e}"
    # the logged metrics agree too (reference log-probs precomputed by the packed forward vs TRL's padded forward)
    for key in ("rewards/margins", "rewards/accuracies", "logps/chosen", "logps/rejected"):
        assert metrics_f[key][-1] == pytest.approx(metrics_p[key][-1], abs=1e-3), key


def test_packed_batch_layout_and_mask():
    rows = [{"prompt_ids": [1, 2, 3], "chosen_ids": [4, 5], "rejected_ids": [6]},
            {"prompt_ids": [7, 8], "chosen_ids": [9], "rejected_ids": [10, 11]}]
    b = PackedPreferenceCollator()(rows)
    assert b["input_ids"][0].tolist() == [1, 2, 3, 4, 5, 3, 6, 7, 8, 9, 8, 10, 11]
    assert b["position_ids"][0].tolist() == [0, 1, 2, 3, 4, 2, 3, 0, 1, 2, 1, 2, 3]
    assert b["shift_labels"][0].tolist() == [-100, -100, 4, 5, -100, 6, -100, -100, 9, -100, 10, 11, -100]
    m = dense_branch_mask(b["seg"], b["branch"])[0, 0]
    # the rejected answer (index 6) sees prompt[:-1] and its own copy of the last prompt token, not chosen
    assert m[6].nonzero().flatten().tolist() == [0, 1, 5, 6]
    # the copy of the last prompt token sees exactly what the original sees (same context, same position)
    assert m[5].nonzero().flatten().tolist() == [0, 1, 5] and m[2].nonzero().flatten().tolist() == [0, 1, 2]
    assert not m[7:, :7].any() and not m[:7, 7:].any()  # pairs never see each other


def test_padding_to_blocks_changes_nothing(tiny_dir):
    """Rows padded for FlexAttention blocks: the pad tokens form their own dummy pair and carry no labels."""
    from align.fast import packed_logps

    rows = [{"prompt_ids": [1, 5, 9, 12], "chosen_ids": [30, 31, 2], "rejected_ids": [40, 2]},
            {"prompt_ids": [1, 7], "chosen_ids": [50, 51, 52, 2], "rejected_ids": [60, 61, 2]}]
    plain = PackedPreferenceCollator()(rows)
    padded = PackedPreferenceCollator(pad_to_multiple_of=16)(rows)
    assert padded["input_ids"].shape[1] == 32 and plain["input_ids"].shape[1] < 32
    model = make_model(type("T", (), {"__len__": lambda self: 100, "bos_token_id": 1, "eos_token_id": 2})(), seed=4)
    from trl.trainer.utils import add_fused_lm_head

    add_fused_lm_head(model)
    with torch.no_grad():
        c1, r1, _ = packed_logps(model, plain)
        c2, r2, _ = packed_logps(model, padded)
    assert torch.allclose(c1, c2, atol=1e-5) and torch.allclose(r1, r2, atol=1e-5)


def _logps_with(attn, rows, pad=None):
    from trl.trainer.utils import add_fused_lm_head

    from align.fast import packed_logps

    tok = type("T", (), {"__len__": lambda self: 100, "bos_token_id": 1, "eos_token_id": 2})()
    model = make_model(tok, seed=4)
    model.config._attn_implementation = attn
    add_fused_lm_head(model)
    with torch.no_grad():  # FlexAttention has no CPU backward
        c, r, _ = packed_logps(model, PackedPreferenceCollator(pad_to_multiple_of=pad)(rows))
    return c, r


def _rows(n=3):
    g = torch.Generator().manual_seed(0)
    rnd = lambda k: torch.randint(3, 100, (k,), generator=g).tolist()  # noqa: E731
    return [{"prompt_ids": rnd(20 + i), "chosen_ids": rnd(30 + 2 * i), "rejected_ids": rnd(25 + 3 * i)} for i in range(n)]


def test_eager_and_flex_masks_match_sdpa():
    """Every accepted kernel gets the mask in its own form: eager adds it (a bool mask would add 0/1 and mask
    nothing), flex takes a BlockMask over 128-padded rows."""
    rows = _rows()
    c0, r0 = _logps_with("sdpa", rows)
    c1, r1 = _logps_with("eager", rows)
    assert torch.allclose(c0, c1, atol=1e-4) and torch.allclose(r0, r1, atol=1e-4)
    c2, r2 = _logps_with("flex_attention", rows, pad=128)
    assert torch.allclose(c0, c2, atol=1e-4) and torch.allclose(r0, r2, atol=1e-4)


def test_compiled_block_mask_equals_eager_one():
    """The GPU builds the BlockMask with a compiled create_block_mask; same blocks as the eager builder."""
    from align.fast import flex_branch_mask

    b = PackedPreferenceCollator(pad_to_multiple_of=128)(_rows(4))
    eager = flex_branch_mask(b["seg"], b["branch"], compile=False)
    compiled = flex_branch_mask(b["seg"], b["branch"], compile=True)
    for x, y in zip(eager.as_tuple()[2:6], compiled.as_tuple()[2:6]):
        assert torch.equal(x, y)


def test_attn_implementation_through_wrappers_and_flash_refused():
    from align.fast import attn_implementation, branch_mask

    tok = type("T", (), {"__len__": lambda self: 100, "bos_token_id": 1, "eos_token_id": 2})()
    model = make_model(tok, seed=4)
    model.config._attn_implementation = "flex_attention"
    # wrappers without a `config` of their own (DDP / DeepSpeed / FSDP: `.module`; torch.compile: `._orig_mod`)
    wrapped = torch.nn.DataParallel(model)
    assert not hasattr(wrapped, "config")
    assert attn_implementation(wrapped) == "flex_attention"
    assert attn_implementation(torch.compile(wrapped)) == "flex_attention"  # compiled after wrapping (accelerate)
    model.config._attn_implementation = "flash_attention_2"
    b = PackedPreferenceCollator()(_rows(2))
    with pytest.raises(ValueError, match="fast path needs attn_implementation"):
        branch_mask(wrapped, b["seg"], b["branch"])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA (FlexAttention backward, compiled BlockMask)")
def test_flex_bf16_cuda_matches_sdpa_and_stops_recompiling():
    """GPU: flex (compiled BlockMask, compiled flex kernel) forward+backward in bf16 agrees with SDPA, and packed
    rows of new lengths (128-padded) stop compiling after the dynamic recompile."""
    from torch._dynamo.utils import counters
    from trl.trainer.utils import add_fused_lm_head

    from align.fast import packed_logps

    tok = type("T", (), {"__len__": lambda self: 100, "bos_token_id": 1, "eos_token_id": 2})()
    models = {}
    for attn in ("sdpa", "flex_attention"):
        m = make_model(tok, seed=4).to("cuda", torch.bfloat16)
        m.config._attn_implementation = attn
        add_fused_lm_head(m)
        models[attn] = m
    g = torch.Generator().manual_seed(0)
    rnd = lambda k: torch.randint(3, 100, (k,), generator=g).tolist()  # noqa: E731
    graphs = []
    for step in range(5):
        rows = [{"prompt_ids": rnd(40 + 30 * step), "chosen_ids": rnd(90 + 20 * i), "rejected_ids": rnd(70 + 10 * i)}
                for i in range(4)]
        out = {}
        for attn, m in models.items():
            m.zero_grad(set_to_none=True)
            batch = PackedPreferenceCollator(pad_to_multiple_of=128 if attn == "flex_attention" else None)(rows)
            batch = {k: v.cuda() for k, v in batch.items()}
            c, r, _ = packed_logps(m, batch)
            (c - r).sum().backward()
            out[attn] = (c.detach().float(), m.model.layers[0].self_attn.q_proj.weight.grad.float())
        (c0, g0), (c1, g1) = out["sdpa"], out["flex_attention"]
        assert torch.allclose(c0, c1, rtol=2e-2, atol=0.5), (c0, c1)
        assert ((g0 - g1).norm() / g0.norm()).item() < 5e-2
        graphs.append(counters["stats"]["unique_graphs"])
    assert graphs[-1] == graphs[2], graphs  # no compilation after the first lengths
