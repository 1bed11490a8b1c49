"""A static-shape decoder for Llama-family models: what the ``transformers`` backend runs on a GPU.

``model.generate`` spends most of a decode step in Python: a few hundred small kernel launches, a growing cache,
masks rebuilt every step. At batch 256 on a 1.1B model the GPU waits on the CPU. This decoder runs the same weights
(the model's own modules: projections, norms, MLPs, embedding and head) through a loop whose every tensor has a
fixed shape and address:

* one KV buffer per layer, ``(batch, kv_heads, slots, head_dim)``, allocated once per (batch, slots) shape;
  left-padded prompts fill the first slots, generated tokens the following ones;
* rotary cos/sin precomputed for every position and gathered per row (left padding gives rows different positions);
* grouped-query attention without repeating K/V: the query heads of one KV head are folded into the query-length
  axis, so SDPA reads each K/V byte once;
* the prompt is prefilled in one forward (logits only for the last position, not ``prompt x vocab``);
* one decode step reads and writes only those fixed buffers, so on CUDA it is captured once in a CUDA graph and
  replayed: one launch per token instead of hundreds. Greedy and sampled (temperature, top-p via the Gumbel trick)
  decoding both run inside the graph; ``min_new_tokens`` masks the stop tokens; finished rows emit padding.

It computes what ``generate`` computes: with greedy decoding in fp32 the tokens equal ``generate``'s
(``tests/rewrite/test_static_decoder.py``). Models it does not cover (other architectures, dynamic RoPE,
sliding windows shorter than the sequence) are reported by :func:`unsupported_reason` and the backend falls back
to ``generate``.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

SUPPORTED_TYPES = ("llama", "mistral", "qwen2")
STATIC_ROPE = ("default", "linear", "llama3")
SLOT_MULTIPLE = 64  # slots are rounded up so prompts of nearby lengths share one buffer and one graph
STOP_CHECK_EVERY = 16  # steps between the (synchronizing) "every row finished?" checks
WARMUP_STEPS = 2  # eager decode steps before a CUDA graph is captured


def _rope_type(model) -> str:
    rot = getattr(model.model, "rotary_emb", None)
    return getattr(rot, "rope_type", None) or "default"


def sliding_window(model) -> int | None:
    """The attention window a model uses (None = full attention): Mistral reads ``config.sliding_window`` in its
    forward, Qwen2 only when ``use_sliding_window`` (its ``layer_types`` say which layers)."""
    cfg = model.config
    window = getattr(cfg, "sliding_window", None)
    if not window:
        return None
    if cfg.model_type == "qwen2":
        types = getattr(cfg, "layer_types", None) or []
        if not getattr(cfg, "use_sliding_window", False) or "sliding_attention" not in types:
            return None
    return int(window)


def unsupported_reason(model, max_len: int | None = None) -> str | None:
    """None when :class:`StaticDecoder` can run ``model`` (for sequences of ``max_len`` tokens, when given: a
    sliding window shorter than that is not implemented; ``generate`` checks each call); else why not."""
    cfg = model.config
    if cfg.model_type not in SUPPORTED_TYPES:
        return f"model type {cfg.model_type!r} (the static decoder covers {', '.join(SUPPORTED_TYPES)})"
    if _rope_type(model) not in STATIC_ROPE:
        return f"RoPE type {_rope_type(model)!r}"
    window = sliding_window(model)
    if window and max_len is not None and max_len > window:
        return f"sliding-window attention ({window} tokens)"
    for layer in model.model.layers:
        if any(hasattr(layer.self_attn, n) for n in ("q_norm", "k_norm")):
            return "attention with q/k norms"
    return None


def _rotate_half(x):
    import torch

    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class StaticDecoder:
    """Batched decoding of left-padded prompts with a static KV cache (and a CUDA graph on CUDA).

    Args:
        model: a loaded Llama/Mistral/Qwen2 ``*ForCausalLM`` in eval mode (see :func:`unsupported_reason`).
        use_graph: capture the decode step in a CUDA graph; default: when the model is on CUDA.
    """

    def __init__(self, model, use_graph: bool | None = None):
        import torch

        reason = unsupported_reason(model)
        if reason:
            raise ValueError(f"static decoder: unsupported {reason}")
        self.model = model
        self.device = next(model.parameters()).device
        self.dtype = next(model.parameters()).dtype
        attn = model.model.layers[0].self_attn
        cfg = model.config
        self.n_heads = cfg.num_attention_heads
        self.n_kv = getattr(cfg, "num_key_value_heads", None) or self.n_heads
        self.head_dim = attn.head_dim
        self.scaling = attn.scaling
        self.group = self.n_heads // self.n_kv
        self.use_graph = (self.device.type == "cuda") if use_graph is None else use_graph
        self._shape: tuple[int, int] | None = None  # (batch, slots) of the buffers below
        self._graph = None
        self._torch = torch

    # ------------------------------------------------------------------ buffers

    def _allocate(self, batch: int, slots: int) -> None:
        torch = self._torch
        if self._shape == (batch, slots):
            return
        self._graph = None
        self._shape = None
        if self.device.type == "cuda":
            self.__dict__.pop("k", None), self.__dict__.pop("v", None)
            torch.cuda.empty_cache()
        dev, dt, L = self.device, self.dtype, len(self.model.model.layers)
        kv_shape = (batch, self.n_kv, slots, self.head_dim)
        self.k = [torch.zeros(kv_shape, device=dev, dtype=dt) for _ in range(L)]
        self.v = [torch.zeros(kv_shape, device=dev, dtype=dt) for _ in range(L)]
        # rotary table for every position a slot can hold
        pos = torch.arange(slots, device=dev)[None]
        probe = torch.zeros(1, device=dev, dtype=dt)
        cos, sin = self.model.model.rotary_emb(probe, pos)
        self.cos, self.sin = cos[0], sin[0]  # (slots, head_dim)
        self.prompt_valid = torch.zeros(batch, slots, dtype=torch.bool, device=dev)
        self.slot_ids = torch.arange(slots, device=dev)
        # per-step state, updated in place (CUDA-graph inputs and outputs)
        self.tok = torch.zeros(batch, dtype=torch.long, device=dev)
        self.pos = torch.zeros(batch, dtype=torch.long, device=dev)
        self.slot = torch.zeros((), dtype=torch.long, device=dev)
        self.step_i = torch.zeros((), dtype=torch.long, device=dev)
        self.first_gen_slot = torch.zeros((), dtype=torch.long, device=dev)
        self.finished = torch.zeros(batch, dtype=torch.bool, device=dev)
        self.out = torch.zeros(batch, 0, dtype=torch.long, device=dev)  # (batch, max_new), sized by generate()
        self._shape = (batch, slots)

    # ------------------------------------------------------------------ the model, by hand

    def _attend(self, layer_i: int, x, cos, sin, write_slots, mask):
        """One attention block: x (B, T, hidden); K/V of the T tokens are written at ``write_slots``; attention
        reads the first ``mask.shape[-1]`` slots (the prompt's during prefill, all of them when decoding)."""
        torch = self._torch
        attn = self.model.model.layers[layer_i].self_attn
        B, T, _ = x.shape
        q = attn.q_proj(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        k = attn.k_proj(x).view(B, T, self.n_kv, self.head_dim).transpose(1, 2)
        v = attn.v_proj(x).view(B, T, self.n_kv, self.head_dim).transpose(1, 2)
        cos, sin = cos[:, None], sin[:, None]  # (B, 1, T, D)
        q = q * cos + _rotate_half(q) * sin
        k = k * cos + _rotate_half(k) * sin
        self.k[layer_i].index_copy_(2, write_slots, k)
        self.v[layer_i].index_copy_(2, write_slots, v)
        # GQA: the `group` query heads of a KV head become `group * T` queries against that head's K/V
        qg = q.reshape(B, self.n_kv, self.group * T, self.head_dim)
        n = mask.shape[-1]
        kk, vv = self.k[layer_i], self.v[layer_i]
        if n != kk.shape[2]:
            kk, vv = kk[:, :, :n], vv[:, :, :n]
        o = torch.nn.functional.scaled_dot_product_attention(qg, kk, vv, attn_mask=mask, scale=self.scaling)
        o = o.reshape(B, self.n_heads, T, self.head_dim).transpose(1, 2).reshape(B, T, self.n_heads * self.head_dim)
        return attn.o_proj(o)

    def _forward(self, ids, pos, write_slots, mask):
        """Hidden states of the last position of each row: ids/pos (B, T); mask (B, 1, group*T, slots)."""
        m = self.model.model
        h = m.embed_tokens(ids)
        cos, sin = self.cos[pos], self.sin[pos]
        for i, layer in enumerate(m.layers):
            h = h + self._attend(i, layer.input_layernorm(h), cos, sin, write_slots, mask)
            h = h + layer.mlp(layer.post_attention_layernorm(h))
        return m.norm(h[:, -1])

    def _additive(self, allowed):
        """A boolean mask as the additive mask SDPA would build from it, once per forward instead of once per layer."""
        torch = self._torch
        zero = torch.zeros((), dtype=self.dtype, device=self.device)
        return torch.where(allowed, zero, torch.finfo(self.dtype).min)

    def _logits(self, h):
        return self.model.lm_head(h).float()

    # ------------------------------------------------------------------ sampling

    def _choose(self, logits):
        """Next token per row from last-position logits, in place into ``self.tok``; graph-safe (no host sync)."""
        torch = self._torch
        if self._min_new > 0:
            block = (self.step_i < self._min_new) & self._stop_mask  # (V,)
            logits = logits.masked_fill(block, float("-inf"))
        if self._temperature > 0:
            logits = logits / self._temperature
            if self._top_p < 1.0:
                sorted_l, order = torch.sort(logits, dim=-1, descending=True)
                probs = sorted_l.softmax(-1)
                # drop a token when the tokens before it already cover top_p (the first always stays)
                drop_sorted = (probs.cumsum(-1) - probs) > self._top_p
                drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
                logits = logits.masked_fill(drop, float("-inf"))
            u = torch.rand(logits.shape, device=logits.device, generator=self._gen).clamp_(1e-20, 1.0)
            logits = logits - torch.log(-torch.log(u))  # Gumbel-max: argmax is a sample of softmax(logits)
        nxt = logits.argmax(-1)
        nxt = torch.where(self.finished, torch.full_like(nxt, self._pad), nxt)
        self.tok.copy_(nxt)
        self.out.index_copy_(1, self.step_i.view(1), nxt[:, None])
        self.finished |= self._stop_mask[nxt]

    def _decode_step(self) -> None:
        """Feed ``self.tok`` at ``self.slot``: write its K/V, choose the next token, advance slot/pos/step."""
        torch = self._torch
        live = self.prompt_valid | ((self.slot_ids >= self.first_gen_slot) & (self.slot_ids <= self.slot))
        mask = self._additive(live[:, None, None, :])  # (B, 1, 1, slots): broadcast over the folded query heads
        h = self._forward(self.tok[:, None], self.pos[:, None], self.slot.view(1), mask)
        self.step_i += 1
        self._choose(self._logits(h))
        self.slot += 1
        self.pos += 1

    # ------------------------------------------------------------------ public

    def fits(self, total_len: int) -> bool:
        """Whether prompt + new tokens of ``total_len`` stay inside the model's sliding window (if it has one)."""
        return unsupported_reason(self.model, max_len=total_len) is None

    def generate(self, input_ids, attention_mask, *, max_new_tokens: int, stop_ids, pad_id: int,
                 min_new_tokens: int = 0, temperature: float = 0.0, top_p: float = 1.0, seed: int = 0):
        """New tokens of each row, ``(batch, n)`` with ``n <= max_new_tokens``; rows that stopped early are padded
        with ``pad_id`` after their stop token (as ``generate`` does). Prompts must be left-padded."""
        torch = self._torch
        ids = input_ids.to(self.device)
        am = attention_mask.to(self.device).bool()
        B, P = ids.shape
        # +WARMUP spare slots / output columns: the graph's warm-up steps run past the last real token
        slots = -(-(P + max_new_tokens + WARMUP_STEPS) // SLOT_MULTIPLE) * SLOT_MULTIPLE
        if not self.fits(P + max_new_tokens):
            raise ValueError(f"static decoder: {P + max_new_tokens} tokens exceed the model's sliding window")
        if self.device.type == "cuda":
            with torch.cuda.device(self.device):  # streams, graphs and the seeded generator of *this* GPU
                return self._generate(ids, am, slots, max_new_tokens, stop_ids, pad_id, min_new_tokens, temperature,
                                      top_p, seed)
        return self._generate(ids, am, slots, max_new_tokens, stop_ids, pad_id, min_new_tokens, temperature, top_p, seed)

    def _generate(self, ids, am, slots, max_new_tokens, stop_ids, pad_id, min_new_tokens, temperature, top_p, seed):
        torch = self._torch
        B, P = ids.shape
        self._allocate(B, slots)
        settings = (max_new_tokens, int(min_new_tokens or 0), float(temperature), float(top_p), int(pad_id),
                    tuple(sorted(stop_ids)))
        if getattr(self, "_settings", None) != settings or self.out.shape != (B, max_new_tokens + WARMUP_STEPS):
            # sampling settings are baked into a captured graph, and it reads these exact buffers: new ones, new graph
            self._graph = None
            self._settings = settings
            self._max_new, self._min_new, self._temperature, self._top_p, self._pad = settings[:5]
            V = self.model.lm_head.out_features
            self._stop_mask = torch.zeros(V, dtype=torch.bool, device=self.device)
            self._stop_mask[[i for i in stop_ids if 0 <= i < V]] = True
            self.out = torch.full((B, max_new_tokens + WARMUP_STEPS), pad_id, dtype=torch.long, device=self.device)
        if temperature > 0 and self.use_graph:
            self._gen = None  # a graph samples from the default generator (its offsets are captured): seed that
            torch.cuda.manual_seed(seed)
        elif temperature > 0:
            self._gen = torch.Generator(device=self.device).manual_seed(seed)
        else:
            self._gen = None

        with torch.inference_mode():
            # ---- prefill: the P prompt tokens at slots 0..P-1
            pos = (am.long().cumsum(1) - 1).clamp_(min=0)
            self.prompt_valid.zero_()
            self.prompt_valid[:, :P] = am
            ar = torch.arange(P, device=self.device)
            causal = ar[None, :] <= ar[:, None]  # (P, P)
            own = torch.eye(P, dtype=torch.bool, device=self.device)  # a padding position sees itself: no empty row
            mask = (causal[None] & am[:, None, :]) | own[None]  # (B, P, P)
            mask = self._additive(mask[:, None, None].expand(B, 1, self.group, P, P).reshape(B, 1, self.group * P, P))
            for kb, vb in zip(self.k, self.v):
                kb[:, :, P:].zero_(), vb[:, :, P:].zero_()
            h = self._forward(ids, pos, torch.arange(P, device=self.device), mask)
            self.finished.zero_()
            self.step_i.zero_()
            self.out.fill_(pad_id)
            self._choose(self._logits(h))
            self.pos.copy_(pos[:, -1] + 1)
            self.slot.fill_(P)
            self.first_gen_slot.fill_(P)

            # ---- decode: one token per step, the step replayed from a CUDA graph when there is one
            step = None
            n = 1
            while n < max_new_tokens:
                if n % STOP_CHECK_EVERY == 0 and bool(self.finished.all()):
                    break
                if step is None:  # only when a decode step is needed (max_new_tokens=1 captures nothing)
                    step = self._graph_step() if self.use_graph else self._decode_step
                step()
                n += 1
            return self.out[:, :n].clone()

    def _graph_step(self):
        """``replay`` of the decode step captured in a CUDA graph (captured on first use for these buffers)."""
        torch = self._torch
        if self._graph is None:
            state = (self.tok, self.pos, self.slot, self.step_i, self.finished, self.out)
            saved = [t.clone() for t in state]
            rng = torch.cuda.get_rng_state(self.device)  # the warm-up draws samples: the seeded stream must not move
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):
                for _ in range(WARMUP_STEPS):  # warm-up outside the graph (allocator, cuBLAS workspaces, kernels)
                    self._decode_step()
            torch.cuda.current_stream().wait_stream(s)
            g = torch.cuda.CUDAGraph()
            try:
                with torch.cuda.graph(g):  # recorded, not run: the buffers keep the warm-up's values until restored
                    self._decode_step()
            except RuntimeError as e:  # an op that cannot be captured: decode eagerly (slower, same tokens)
                log.warning("CUDA graph capture failed (%s); decoding without a graph", str(e).splitlines()[0])
                self.use_graph = False
                g = None
            for t, v in zip(state, saved):
                t.copy_(v)
            torch.cuda.set_rng_state(rng, self.device)
            if g is None:
                return self._decode_step
            self._graph = g
        return self._graph.replay
