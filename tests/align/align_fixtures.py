"""Tiny real parts (imported by conftest.py and the tests) for the align tests: a BPE tokenizer trained here, a random-weight Llama, a preference dataset."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

SYSTEM = "You are a caring assistant for caregivers. Answer warmly and in plain language."
TOPICS = ["sleep at night", "refusing to eat", "wandering outside", "taking pills", "bathing", "getting angry",
          "forgetting names", "repeating questions", "feeling sad", "hiding things", "seeing things", "long car rides"]
OPENERS = ["My mother", "My father", "My husband", "My wife"]

# Llama-style: the tokenizer adds <s> on plain encode AND the template starts with bos_token, so naive
# re-tokenization of the rendered template would double the BOS. The assistant turn ends with <|im_end|>.
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def make_pairs(n: int = 36) -> list[dict]:
    rows = []
    for i in range(n):
        who, topic = OPENERS[i % len(OPENERS)], TOPICS[i % len(TOPICS)]
        q = f"{who} has dementia and has trouble with {topic}. What can I do? (case {i})"
        chosen = (f"That sounds really hard, and you are doing a lot. It may help to keep a calm routine around {topic}. "
                  "You could try small steps, and it is okay to ask the care team for support.")
        rejected = (f"Enforce a strict schedule for {topic}. You must correct the behaviour immediately. "
                    "Do not deviate. Report noncompliance to the physician.")
        rows.append({"id": f"p{i}", "question": q, "source_answer": f"Keep a routine for {topic}; ask the care team.",
                     "prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": q}],
                     "chosen": [{"role": "assistant", "content": chosen}],
                     "rejected": [{"role": "assistant", "content": rejected}]})
    return rows


def train_tokenizer(target: Path, specials=("<s>", "<|im_start|>", "<|im_end|>", "<|endoftext|>"), unk="<|endoftext|>"):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    texts = []
    for r in make_pairs(48):
        texts += [SYSTEM, r["prompt"][1]["content"], r["chosen"][0]["content"], r["rejected"][0]["content"],
                  r["source_answer"], "system user assistant"]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = list(specials)
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=420, special_tokens=specials,
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", tok.token_to_id("<s>"))])
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="<|im_end|>",
                                 unk_token=unk)
    hf.chat_template = CHAT_TEMPLATE
    hf.save_pretrained(str(target))
    return hf


def make_model(tokenizer, target: Path | None = None, seed: int = 0, layers: int = 2):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=layers,
                      num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                      bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                      tie_word_embeddings=False)
    model = LlamaForCausalLM(cfg)
    if target is not None:
        model.save_pretrained(str(target))
    return model


def write_dataset(target: Path, n_train: int = 36, n_test: int = 8) -> Path:
    import datasets

    rows = make_pairs(n_train + n_test)
    dd = datasets.DatasetDict({"train": datasets.Dataset.from_list(rows[:n_train]),
                               "test": datasets.Dataset.from_list(rows[n_train:])})
    dd.save_to_disk(str(target))
    return target


def run_align(argv) -> int:
    from curate.app.align_cli import app
    from curate.core.clikit import run_app

    return run_app(app, "align", [str(a) for a in argv])


def write_cfg(path: Path, **dpo) -> Path:
    base = {"learning_rate": 2e-3, "per_device_train_batch_size": 4, "logging_steps": 1, "save_steps": 5,
            "gradient_checkpointing": False, "warmup_steps": 0.0, "lr_scheduler_type": "constant", "beta": 0.5}
    path.write_text(yaml.safe_dump({"align": {"dpo": {**base, **dpo}}}))
    return path
