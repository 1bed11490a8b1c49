"""In-process backend: a transformers causal LM with its chat template, batched generation.

Prompts are tokenized once, sorted by length and generated in batches with left padding, so a batch wastes
little on padding. On a GPU the model runs in bf16 and, for Llama/Mistral/Qwen2 models, decodes through
:class:`rewrite.backends.static_decoder.StaticDecoder` (static KV cache, one CUDA-graph replay per token);
other models use ``model.generate`` (``compile=True`` adds a static cache and ``torch.compile`` there).
A ``.gguf`` path is loaded with ``gguf_file=`` (transformers dequantizes it).
"""

from __future__ import annotations

import logging
from pathlib import Path

from curate.core.builtin_model import builtin_model_path  # noqa: F401  (re-exported: the backend's locator)
from curate.core.errors import UsageError
from rewrite.backends.base import GenRequest, GenResult, OnResult
from rewrite.validate import LOOP_MAX_PERIOD, ends_in_loop, loop_end

log = logging.getLogger(__name__)

def _resolve_device(device: str):
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise UsageError(f"device {device!r} requested but CUDA is not available")
    return torch.device(device)


def _resolve_dtype(dtype: str, device):
    import torch

    if dtype == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    try:
        return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[dtype]
    except KeyError:
        raise UsageError(f"unknown dtype {dtype!r}; use auto, float32, bfloat16 or float16") from None


