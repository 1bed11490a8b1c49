"""Acceptance 1: a TRL DPOTrainer trains on a published train split with no mapping code."""

from __future__ import annotations

import copy
import math
import os

import datasets

from tests.curate.publish.conftest import make_pairs, write_stage_dir

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def tiny_model_and_tokenizer(texts: list[str]):
    """A BPE tokenizer trained here (with a chat template) and a random-weight 2-layer Llama."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=400, special_tokens=["<|im_start|>", "<|im_end|>", "<|pad|>"],
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|pad|>")
    hf.chat_template = CHAT_TEMPLATE
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(hf), hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                      num_key_value_heads=1, max_position_embeddings=256, eos_token_id=hf.eos_token_id,
                      pad_token_id=hf.pad_token_id)
    return LlamaForCausalLM(cfg), hf


def test_dpo_trainer_trains_two_steps_on_published_train_split(tmp_path, curate_cli):
    import torch
    from trl import DPOConfig, DPOTrainer

    pairs = make_pairs()
    out = tmp_path / "ds"
    code, _, err = curate_cli("publish", write_stage_dir(tmp_path / "filter", pairs), "--to-dir", out)
    assert code == 0, err
    train = datasets.load_dataset(str(out), split="train", cache_dir=str(tmp_path / "hf-cache"))

    texts = [m["content"] for row in train for key in ("prompt", "chosen", "rejected") for m in row[key]]
    model, tok = tiny_model_and_tokenizer(texts)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    args = DPOConfig(output_dir=str(tmp_path / "run"), max_steps=2, per_device_train_batch_size=2, learning_rate=1e-3,
                     max_length=256, report_to=[], logging_steps=1, save_strategy="no", use_cpu=True,
                     dataloader_num_workers=0, dataset_num_proc=None, bf16=False)
    trainer = DPOTrainer(model=model, ref_model=copy.deepcopy(model), args=args, train_dataset=train, processing_class=tok)
    # the trainer tokenized the published conversations with the chat template, system message first
    first = trainer.train_dataset[0]
    rendered = tok.decode(first["prompt_ids"])
    assert rendered.startswith("<|im_start|>system\n") and rendered.endswith("<|im_start|>assistant\n")
    result = trainer.train()
    assert trainer.state.global_step == 2
    assert math.isfinite(result.training_loss)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert len(losses) == 2 and all(math.isfinite(v) for v in losses)
    changed = [n for n, p in model.named_parameters() if not torch.equal(p.detach(), before[n])]
    assert changed  # the optimizer really stepped
