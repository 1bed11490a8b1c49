"""Configuration of the rewrite stage (the ``rewrite:`` section of the YAML)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from curate.core.configlib import check, field, finite


@dataclass
class RewriteConfig:
    # --- model and backend
    model: str | None = field(None, help="Hub id, local path or .gguf file of the rewrite model, or `builtin` = the built-in SmolLM2-135M-Instruct (smoke runs only); null = builtin")
    base_url: str | None = field(None, help="OpenAI-compatible endpoint (vLLM, SGLang, Ollama, TGI, OpenAI); null = run the model in-process with transformers")
    api_key_env: str = field("OPENAI_API_KEY", help="Name of the environment variable holding the API key (the key itself is never written anywhere)")
    device: str = field("auto", help="transformers backend: auto | cpu | cuda | cuda:N")
    dtype: str = field("auto", help="transformers backend: auto (bf16 on GPU, fp32 on CPU) | float32 | bfloat16 | float16")
    decode: str = field("auto", help="transformers backend: auto (static-cache decoder with CUDA graphs on GPU for Llama/Mistral/Qwen2 models, generate() otherwise) | static | generate")
    compile: bool = field(False, help="transformers backend on CUDA, generate() path only: static KV cache + torch.compile (slow first batch)")
    # --- input columns
    question_col: str = field("question", help="Column holding the question")
    answer_col: str = field("answer", help="Column holding the clinical source answer")
    conversation_col: str | None = field(None, help="Column holding conversations (a list of {role, content} turns, OpenAI / TRL, or ShareGPT {from, value}; an optional system turn first); null = a `messages` or `conversations` column when the table has no question / answer columns")
    turns: Literal["last", "all"] = field("last", help="Conversations: which assistant turns become rewrite targets: last = the final one, all = every one; each is rewritten with the earlier turns in the prompt")
    source_name: str | None = field(None, help="Provenance label stored in the `source` column; null = input file name")
    # --- styles
    chosen_style: str = field("supportive", help="Style spec for the preferred answer")
    rejected_style: str = field("prescriptive", help="Style spec for the rejected answer")
    styles_dir: str | None = field(None, help="Directory of extra/overriding style YAML files; null = only the built-in styles")
    lang: str | None = field(None, help="Language of the source rows: en or es (es-MX, es-ES read as es); null = the top-level `lang`, else en; a `lang` column in the input overrides it per row. Spanish rows are rewritten with the Spanish variant of each style (`<style>_es`, e.g. supportive_es / prescriptive_es) when there is one, and the pairs carry a `lang` column")
    register: Literal["usted", "tu"] = field("usted", help="Spanish rows: usted (formal, the default) or tu (informal): `tu` picks the `<style>_es_tu` specs")
    # --- generation
    max_new_tokens: int = field(512, help="Token budget per generation; an output that hits it is quarantined as `truncated`, one that falls into a loop (a block repeated 3+ times) as `repetition` (a local model stops it early). 512 fits the styles: their longest few-shot rewrite is 85 tokens, 1.8x its source, so a 280-token source answer still fits")
    temperature: float = field(0.3, help="Sampling temperature (0 = greedy)")
    top_p: float = field(0.95, help="Nucleus sampling")
    seed: int = field(0, help="Sampling seed (recorded with each row)")
    batch_size: int = field(16, help="transformers backend: prompts per generate() call")
    # --- HTTP backend
    concurrency: int = field(16, help="HTTP backend: requests in flight at once")
    timeout_s: float = field(120.0, flag="--timeout", help="HTTP backend: seconds before a request is abandoned and retried")
    max_retries: int = field(4, help="HTTP backend: retries per request on 429 / 5xx / timeouts (exponential backoff with jitter)")
    # --- validation
    max_copy_similarity: float = field(0.9, help="Quarantine a variant as `near_copy` when its word-level similarity to the source answer (difflib ratio of the normalized words, in [0, 1]) is at or above this: a light edit of the source teaches no change of tone; 1.0 = only exact copies (`unchanged_source`)")
    min_length_ratio: float = field(0.35, help="Quarantine an output shorter than this fraction of the source answer (in words)")
    max_length_ratio: float = field(3.0, help="Quarantine an output longer than this multiple of the source answer (in words)")
    max_input_chars: int = field(20000, help="Quarantine a source answer longer than this many characters instead of sending it")
    chunk_rows: int = field(4096, help="Rows generated, cached and validated at a time (bounds memory on large inputs)")
    # --- safety and bookkeeping
    allow_phi: bool = field(False, help="Allow rows with detected PHI to be sent to a non-loopback endpoint (the same as phi: allow)")
    phi: Literal["refuse", "allow", "redact"] = field("refuse", help="Rows with detected PHI: refuse = refuse to send them to a non-loopback endpoint; allow = send them; redact = replace each PHI span in the question and source answer with a typed placeholder ([NAME], [PHONE], ...) before anything is generated, so only redacted text leaves the machine (and is written to the pairs)")
    phi_allow: list[str] = field(default_factory=list, help="Regular expressions of text that is never PHI (the same as filter.phi_allow)")
    limit: int | None = field(None, help="Only rewrite the first N rows (after de-duplication)")
    cache_path: str | None = field(None, help="SQLite cache for resume; null = OUT_DIR/.cache/rewrite.sqlite")
    # --- repair instead of discard
    redo: str | None = field(None, help="A `curate filter` output dir: regenerate only the failed side(s) of its dropped pairs (kept pairs pass through unchanged) instead of rewriting an input file; `curate rewrite --redo DIR -o OUT` without an input")

    def __post_init__(self) -> None:
        """Every option checked before any work starts (one line each; the CLI names the flag that set it)."""
        for name in ("max_new_tokens", "batch_size", "concurrency", "chunk_rows", "max_input_chars"):
            value = getattr(self, name)
            check(value >= 1, name, f"must be >= 1, got {value}")
        check(self.limit is None or self.limit >= 1, "limit", f"must be >= 1, got {self.limit}")
        check(finite(self.timeout_s) and self.timeout_s > 0, "timeout_s", f"must be a positive number of seconds, got {self.timeout_s}")
        check(self.max_retries >= 0, "max_retries", f"must be >= 0, got {self.max_retries}")
        check(finite(self.temperature) and 0 <= self.temperature <= 2, "temperature", f"must be in [0, 2] (0 = greedy), got {self.temperature}")
        check(finite(self.top_p) and 0 < self.top_p <= 1, "top_p", f"must be in (0, 1], got {self.top_p}")
        check(self.seed >= 0, "seed", f"must be >= 0, got {self.seed}")
        check(finite(self.max_copy_similarity) and 0 < self.max_copy_similarity <= 1, "max_copy_similarity",
              f"must be in (0, 1] (1 = only exact copies), got {self.max_copy_similarity}")
        check(finite(self.min_length_ratio) and self.min_length_ratio >= 0, "min_length_ratio",
              f"must be >= 0, got {self.min_length_ratio}")
        check(finite(self.max_length_ratio) and self.max_length_ratio > self.min_length_ratio, "max_length_ratio",
              f"must be above min_length_ratio ({self.min_length_ratio}), got {self.max_length_ratio}")
        check(self.decode in ("auto", "static", "generate"), "decode", f"must be auto, static or generate, got {self.decode!r}")
        check(self.dtype in ("auto", "float32", "bfloat16", "float16"), "dtype",
              f"must be auto, float32, bfloat16 or float16, got {self.dtype!r}")
        check(bool(re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", str(self.device))), "device",
              f"must be auto, cpu, mps, cuda or cuda:N, got {self.device!r}")
        check(self.turns in ("last", "all"), "turns", f"must be last or all, got {self.turns!r}")
        from curate.core import lang as _lang

        try:
            self.lang = _lang.check(self.lang)
        except ValueError as e:
            check(False, "lang", str(e))
        check(self.register in ("usted", "tu"), "register", f"must be usted or tu, got {self.register!r}")
        check(self.phi in ("refuse", "allow", "redact"), "phi", f"must be refuse, allow or redact, got {self.phi!r}")
        check(bool(self.chosen_style) and self.chosen_style != self.rejected_style, "rejected_style",
              f"must differ from chosen_style ({self.chosen_style!r})")
        check(bool(str(self.api_key_env).strip()), "api_key_env", "must name an environment variable")