def load_model_and_tokenizer(model: str, device: str = "auto", dtype: str = "auto"):
    """Load a hub id, a local directory or a ``.gguf`` file; bad names are a one-line usage error."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dev = _resolve_device(device)
    torch_dtype = _resolve_dtype(dtype, dev)
    p = Path(model)
    src, kwargs = model, {}
    if p.suffix == ".gguf":
        if not p.is_file():
            raise UsageError(f"{p}: GGUF file not found")
        src, kwargs = str(p.parent), {"gguf_file": p.name}
    try:
        tok = AutoTokenizer.from_pretrained(src, **kwargs)
        lm = AutoModelForCausalLM.from_pretrained(src, dtype=torch_dtype, **kwargs)
    except (OSError, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UsageError(f"cannot load model {model!r}: {first}") from None
    lm.to(dev).eval()
    if not getattr(tok, "chat_template", None):
        raise UsageError(f"model {model!r} has no chat template; pass an instruct/chat model")
    if tok.pad_token_id is None:
        tok.pad_token = tok.eos_token
    tok.padding_side = "left"
    return lm, tok


def _criteria(watch):
    from transformers import StoppingCriteria, StoppingCriteriaList

    class _Criteria(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            return watch(input_ids)

    return StoppingCriteriaList([_Criteria()])


class _Watch:
    """Called after every decoding step of a ``generate()`` batch: hands over each row the moment it produced a stop
    token (so progress and the resume cache move with every finished generation, not once per batch), stops a row
    that fell into a repetition loop, and reports the tokens of the step (``backend.on_tokens``) for tokens/s."""

    def __init__(self, backend: "TransformersBackend", requests: list[GenRequest], on_result: OnResult, prompt_len: int):
        self.backend, self.requests, self.on_result, self.prompt_len = backend, requests, on_result, prompt_len
        self.reported: set[int] = set()

    def __call__(self, input_ids):
        import torch

        new = input_ids[:, self.prompt_len:]
        done = torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
        active = [r for r in range(new.shape[0]) if r not in self.reported]
        if not active or new.shape[1] == 0:
            return done
        tails = new[active, -3 * LOOP_MAX_PERIOD:].tolist()  # all a loop check looks at: each step stays cheap
        stop_ids = self.backend.stop_ids
        for r, tail in zip(active, tails):
            if tail[-1] in stop_ids or ends_in_loop(tail):
                self.reported.add(r)
                if tail[-1] not in stop_ids:
                    done[r] = True  # a loop: stop generating it (a stop token already ends the row in generate())
                self.on_result(self.requests[r], self.backend.result(new[r].tolist()))
        hook = getattr(self.backend, "on_tokens", None)
        if hook is not None:
            hook(len(active))
        return done


class TransformersBackend:
    remote = False
    on_tokens = None  # set by the runner: called with the tokens generated in each decoding step (for tokens/s)
    on_batch = None  # set by the runner: called as a batch starts with (batch, batches, prompts, prompt tokens)

    def __init__(self, model: str, *, max_new_tokens: int = 512, temperature: float = 0.0, top_p: float = 1.0,
                 seed: int = 0, batch_size: int = 16, device: str = "auto", dtype: str = "auto",
                 compile: bool = False, decode: str = "auto", model_id: str | None = None):
        self.model_id = model_id or model
        self.lm, self.tok = load_model_and_tokenizer(model, device, dtype)
        self.max_new_tokens = max_new_tokens
        self.temperature = temperature
        self.top_p = top_p
        self.seed = seed
        self.batch_size = max(1, batch_size)
        gen_eos = self.lm.generation_config.eos_token_id
        eos = gen_eos if isinstance(gen_eos, list) else [gen_eos]
        self.stop_ids = {i for i in [*eos, self.tok.eos_token_id] if i is not None}
        self.decoder = self._static_decoder(decode)
        if compile and self.lm.device.type == "cuda" and self.decoder is None:
            import torch

            self.lm.generation_config.cache_implementation = "static"
            self.lm.forward = torch.compile(self.lm.forward, mode="reduce-overhead", fullgraph=False)

    @property
    def stats(self) -> dict:
        """How it decoded, for the manifest."""
        d = self.decoder
        return {"device": str(self.lm.device), "dtype": str(self.lm.dtype).removeprefix("torch."),
                "decoder": "static" if d is not None else "generate", "cuda_graph": bool(d is not None and d.use_graph)}

    def _static_decoder(self, decode: str):
        """The :class:`StaticDecoder` when ``decode`` asks for it (``static``) or allows it on CUDA (``auto``)."""
        if decode not in ("auto", "static", "generate"):
            raise UsageError(f"unknown decode {decode!r}; use auto, static or generate")
        if decode == "generate" or (decode == "auto" and self.lm.device.type != "cuda"):
            return None
        from rewrite.backends.static_decoder import StaticDecoder, unsupported_reason

        reason = unsupported_reason(self.lm)
        gc = self.lm.generation_config
        if reason is None and (gc.repetition_penalty or 1.0) != 1.0:
            reason = "a repetition penalty in the generation config"
        if reason is None and (gc.no_repeat_ngram_size or 0) > 0:
            reason = "no_repeat_ngram_size in the generation config"
        if reason:
            if decode == "static":
                raise UsageError(f"decode: static cannot run model {self.model_id!r}: {reason}; use decode: generate")
            log.info("static decoder not used for %s (%s): falling back to generate()", self.model_id, reason)
            return None
        return StaticDecoder(self.lm)

    def prompt_text(self, messages: list[dict]) -> str:
        return self.tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def generate_ids(self, input_ids, attention_mask, *, seed: int = 0, min_new_tokens: int | None = None,
                     watch=None) -> list[list[int]]:
        """One batched ``generate`` call; returns the new token ids of each row (padding included).

        ``watch`` (a :class:`_Watch`, ``generate()`` path only) sees every decoding step: it reports each row the moment
        it finishes and stops a row that has fallen into a repetition loop."""
        import torch

        sample = self.temperature > 0
        if self.decoder is not None and self.decoder.fits(input_ids.shape[1] + self.max_new_tokens):
            out = self.decoder.generate(input_ids, attention_mask, max_new_tokens=self.max_new_tokens,
                                        stop_ids=self.stop_ids, pad_id=self.tok.pad_token_id,
                                        min_new_tokens=min_new_tokens or 0, temperature=self.temperature,
                                        top_p=self.top_p, seed=seed)
            return out.tolist()
        torch.manual_seed(seed)
        with torch.inference_mode():
            out = self.lm.generate(
                input_ids=input_ids.to(self.lm.device),
                attention_mask=attention_mask.to(self.lm.device),
                max_new_tokens=self.max_new_tokens,
                min_new_tokens=min_new_tokens,
                do_sample=sample,
                temperature=self.temperature if sample else None,
                top_p=self.top_p if sample else None,
                top_k=None,
                pad_token_id=self.tok.pad_token_id,
                **({"stopping_criteria": _criteria(watch)} if watch is not None else {}),
            )
        return out[:, input_ids.shape[1] :].tolist()

    def result(self, ids: list[int]) -> GenResult:
        """The text of one row's new tokens: cut at the first stop token (``stop``), else at the first point where it
        fell into a repetition loop (``repetition``: a weak model repeats a sentence until the token limit), else
        ``length`` (hit ``max_new_tokens``)."""
        stop_at = next((k for k, t in enumerate(ids) if t in self.stop_ids), None)
        if stop_at is not None:
            ids, finish = ids[:stop_at], "stop"
        else:
            end = loop_end(ids)
            ids, finish = (ids, "length") if end is None else (ids[:end], "repetition")
        return GenResult(text=self.tok.decode(ids, skip_special_tokens=True), finish_reason=finish,
                         completion_tokens=len(ids))

    def generate(self, requests: list[GenRequest], on_result: OnResult) -> None:
        prompts = [self.prompt_text(r.messages) for r in requests]
        # tokenized once; the chat template already has BOS where the model wants one: no second one from the tokenizer
        encoded = self.tok(prompts, add_special_tokens=False)["input_ids"]
        order = sorted(range(len(requests)), key=lambda i: -len(encoded[i]))  # longest first: OOM shows at once
        n_batches = -(-len(order) // self.batch_size)
        for b, start in enumerate(range(0, len(order), self.batch_size)):
            idx = order[start : start + self.batch_size]
            enc = self.tok.pad({"input_ids": [encoded[i] for i in idx]}, padding=True, return_tensors="pt")
            if self.on_batch is not None:  # before the prompt pass, which alone can take a minute on a CPU
                self.on_batch(b + 1, n_batches, len(idx), sum(len(encoded[i]) for i in idx))
            uses_generate = self.decoder is None or not self.decoder.fits(enc["input_ids"].shape[1] + self.max_new_tokens)
            watch = (_Watch(self, [requests[i] for i in idx], on_result, enc["input_ids"].shape[1])
                     if uses_generate else None)
            new = self.generate_ids(enc["input_ids"], enc["attention_mask"], seed=self.seed + b, watch=watch)
            for j, (i, ids) in enumerate(zip(idx, new)):
                if watch is not None and j in watch.reported:
                    continue  # already handed over the moment it finished
                on_result(requests[i], self.result(ids))

    def close(self) -> None:
        pass
