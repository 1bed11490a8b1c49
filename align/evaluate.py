"""``align eval``: base vs aligned answers to held-out questions, scored with the product's own filters.

For each question both models answer (batched greedy generation with the chat template and the training system
prompt).  Each answer is scored with ``filters.score_text`` (tone in [-1, 1], Flesch-Kincaid grade) and, when a
reference answer is given, ``filters.facts_diff`` (facts lost / added against it) and sentence-embedding
similarity to it.  Per metric: the means, and the aligned model's win / tie / loss rate over questions.
Outputs: ``eval.md`` (the table), ``eval.json`` (summary + per-question rows), ``eval.png``, ``answers.parquet``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from align.config import DEFAULT_SYSTEM_PROMPT, EvalConfig
from curate.errors import UsageError

# metric -> (label, higher is better)
METRICS = {
    "tone": ("supportive tone (-1..1)", True),
    "fkgl": ("reading grade (FKGL)", False),
    "facts_changed": ("facts lost + added vs reference", False),
    "similarity": ("similarity to reference", True),
    "words": ("words", None),
}


def resolve_model_dir(model: str | Path) -> tuple[Path, dict]:
    """``align dpo``'s OUT, OUT/final or OUT/merged -> (dir with weights or adapter, training manifest)."""
    from align.trainer import read_manifest

    p = Path(model)
    if not p.exists():
        raise UsageError(f"{p}: no such model directory")
    if (p / "final").is_dir():
        p = p / "final"
    if not ((p / "adapter_config.json").is_file() or (p / "config.json").is_file()):
        raise UsageError(f"{p}: neither an adapter (adapter_config.json) nor a model (config.json)")
    return p, read_manifest(p)


def load_questions(cfg: EvalConfig) -> pl.DataFrame:
    from curate.io import read_table

    if not cfg.questions:
        raise UsageError("no questions: pass --questions FILE (or align.eval.questions in the config)")
    df = read_table(cfg.questions)
    col = cfg.question_column if cfg.question_column in df.columns else ("prompt" if "prompt" in df.columns else None)
    if col is None:
        raise UsageError(f"{cfg.questions}: no {cfg.question_column!r} column (columns: {', '.join(df.columns)})")
    if col == "prompt" and df.schema["prompt"] != pl.Utf8:  # TRL message lists: the last user message
        questions = [next((m["content"] for m in reversed(msgs) if m["role"] == "user"), None) for msgs in df["prompt"].to_list()]
    else:
        questions = df[col].cast(pl.Utf8).to_list()
    ref = None
    for rc in (cfg.reference_column, "reference", "answer"):
        if rc in df.columns:
            ref = df[rc]
            if ref.dtype != pl.Utf8:  # TRL 'chosen' message lists
                ref = pl.Series([m[-1]["content"] if m else None for m in ref.to_list()])
            break
    out = pl.DataFrame({"question": questions, "reference": ref.to_list() if ref is not None else [None] * len(questions)},
                       schema={"question": pl.Utf8, "reference": pl.Utf8})
    out = out.filter(pl.col("question").is_not_null() & (pl.col("question").str.strip_chars() != ""))
    if cfg.limit is not None:
        out = out.head(cfg.limit)
    if out.height == 0:
        raise UsageError(f"{cfg.questions}: no questions to evaluate")
    return out


