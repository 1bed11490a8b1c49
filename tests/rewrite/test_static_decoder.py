"""The static-cache decoder computes what ``model.generate`` computes (fp32, CPU; the CUDA graph is GPU-only)."""

from __future__ import annotations

import pytest
import torch

from curate.core.errors import UsageError
from rewrite.backends.base import GenRequest
from rewrite.backends.static_decoder import StaticDecoder, unsupported_reason
from rewrite.backends.transformers_backend import TransformersBackend
from rewrite.styles import load_styles

VOCAB = 300


def _model(kind: str):
    from transformers import LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM

    common = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=512, bos_token_id=1, eos_token_id=2, pad_token_id=0,
                  initializer_range=0.3)  # large weights: sharp attention, so a wrong position or mask changes tokens
    torch.manual_seed(0)
    if kind == "llama":
        return LlamaForCausalLM(LlamaConfig(**common)).eval()
    if kind == "llama_mha_tied":
        return LlamaForCausalLM(LlamaConfig(**{**common, "num_key_value_heads": 4, "tie_word_embeddings": True})).eval()
    if kind == "qwen2":  # biases on q/k/v
        return Qwen2ForCausalLM(Qwen2Config(**common)).eval()
    if kind == "mistral":
        return MistralForCausalLM(MistralConfig(**common, sliding_window=None)).eval()
    raise ValueError(kind)


def _left_padded(batch: int, length: int, pads: list[int], seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, VOCAB, (batch, length), generator=g)
    mask = torch.ones_like(ids)
    for b, n in enumerate(pads):
        ids[b, :n], mask[b, :n] = 0, 0
    return ids, mask


def _reference(model, ids, mask, new, stop, **kw):
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=new, do_sample=False, pad_token_id=0,
                             eos_token_id=sorted(stop), **kw)
    return out[:, ids.shape[1]:]


@pytest.mark.parametrize("kind", ["llama", "llama_mha_tied", "qwen2", "mistral"])
def test_greedy_tokens_equal_generate(kind):
    model = _model(kind)
    assert unsupported_reason(model) is None
    ids, mask = _left_padded(5, 12, [0, 3, 7, 0, 11])
    # stop tokens the model really emits (row 0's 4th token, row 2's 7th) so some rows stop early and get padding
    free = _reference(model, ids, mask, 20, {VOCAB + 1})
    stop = {int(free[0, 3]), int(free[2, 6])}
    ref = _reference(model, ids, mask, 20, stop)
    dec = StaticDecoder(model)
    assert not dec.use_graph
    got = dec.generate(ids, mask, max_new_tokens=20, stop_ids=stop, pad_id=0)
    assert got.shape[0] == 5 and got.shape[1] >= ref.shape[1]
    assert torch.equal(got[:, : ref.shape[1]], ref)
    assert (got[:, ref.shape[1]:] == 0).all()  # past generate's end every row is finished: padding only
    assert (ref == 0).any(), "the chosen stop tokens should have ended some rows early"


def test_min_new_tokens_and_buffer_reuse_across_shapes():
    model = _model("llama")
    dec = StaticDecoder(model)
    free = _reference(model, *_left_padded(3, 9, [0, 2, 4]), 16, {VOCAB + 1})
    stop = {int(free[0, 1])}
    for batch, length, pads in [(3, 9, [0, 2, 4]), (3, 14, [5, 0, 1]), (2, 30, [0, 20])]:  # new prompt shapes, one decoder
        ids, mask = _left_padded(batch, length, pads)
        for min_new in (0, 16):
            ref = _reference(model, ids, mask, 16, stop, min_new_tokens=min_new)
            got = dec.generate(ids, mask, max_new_tokens=16, stop_ids=stop, pad_id=0, min_new_tokens=min_new)
            assert torch.equal(got[:, : ref.shape[1]], ref), (batch, length, min_new)
            if min_new == 16:
                assert got.shape[1] == 16 and not torch.isin(got[:, :15], torch.tensor(sorted(stop))).any()


def test_sampling_is_seeded_and_top_p_narrows_to_greedy():
    model = _model("llama")
    dec = StaticDecoder(model)
    ids, mask = _left_padded(4, 10, [0, 1, 2, 3])
    kw = dict(max_new_tokens=12, stop_ids={VOCAB + 1}, pad_id=0)
    greedy = dec.generate(ids, mask, **kw)
    hot = dec.generate(ids, mask, temperature=5.0, top_p=1.0, seed=7, **kw)
    assert torch.equal(hot, dec.generate(ids, mask, temperature=5.0, top_p=1.0, seed=7, **kw))
    assert not torch.equal(hot, dec.generate(ids, mask, temperature=5.0, top_p=1.0, seed=8, **kw))
    assert not torch.equal(hot, greedy)  # 4 rows x 12 tokens from a near-flat distribution over 300 tokens
    # top_p that keeps only the most likely token: sampling at any temperature is greedy decoding
    assert torch.equal(dec.generate(ids, mask, temperature=5.0, top_p=1e-6, seed=7, **kw), greedy)


