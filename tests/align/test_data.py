"""Data loading and the chat template: system prompt from the data, one BOS, pad != EOS, turn ends with the end token."""

from __future__ import annotations

import dataclasses

import pytest

from align.config import DPOTrainConfig
from align.data import assistant_end_token, load_preference_dataset, prepare_tokenizer
from curate.core.errors import UsageError

from align_fixtures import SYSTEM, train_tokenizer


def test_load_from_disk_and_parquet_splits(pref_data, tmp_path):
    ds = load_preference_dataset(str(pref_data), "train")
    assert len(ds) == 36 and ds[0]["prompt"][0] == {"role": "system", "content": SYSTEM}
    # the other published layout: parquet files per split, read with load_dataset(dir)
    (tmp_path / "data").mkdir()
    load_preference_dataset(str(pref_data), "test").to_parquet(str(tmp_path / "data" / "test-00000.parquet"))
    ds.to_parquet(str(tmp_path / "data" / "train-00000.parquet"))
    assert len(load_preference_dataset(str(tmp_path), "test")) == 8


def test_bad_data_is_one_line_usage_error(pref_data, tmp_path):
    with pytest.raises(UsageError, match="no split 'validation'"):
        load_preference_dataset(str(pref_data), "validation")
    with pytest.raises(UsageError, match="no such dataset"):
        load_preference_dataset(str(tmp_path / "missing"), "train")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q", "answer": "a"}\n')
    with pytest.raises(UsageError, match="missing column"):
        load_preference_dataset(str(bad), "train")


def test_tokenizer_pad_differs_from_eos(tiny_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_dir))
    tok.pad_token = tok.eos_token  # the classic mistake
    assert prepare_tokenizer(tok) is False  # an existing unused special token is reused, no resize needed
    assert tok.pad_token == "<|endoftext|>" and tok.pad_token_id != tok.eos_token_id
    assert assistant_end_token(tok) == "<|im_end|>"



def test_pad_token_added_when_nothing_to_reuse(tmp_path):
    tok = train_tokenizer(tmp_path, specials=("<s>", "<|im_start|>", "<|im_end|>"), unk=None)
    n = len(tok)
    assert tok.pad_token is None
    assert prepare_tokenizer(tok, pad_token="<|pad|>") is True  # tokens added: the caller resizes the embeddings
    assert tok.pad_token == "<|pad|>" and tok.pad_token_id == n and tok.pad_token_id != tok.eos_token_id


def test_missing_chat_template_is_usage_error(tiny_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(tiny_dir))
    tok.chat_template = None
    with pytest.raises(UsageError, match="no chat template"):
        prepare_tokenizer(tok)
    assert prepare_tokenizer(tok, chat_template="chatml") is False  # its tokens already exist
    assert "<|im_start|>assistant" in tok.apply_chat_template([{"role": "user", "content": "q"}], tokenize=False,
                                                              add_generation_prompt=True)


def test_trainer_tokenization_one_bos_system_prompt_and_end_token(tiny_dir, pref_data, tmp_path):
    """What TRL actually feeds the model, after align's preparation."""
    from transformers import AutoTokenizer

    from align.trainer import build_trainer, load_model

    cfg = dataclasses.replace(DPOTrainConfig(), model=str(tiny_dir), max_steps=1)
    tok = AutoTokenizer.from_pretrained(str(tiny_dir))
    prepare_tokenizer(tok)
    ds = load_preference_dataset(str(pref_data), "train")
    trainer = build_trainer(cfg, load_model(cfg), tok, ds, output_dir=tmp_path)
    row = trainer.train_dataset[0]
    prompt_ids, chosen_ids, rejected_ids = row["prompt_ids"], row["chosen_ids"], row["rejected_ids"]
    assert prompt_ids.count(tok.bos_token_id) == 1 and prompt_ids[0] == tok.bos_token_id  # not doubled
    prompt_text = tok.decode(prompt_ids)
    assert SYSTEM in prompt_text and prompt_text.count("<|im_start|>system") == 1  # the dataset's system prompt, once
    assert prompt_text.endswith("<|im_start|>assistant\n")
    for ids in (chosen_ids, rejected_ids):
        text = tok.decode(ids)
        assert text.rstrip("\n").endswith("<|im_end|>") and text.count("<|im_end|>") == 1
        assert tok.eos_token_id in ids and tok.pad_token_id not in ids
    assert tok.pad_token_id != tok.eos_token_id


def test_system_prompt_only_fills_rows_without_one(pref_data):
    import datasets

    from align.data import ensure_system_prompt, system_prompt_of

    ds = load_preference_dataset(str(pref_data), "train").select(range(3))
    rows = ds.to_list()
    rows[1]["prompt"] = rows[1]["prompt"][1:]  # drop the system message of one row
    ds2 = ensure_system_prompt(datasets.Dataset.from_list(rows), "FALLBACK")
    assert [r["prompt"][0]["content"] for r in ds2] == [SYSTEM, "FALLBACK", SYSTEM]
    assert system_prompt_of(ds2) == SYSTEM