def generate(model, tokenizer, questions: list[str], system_prompt: str, cfg: EvalConfig, label: str) -> list[str]:
    import torch
    from rich.progress import Progress

    tokenizer.padding_side = "left"
    device = next(model.parameters()).device
    model.eval()
    answers: list[str] = []
    gen_kwargs: dict[str, Any] = {"max_new_tokens": cfg.max_new_tokens, "do_sample": cfg.do_sample,
                                  "pad_token_id": tokenizer.pad_token_id, "eos_token_id": tokenizer.eos_token_id}
    if cfg.do_sample:
        gen_kwargs["temperature"] = cfg.temperature
        torch.manual_seed(cfg.seed)
    with Progress(transient=True) as progress:
        task = progress.add_task(f"generating ({label})", total=len(questions))
        for i in range(0, len(questions), cfg.batch_size):
            chunk = questions[i:i + cfg.batch_size]
            texts = [tokenizer.apply_chat_template([{"role": "system", "content": system_prompt},
                                                    {"role": "user", "content": q}],
                                                   tokenize=False, add_generation_prompt=True) for q in chunk]
            enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(device)
            with torch.no_grad():
                out = model.generate(**enc, **gen_kwargs)
            new = out[:, enc["input_ids"].shape[1]:]
            answers += [t.strip() for t in tokenizer.batch_decode(new, skip_special_tokens=True)]
            progress.advance(task, len(chunk))
    return answers


def score_answers(answers: list[str], references: list[str | None], embedding_model: str | None) -> pl.DataFrame:
    from filters import facts_diff, score_text

    rows = []
    for a, ref in zip(answers, references):
        s = score_text(a)
        row = {"tone": s["tone"], "fkgl": s["fkgl"], "words": s.get("words"), "cues": "; ".join(s["cues"][:8])}
        if ref:
            lost, added = facts_diff(ref, a)
            row.update(facts_lost="; ".join(lost), facts_added="; ".join(added), facts_changed=len(lost) + len(added))
        else:
            row.update(facts_lost=None, facts_added=None, facts_changed=None)
        rows.append(row)
    df = pl.DataFrame(rows, schema={"tone": pl.Float64, "fkgl": pl.Float64, "words": pl.Float64, "cues": pl.Utf8,
                                    "facts_lost": pl.Utf8, "facts_added": pl.Utf8, "facts_changed": pl.Float64})
    sims: list[float | None] = [None] * len(answers)
    if any(references):
        from filters.meaning import similarity

        path = None if embedding_model.endswith("all-MiniLM-L6-v2") and not Path(embedding_model).exists() else embedding_model
        sims = similarity(list(references), answers, model_path=path)
    return df.with_columns(pl.Series("similarity", sims, dtype=pl.Float64))


def summarize(base: pl.DataFrame, aligned: pl.DataFrame) -> list[dict]:
    out = []
    for m, (label, higher) in METRICS.items():
        if m not in base.columns or base[m].null_count() == base.height:
            continue
        b, a = base[m], aligned[m]
        row = {"metric": m, "label": label, "base": b.mean(), "aligned": a.mean(), "delta": a.mean() - b.mean(),
               "n": int((b.is_not_null() & a.is_not_null()).sum())}
        if higher is not None:
            diff = (a - b) if higher else (b - a)
            diff = diff.drop_nulls()
            n = max(diff.len(), 1)
            row.update(win=float((diff > 1e-9).sum() / n), tie=float((diff.abs() <= 1e-9).sum() / n),
                       loss=float((diff < -1e-9).sum() / n))
        out.append(row)
    return out