def test_one_or_two_new_tokens():
    model = _model("llama")
    dec = StaticDecoder(model)
    ids, mask = _left_padded(3, 63, [0, 5, 9])  # 63 + 1 + the warm-up room crosses a 64-slot boundary
    for new in (1, 2):
        ref = _reference(model, ids, mask, new, {VOCAB + 1})
        assert torch.equal(dec.generate(ids, mask, max_new_tokens=new, stop_ids={VOCAB + 1}, pad_id=0), ref)


def test_sliding_window_is_read_from_the_config():
    from transformers import MistralConfig, MistralForCausalLM

    model = MistralForCausalLM(MistralConfig(vocab_size=VOCAB, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                             num_attention_heads=2, num_key_value_heads=1, sliding_window=16)).eval()
    assert unsupported_reason(model) is None and unsupported_reason(model, max_len=16) is None
    assert "sliding-window" in unsupported_reason(model, max_len=17)
    dec = StaticDecoder(model)
    ids, mask = _left_padded(2, 10, [0, 3])
    ref = _reference(model, ids, mask, 6, {VOCAB + 1})
    assert torch.equal(dec.generate(ids, mask, max_new_tokens=6, stop_ids={VOCAB + 1}, pad_id=0), ref)
    with pytest.raises(ValueError, match="sliding window"):
        dec.generate(ids, mask, max_new_tokens=7, stop_ids={VOCAB + 1}, pad_id=0)


def test_unsupported_models_are_named():
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    gpt2 = GPT2LMHeadModel(GPT2Config(vocab_size=50, n_embd=32, n_layer=1, n_head=2))
    assert "gpt2" in unsupported_reason(gpt2)
    with pytest.raises(ValueError, match="unsupported"):
        StaticDecoder(gpt2)
    dyn = LlamaForCausalLM(LlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                       num_attention_heads=2, rope_parameters={"rope_type": "dynamic", "factor": 2.0,
                                                                              "rope_theta": 10000.0}))
    assert "dynamic" in unsupported_reason(dyn)


def test_backend_static_decode_gives_generate_texts(tiny_chat_model):
    spec = load_styles()["supportive"]
    reqs = [GenRequest(f"k{i}", f"r{i}", "supportive", spec.messages(f"Question {i}?" * (i + 1), "Answer."))
            for i in range(5)]

    def texts(decode):
        backend = TransformersBackend(str(tiny_chat_model), max_new_tokens=10, batch_size=2, temperature=0.0,
                                      decode=decode)
        assert (backend.decoder is not None) == (decode == "static")
        got = {}
        backend.generate(reqs, lambda req, res: got.__setitem__(req.key, (res.text, res.finish_reason,
                                                                          res.completion_tokens)))
        return got

    assert texts("static") == texts("generate")
    # on CPU, auto means generate()
    assert TransformersBackend(str(tiny_chat_model), max_new_tokens=4).decoder is None
    with pytest.raises(UsageError, match="unknown decode"):
        TransformersBackend(str(tiny_chat_model), decode="fastest")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA graphs need a GPU")
def test_cuda_graph_replay_gives_eager_and_generate_tokens():
    model = _model("llama").cuda()
    ids, mask = _left_padded(6, 20, [0, 4, 9, 0, 1, 15])
    ids, mask = ids.cuda(), mask.cuda()
    free = _reference(model, ids, mask, 24, {VOCAB + 1})
    stop = {int(free[1, 5])}
    ref = _reference(model, ids, mask, 24, stop)
    graph, eager = StaticDecoder(model), StaticDecoder(model, use_graph=False)
    assert graph.use_graph
    for _ in range(2):  # the second call replays the graph captured by the first
        got = graph.generate(ids, mask, max_new_tokens=24, stop_ids=stop, pad_id=0)
        assert graph.use_graph and graph._graph is not None, "graph capture fell back to eager decoding"
        assert torch.equal(got[:, : ref.shape[1]], ref)
    assert torch.equal(got, eager.generate(ids, mask, max_new_tokens=24, stop_ids=stop, pad_id=0))
    kw = dict(max_new_tokens=24, stop_ids=stop, pad_id=0, temperature=1.0, top_p=0.9)
    assert torch.equal(graph.generate(ids, mask, seed=3, **kw), graph.generate(ids, mask, seed=3, **kw))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA graphs need a GPU")
def test_cuda_graph_bf16_equals_eager_bf16_and_samples_repeat():
    model = _model("llama").cuda().to(torch.bfloat16)
    ids, mask = _left_padded(8, 40, [0, 3, 17, 0, 1, 30, 2, 9])
    ids, mask = ids.cuda(), mask.cuda()
    graph, eager = StaticDecoder(model), StaticDecoder(model, use_graph=False)
    kw = dict(max_new_tokens=32, stop_ids={VOCAB + 1}, pad_id=0)
    assert torch.equal(graph.generate(ids, mask, **kw), eager.generate(ids, mask, **kw))
    assert graph._graph is not None
    hot = dict(kw, temperature=1.5, top_p=0.95)
    first = graph.generate(ids, mask, seed=11, **hot)  # captures a new graph (new sampling settings)
    assert torch.equal(first, graph.generate(ids, mask, seed=11, **hot))  # replays it: same seed, same samples
    assert not torch.equal(first, graph.generate(ids, mask, seed=12, **hot))
