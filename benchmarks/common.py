"""What the GPU benchmarks share: the issues' 1.1B Llama shape and a hub-free word-level tokenizer."""

from __future__ import annotations

# the 1.1B Llama of the rewrite and DPO throughput issues (random weights; speed is what is measured)
LLAMA_1B = dict(vocab_size=32000, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=2048, tie_word_embeddings=False)


def word_tokenizer(vocab_size: int, chat_template: str | None = None):
    """A word-level tokenizer over ``vocab_size`` ids ``<pad>=0, <s>=1, </s>=2, t3 ...`` (no hub download)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"<pad>": 0, "<s>": 1, "</s>": 2, **{f"t{i}": i for i in range(3, vocab_size)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>")
    if chat_template is not None:
        hf.chat_template = chat_template
    return hf