def markdown_table(summary: list[dict], n: int, base_name: str, aligned_name: str) -> str:
    lines = [f"Held-out questions: {n}. Base: `{base_name}`. Aligned: `{aligned_name}`.", "",
             "| metric | base | aligned | Δ | aligned wins | ties | base wins |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in summary:
        wins = (f"{r['win']:.0%} | {r['tie']:.0%} | {r['loss']:.0%}" if "win" in r else "– | – | –")
        lines.append(f"| {r['label']} | {r['base']:.3f} | {r['aligned']:.3f} | {r['delta']:+.3f} | {wins} |")
    return "\n".join(lines) + "\n"


def plot(summary: list[dict], target: Path) -> None:
    from curate.plots import figure, save_png

    rows = [r for r in summary if "win" in r]
    fig, axes = figure(1, 2, figsize=(11, 3.6))
    names = [r["label"] for r in rows]
    axes[0].barh(names, [r["win"] for r in rows], color="tab:green", label="aligned wins")
    axes[0].barh(names, [r["tie"] for r in rows], left=[r["win"] for r in rows], color="0.8", label="tie")
    axes[0].barh(names, [r["loss"] for r in rows], left=[r["win"] + r["tie"] for r in rows], color="tab:red", label="base wins")
    axes[0].set_xlim(0, 1)
    axes[0].set_title("per-question win rate")
    axes[0].legend(fontsize=7, loc="lower right")
    x = range(len(rows))
    axes[1].bar([i - 0.2 for i in x], [r["base"] for r in rows], width=0.4, label="base")
    axes[1].bar([i + 0.2 for i in x], [r["aligned"] for r in rows], width=0.4, label="aligned")
    axes[1].set_xticks(list(x), [r["metric"] for r in rows], fontsize=8)
    axes[1].set_title("means")
    axes[1].legend(fontsize=7)
    save_png(fig, target)


def _load_base(model_id: str, dtype: str):
    from align.config import DPOTrainConfig
    from align.trainer import load_model

    return load_model(DPOTrainConfig(model=model_id, dtype=dtype, method="full"))


def run_eval(cfg: EvalConfig, *, model_dir: str | Path, out_dir: str | Path) -> dict:
    import torch

    from align.trainer import load_tokenizer
    from curate.io import staged_output_dir, write_json, write_table, write_text
    from curate.manifest import Timer, build_manifest

    aligned_dir, manifest = resolve_model_dir(model_dir)
    questions = load_questions(cfg)
    base_id = cfg.base or manifest.get("config", {}).get("model")
    if not base_id:
        raise UsageError(f"{model_dir}: no base model recorded; pass --base ID")
    system_prompt = cfg.system_prompt or manifest.get("system_prompt") or DEFAULT_SYSTEM_PROMPT
    out_dir = Path(out_dir)
    timer = Timer()
    tokenizer = load_tokenizer(str(aligned_dir))  # saved by `align dpo`, with its pad / template preparation
    qs, refs = questions["question"].to_list(), questions["reference"].to_list()
    with timer("generate_base"):
        model = _load_base(base_id, cfg.dtype)
        if model.get_input_embeddings().num_embeddings < len(tokenizer):
            model.resize_token_embeddings(len(tokenizer))
        base_answers = generate(model, tokenizer, qs, system_prompt, cfg, "base")
    with timer("generate_aligned"):
        if (aligned_dir / "adapter_config.json").is_file():
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(aligned_dir)).merge_and_unload()
        else:
            del model
            model = _load_base(str(aligned_dir), cfg.dtype)
        aligned_answers = generate(model, tokenizer, qs, system_prompt, cfg, "aligned")
        del model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    with timer("score"):
        sb = score_answers(base_answers, refs, cfg.embedding_model)
        sa = score_answers(aligned_answers, refs, cfg.embedding_model)
    summary = summarize(sb, sa)
    table = markdown_table(summary, len(qs), base_id, str(model_dir))
    answers = pl.concat([questions.with_columns(pl.Series("base_answer", base_answers), pl.Series("aligned_answer", aligned_answers)),
                         sb.rename(lambda c: f"base_{c}"), sa.rename(lambda c: f"aligned_{c}")], how="horizontal")
    result = build_manifest("align.eval", cfg, inputs={"model": str(model_dir), "base": base_id, "questions": cfg.questions},
                            counts={"questions": len(qs)}, timings=timer.timings, system_prompt=system_prompt,
                            summary=summary)
    with staged_output_dir(out_dir) as stage:
        write_text(table, stage / "eval.md")
        write_json({**result, "rows": answers.drop([c for c in answers.columns if c.endswith("cues")]).to_dicts()},
                   stage / "eval.json")
        write_table(answers, stage / "answers.parquet")
        plot(summary, stage / "eval.png")
    result["table_markdown"] = table
    return result
