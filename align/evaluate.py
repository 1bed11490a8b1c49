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

from align.config import EvalConfig
from curate.core.conversations import CONVERSATION_INPUT_COLUMNS, PROBLEMS, context_json, context_turns, parse_turns
from curate.core.errors import UsageError
from curate.core.schema import DEFAULT_SYSTEM_PROMPT, DEFAULT_SYSTEM_PROMPT_ES  # the published data's system message: `align eval`'s fallback

# metric -> (label, higher is better)
METRICS = {
    "tone": ("supportive tone (-1..1)", True),
    "fkgl": ("reading grade (FKGL)", False),
    "facts_changed": ("facts lost + added vs reference", False),
    "similarity": ("similarity to reference", True),
    "words": ("words", None),
    "fernandez_huerta": ("reading ease (Fernández-Huerta, Spanish)", True),
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


def load_questions(cfg: EvalConfig) -> tuple[pl.DataFrame, str | None]:
    """The questions (first ``limit``) and their reference answers; also the column the references came from (the
    configured ``reference_column``, else ``reference`` or ``answer``; None = no reference answers)."""
    from curate.core.io import read_table

    if not cfg.questions:
        raise UsageError("no questions: pass --questions FILE (or align.eval.questions in the config)")
    df = read_table(cfg.questions)
    conversations = conversation_questions(df, cfg)
    if conversations is not None:
        return conversations
    col = cfg.question_column if cfg.question_column in df.columns else ("prompt" if "prompt" in df.columns else None)
    if col is None:
        raise UsageError(f"{cfg.questions}: no {cfg.question_column!r} column (columns: {', '.join(df.columns)})")
    contexts = None
    if col == "prompt" and df.schema["prompt"] != pl.Utf8:  # TRL message lists: the last user message, after the rest
        questions, contexts = [], []
        for msgs in df["prompt"].to_list():
            last = max((i for i, m in enumerate(msgs or []) if m["role"] == "user"), default=None)
            questions.append(msgs[last]["content"] if last is not None else None)
            # the earlier turns; the system message stays the eval's own (--system-prompt / the training one)
            earlier = [m for m in (msgs[:last] if last else []) if m["role"] != "system"]
            contexts.append(context_json(earlier) if earlier else None)
    else:
        questions = df[col].cast(pl.Utf8).to_list()
    out, ref_col = _with_references(df, cfg, questions, contexts)
    return out, ref_col


REFERENCE_TURN = "the conversation's last assistant turn"


def conversation_questions(df: pl.DataFrame, cfg: EvalConfig) -> tuple[pl.DataFrame, str | None] | None:
    """Questions from conversations (a ``messages`` / ``conversations`` column, and no question column): the last
    user turn of each, answered after the turns before it; a conversation that ends with an assistant turn is
    answered at its last user turn and that assistant turn is the reference.  None for a table of questions."""
    col = next((c for c in CONVERSATION_INPUT_COLUMNS if c in df.columns), None)
    if col is None or cfg.question_column in df.columns:
        return None
    where = cfg.questions
    questions, contexts, refs = [], [], []
    for i, value in enumerate(df[col].to_list()):
        turns, problem = parse_turns(value, open_end=True)
        if problem:
            raise UsageError(f"{where}: row {i}: {problem} ({PROBLEMS[problem]})")
        ref = turns.pop()["content"] if turns[-1]["role"] == "assistant" else None
        questions.append(turns[-1]["content"])
        contexts.append(context_json(turns[:-1]))
        refs.append(ref)
    return _finish(pl.DataFrame({"question": questions, "reference": refs, "context": contexts},
                                schema={"question": pl.Utf8, "reference": pl.Utf8, "context": pl.Utf8}),
                   REFERENCE_TURN if any(r is not None for r in refs) else None, cfg.limit, where)


def _with_references(df: pl.DataFrame, cfg: EvalConfig, questions: list, contexts: list | None):
    ref, ref_col = None, None
    for rc in (cfg.reference_column, "reference", "answer"):
        if rc in df.columns:
            ref, ref_col = df[rc], rc
            if ref.dtype != pl.Utf8:  # TRL 'chosen' message lists
                ref = pl.Series([m[-1]["content"] if m else None for m in ref.to_list()])
            break
    out = pl.DataFrame({"question": questions, "reference": ref.to_list() if ref is not None else [None] * len(questions)},
                       schema={"question": pl.Utf8, "reference": pl.Utf8})
    if contexts is not None and any(c is not None for c in contexts):
        out = out.with_columns(pl.Series("context", contexts, dtype=pl.Utf8))
    from curate.core.lang import LANG, row_langs

    if cfg.lang is not None or LANG in df.columns:  # the questions' language (English without either)
        out = out.with_columns(row_langs(df, cfg.lang or "en") if LANG in df.columns
                               else pl.Series(LANG, [cfg.lang] * out.height))
    return _finish(out, ref_col, cfg.limit, cfg.questions)


def _finish(out: pl.DataFrame, ref_col: str | None, cfg_limit: int | None, where) -> tuple[pl.DataFrame, str | None]:
    out = out.filter(pl.col("question").is_not_null() & (pl.col("question").str.strip_chars() != ""))
    if cfg_limit is not None:
        if cfg_limit < 1:  # EvalConfig refuses it; polars' head(-1) would mean "all but the last"
            raise UsageError(f"--limit must be >= 1, got {cfg_limit}")
        out = out.head(cfg_limit)
    if out.height == 0:
        raise UsageError(f"{where}: no questions to evaluate")
    if ref_col is not None and out["reference"].null_count() == out.height:
        ref_col = None
    return out, ref_col


def chat_messages(question: str, system_prompt: str, context=None) -> list[dict]:
    """What a model is asked: the system prompt (a conversation's own system turn instead, when it has one), the
    conversation's earlier turns, then the question (its last user turn)."""
    earlier = context_turns(context)
    system = [] if earlier and earlier[0]["role"] == "system" else [{"role": "system", "content": system_prompt}]
    return [*system, *earlier, {"role": "user", "content": question}]


def generate(model, tokenizer, questions: list[str], system_prompt: str, cfg: EvalConfig, label: str,
             contexts: list | None = None) -> list[str]:
    """``contexts``: per question, the earlier turns of its conversation (None = a single question)."""
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
            ctx = contexts[i:i + cfg.batch_size] if contexts is not None else [None] * len(chunk)
            texts = [tokenizer.apply_chat_template(chat_messages(q, system_prompt, c), tokenize=False,
                                                   add_generation_prompt=True) for q, c in zip(chunk, ctx)]
            enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(device)
            with torch.no_grad():
                out = model.generate(**enc, **gen_kwargs)
            new = out[:, enc["input_ids"].shape[1]:]
            answers += [t.strip() for t in tokenizer.batch_decode(new, skip_special_tokens=True)]
            progress.advance(task, len(chunk))
    return answers


def score_answers(answers: list[str], references: list[str | None], embedding_model: str | None,
                  langs: list[str] | None = None) -> pl.DataFrame:
    """``langs``: each answer's language (Spanish answers get the Spanish readability, tone and fact rules; the
    table then has a ``fernandez_huerta`` column)."""
    from filters import facts_diff, facts_diff_es, score_text

    langs = langs or ["en"] * len(answers)
    spanish = "es" in langs
    rows = []
    for a, ref, lang in zip(answers, references, langs):
        s = score_text(a, lang)
        row = {"tone": s["tone"], "fkgl": s.get("fkgl"), "words": s.get("words"), "cues": "; ".join(s["cues"][:8])}
        if spanish:
            row["fernandez_huerta"] = s.get("fernandez_huerta")
        if ref:
            lost, added = facts_diff_es(ref, a) if lang == "es" else facts_diff(ref, a)
            row.update(facts_lost="; ".join(lost), facts_added="; ".join(added), facts_changed=len(lost) + len(added))
        else:
            row.update(facts_lost=None, facts_added=None, facts_changed=None)
        rows.append(row)
    df = pl.DataFrame(rows, schema={"tone": pl.Float64, "fkgl": pl.Float64, "words": pl.Float64, "cues": pl.Utf8,
                                    **({"fernandez_huerta": pl.Float64} if spanish else {}),
                                    "facts_lost": pl.Utf8, "facts_added": pl.Utf8, "facts_changed": pl.Float64})
    sims: list[float | None] = [None] * len(answers)
    if any(references):
        from filters import similarity

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
            wins, losses = int((diff > 1e-9).sum()), int((diff < -1e-9).sum())
            row.update(win=wins / n, tie=float((diff.abs() <= 1e-9).sum() / n), loss=losses / n,
                       p_sign=sign_test(wins, losses))
        out.append(row)
    return out


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact sign test over the questions that were not ties: the chance of a split at least this uneven
    if neither model were better. With 4 questions the smallest possible value is 0.125."""
    import math

    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)


SMALL_N = 30  # below this many questions eval.md warns that the differences may be chance


def markdown_table(summary: list[dict], n: int, base_name: str, aligned_name: str) -> str:
    lines = [f"Held-out questions: {n}. Base: `{base_name}`. Aligned: `{aligned_name}`.", "",
             "| metric | base | aligned | Δ | aligned wins | ties | base wins | p (sign test) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in summary:
        wins = (f"{r['win']:.0%} | {r['tie']:.0%} | {r['loss']:.0%} | {r['p_sign']:.2f}" if "win" in r
                else "– | – | – | –")
        lines.append(f"| {r['label']} | {r['base']:.3f} | {r['aligned']:.3f} | {r['delta']:+.3f} | {wins} |")
    return "\n".join(lines) + "\n"


def sample_size_note(n: int) -> str | None:
    """The caveat eval.md gives when there are too few questions to tell a difference from chance."""
    if n >= SMALL_N:
        return None
    best = sign_test(n, 0)
    return (f"**Small sample: only {n} question{'s' if n != 1 else ''}.** Win rates and means over so few questions "
            f"can differ by chance alone: even if the aligned model won on every question, the sign test would give "
            f"p = {best:.2g}. Evaluate on at least {SMALL_N} held-out questions (better 100 or more) before drawing a "
            "conclusion.")


def reference_note(ref_col: str | None, cfg: EvalConfig) -> str:
    """Which column the reference answers (for facts and similarity) came from, and whether that was a fallback."""
    if ref_col is None:
        return (f"No reference answers (no `{cfg.reference_column}`, `reference` or `answer` column with text): facts "
                "and similarity to a reference were not scored.")
    if ref_col == REFERENCE_TURN:
        return f"Reference answers: {REFERENCE_TURN} (each conversation is answered at the user turn before it)."
    if ref_col != cfg.reference_column:
        return (f"Reference answers: column `{ref_col}`, because the questions have no `{cfg.reference_column}` "
                f"column (fell back from `{cfg.reference_column}` to `{ref_col}`; set align.eval.reference_column to "
                "choose).")
    return f"Reference answers: column `{ref_col}`."


def _quote(text: str | None, limit: int = 600) -> str:
    text = " ".join(str(text or "").split())
    if len(text) > limit:
        text = text[:limit].rstrip() + " …"
    return "> " + (text or "*(empty)*")


def examples_markdown(answers: pl.DataFrame, k: int) -> str:
    """The first ``k`` questions with both answers and their scores, so a reader sees what the numbers measure."""
    if k <= 0 or answers.height == 0:
        return ""
    lines = [f"## Example answers (first {min(k, answers.height)} of {answers.height})", ""]
    for i, r in enumerate(answers.head(k).iter_rows(named=True), 1):
        lines += [f"### {i}. {' '.join(str(r['question']).split())}", ""]
        if r.get("reference"):
            lines += ["Reference:", "", _quote(r["reference"]), ""]
        for side in ("base", "aligned"):
            tone, fkgl = r.get(f"{side}_tone"), r.get(f"{side}_fkgl")
            scores = ", ".join(x for x in (f"tone {tone:+.2f}" if tone is not None else "",
                                           f"grade {fkgl:.1f}" if fkgl is not None else "") if x)
            lines += [f"{side.capitalize()} ({scores}):", "", _quote(r[f"{side}_answer"]), ""]
    return "\n".join(lines)


def report_markdown(summary: list[dict], answers: pl.DataFrame, *, base_name: str, aligned_name: str,
                    ref_col: str | None, cfg: EvalConfig) -> str:
    """eval.md: the table, the sample-size caveat, where the references came from, example answers."""
    n = answers.height
    parts = [markdown_table(summary, n, base_name, aligned_name)]
    note = sample_size_note(n)
    if note:
        parts.append(note + "\n")
    same = sum(a == b for a, b in zip(answers["base_answer"].to_list(), answers["aligned_answer"].to_list()))
    if n and same == n:
        parts.append(f"The aligned model gave exactly the base model's answer to all {n} questions: training changed "
                     "nothing visible here (too few steps or too low a learning rate?).\n")
    elif same:
        parts.append(f"{same} of {n} aligned answers are identical to the base model's.\n")
    parts.append(reference_note(ref_col, cfg) + "\n")
    ex = examples_markdown(answers, cfg.examples)
    if ex:
        parts.append(ex)
    return "\n".join(parts)


def plot(summary: list[dict], target: Path) -> None:
    """Win rates in one panel; then one panel per metric for the means (each on its own scale: a reading grade of
    ~14 and a tone of ~-0.1 on one axis would flatten the tone bars to nothing)."""
    from curate.core.plots import figure, save_png

    rows = [r for r in summary if "win" in r]
    fig, axes = figure(1, 1 + len(rows), figsize=(4.6 + 2.4 * len(rows), 3.6))
    axes = list(axes) if len(rows) else [axes]
    names = [r["label"] for r in rows]
    axes[0].barh(names, [r["win"] for r in rows], color="tab:green", label="aligned wins")
    axes[0].barh(names, [r["tie"] for r in rows], left=[r["win"] for r in rows], color="0.8", label="tie")
    axes[0].barh(names, [r["loss"] for r in rows], left=[r["win"] + r["tie"] for r in rows], color="tab:red", label="base wins")
    axes[0].set_xlim(0, 1)
    axes[0].set_title("per-question win rate")
    axes[0].legend(fontsize=7, loc="lower right")
    for ax, r in zip(axes[1:], rows):
        ax.bar(["base", "aligned"], [r["base"], r["aligned"]], color=["tab:blue", "tab:orange"])
        ax.axhline(0, color="0.5", linewidth=0.6)
        better = "higher" if METRICS[r["metric"]][1] else "lower"
        ax.set_title(f"{r['label']}\n(mean; {better} is better)", fontsize=8)
        ax.tick_params(labelsize=8)
    save_png(fig, target)


def _load_base(model_id: str, dtype: str):
    from align.config import DPOTrainConfig
    from align.trainer import load_model

    return load_model(DPOTrainConfig(model=model_id, dtype=dtype, method="full"))


def _multi_turn(contexts: list | None) -> int:
    """Questions asked after earlier turns of a conversation (a system turn alone does not count)."""
    return sum(any(t["role"] != "system" for t in context_turns(c)) for c in contexts or [])


def run_eval(cfg: EvalConfig, *, model_dir: str | Path, out_dir: str | Path, overwrite: bool = False) -> dict:
    import torch

    from align.builtin import is_builtin, smoke_warning
    from align.trainer import load_tokenizer
    from curate.core.clikit import err_console
    from curate.core.io import staged_output_dir, write_json, write_table, write_text
    from curate.core.manifest import Timer, build_manifest
    from curate.core.outputs import check_output_dir, replacing

    aligned_dir, manifest = resolve_model_dir(model_dir)
    plan = check_output_dir(out_dir, overwrite=overwrite, flag="-o", inputs=[model_dir, cfg.questions])
    questions, ref_col = load_questions(cfg)
    base_id = cfg.base or manifest.get("config", {}).get("model")
    if not base_id:
        raise UsageError(f"{model_dir}: no base model recorded; pass --base ID (or --base builtin)")
    if is_builtin(base_id):
        err_console.print(f"warning: {smoke_warning('base model builtin')}", markup=False)
    spanish = "lang" in questions.columns and (questions["lang"] == "es").mean() > 0.5
    system_prompt = cfg.system_prompt or manifest.get("system_prompt") or (DEFAULT_SYSTEM_PROMPT_ES if spanish else DEFAULT_SYSTEM_PROMPT)
    out_dir = Path(out_dir)
    timer = Timer()
    tokenizer = load_tokenizer(str(aligned_dir))  # saved by `align dpo`, with its pad / template preparation
    qs, refs = questions["question"].to_list(), questions["reference"].to_list()
    contexts = questions["context"].to_list() if "context" in questions.columns else None
    with timer("generate_base"):
        model = _load_base(base_id, cfg.dtype)
        if model.get_input_embeddings().num_embeddings < len(tokenizer):
            model.resize_token_embeddings(len(tokenizer))
        base_answers = generate(model, tokenizer, qs, system_prompt, cfg, "base", contexts)
    with timer("generate_aligned"):
        if (aligned_dir / "adapter_config.json").is_file():
            from peft import PeftModel

            model = PeftModel.from_pretrained(model, str(aligned_dir)).merge_and_unload()
        else:
            del model
            model = _load_base(str(aligned_dir), cfg.dtype)
        aligned_answers = generate(model, tokenizer, qs, system_prompt, cfg, "aligned", contexts)
        del model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    with timer("score"):
        langs = questions["lang"].to_list() if "lang" in questions.columns else None
        sb = score_answers(base_answers, refs, cfg.embedding_model, langs)
        sa = score_answers(aligned_answers, refs, cfg.embedding_model, langs)
    summary = summarize(sb, sa)
    answers = pl.concat([questions.with_columns(pl.Series("base_answer", base_answers), pl.Series("aligned_answer", aligned_answers)),
                         sb.rename(lambda c: f"base_{c}"), sa.rename(lambda c: f"aligned_{c}")], how="horizontal")
    table = markdown_table(summary, len(qs), base_id, str(model_dir))
    report = report_markdown(summary, answers, base_name=base_id, aligned_name=str(model_dir), ref_col=ref_col, cfg=cfg)
    result = build_manifest("align.eval", cfg, inputs={"model": str(model_dir), "base": base_id, "questions": cfg.questions},
                            counts={"questions": len(qs), "multi_turn": _multi_turn(contexts)}, timings=timer.timings, system_prompt=system_prompt,
                            reference_column=ref_col, reference_fallback=ref_col is not None and ref_col != cfg.reference_column,
                            small_sample=len(qs) < SMALL_N, summary=summary)
    with replacing(plan), staged_output_dir(out_dir) as stage:
        write_text(report, stage / "eval.md")
        write_json({**result, "rows": answers.drop([c for c in answers.columns if c.endswith("cues")]).to_dicts()},
                   stage / "eval.json")
        write_table(answers, stage / "answers.parquet")
        plot(summary, stage / "eval.png")
        write_json(result, stage / "manifest.json")
    result["table_markdown"] = table
    return result
