"""The dataset card (``README.md``): YAML metadata the Hub reads, then what a reviewer needs to trust the data.

Sections: summary, format, how it was made (rewrite model, prompt versions, style specs; or "imported pairs"),
filters (every threshold and every drop count from the filter manifest, and what each check did: a skipped check is
shown as skipped), review (annotators, an agreement table with its sample sizes, corrections), per-split
statistics (grade, SMOG, tone and length of chosen vs rejected), intended use, limitations, PHI statement, effective
config.

The card claims only what holds for the data: pairs published with ``allow_unfiltered`` are said to be NOT
filtered (no thresholds, no ``cluster_id`` grouping); pairs with no source answer and no rewrite provenance are
described as imported, never as rewritten from a source; and scores the table lacks are computed here with the
filter stage's own scorers (marked as such) rather than shown as n/a.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import polars as pl
import yaml

from curate.core import schema as S
from curate.core.configlib import to_dict
from curate.core.schema import (CHOSEN_STYLE, CONTEXT, GENERATION_PARAMS, PROMPT_VERSION, REJECTED_STYLE, REWRITE_MODEL,
                           SOURCE_ANSWER)

SIDES = ("chosen", "rejected")
LOCAL_ONLY = ("to_dir", "filter_manifest")  # local paths: not for a card that may be pushed to the Hub
METRICS = {"fkgl": "Flesch-Kincaid grade", "smog": "SMOG index", "tone": "tone (supportive > 0 > prescriptive)"}
# the readability of Spanish rows (the filter stage adds it only to tables that have some)
SPANISH_METRICS = {"fernandez_huerta": "Fernández-Huerta reading ease (Spanish rows; higher = easier)",
                   "szigriszt_pazos": "Szigriszt-Pazos / INFLESZ (Spanish rows; higher = easier)"}
STAT_LABELS = {"fkgl": "grade", "smog": "SMOG", "tone": "tone", "words": "words"}
REWRITE_COLUMNS = (REWRITE_MODEL, CHOSEN_STYLE, REJECTED_STYLE, PROMPT_VERSION)  # rewrite provenance


def size_category(n: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
                         (10_000_000, "1M<n<10M")):
        if n < limit:
            return label
    return "10M<n<100M"


def metadata(cfg, n_rows: int, splits: list[str], pretty_name: str) -> dict:
    return {
        "license": cfg.license,
        "language": list(cfg.language or ["en"]),
        "pretty_name": pretty_name,
        "task_categories": ["text-generation"],
        "tags": list(cfg.tags),
        "size_categories": [size_category(n_rows)],
        "configs": [{"config_name": "default",
                     "data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in splits]}],
    }


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}{k}."))
        return out if out or not prefix else {prefix[:-1]: "{}"}
    return {prefix[:-1]: obj}


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return " ".join(str(text).split()).replace("|", "\\|")


def score_column(df: pl.DataFrame, metric: str, side: str) -> str | None:
    for name in (f"{metric}_{side}", f"{side}_{metric}"):
        if name in df.columns and df.schema[name].is_numeric():
            return name
    return None


def answer_text(df: pl.DataFrame, side: str) -> pl.Series:
    """The answer of one side as text: the content of its (first) message, or the plain string column."""
    t = df.schema[side]
    if isinstance(t, pl.List) and isinstance(t.inner, pl.Struct):
        return df[side].list.first().struct.field("content").cast(pl.Utf8).rename(side)
    return df[side].cast(pl.Utf8)


def computed_scores(df: pl.DataFrame, metric: str, side: str) -> pl.Series:
    """A score the table does not carry, computed with the filter stage's own scorer (no threshold applied)."""
    if metric in ("fkgl", "smog"):
        from filters import readability_frame as frame
    else:
        from filters import tone_frame as frame
    out = frame(pl.DataFrame([answer_text(df, side).rename("t")]), "t")
    return out[f"{metric}_t"]


def _mean_median(s: pl.Series) -> tuple[float | None, float | None]:
    s = s.drop_nulls()
    return (round(float(s.mean()), 2), round(float(s.median()), 2)) if s.len() else (None, None)


def split_stats(name: str, df: pl.DataFrame) -> dict:
    """Rows, distinct questions, and mean / median grade, tone and words of chosen vs rejected.  Grade and tone
    come from the filter stage's columns; where the table has none they are computed here (``*_computed``)."""
    from curate.core.schema import QUESTION, question_key_expr

    stats: dict[str, Any] = {"split": name, "rows": df.height}
    if QUESTION in df.columns:
        from curate.core.conversations import with_dialogue_text

        keyed, question = with_dialogue_text(df)  # a conversation counts as one question with its earlier turns
        stats["questions"] = keyed.select(question_key_expr(question).n_unique()).item() if df.height else 0
    if not df.height:
        return stats
    for metric in (*METRICS, *SPANISH_METRICS):
        for side in SIDES:
            col = score_column(df, metric, side)
            if col is None and metric in SPANISH_METRICS:
                continue  # only tables with Spanish rows carry it
            if col is not None:
                values = df[col]
            elif side in df.columns:
                values = computed_scores(df, metric, side)
                stats[f"{metric}_{side}_computed"] = True
            else:
                continue
            stats[f"{metric}_{side}_mean"], stats[f"{metric}_{side}_median"] = _mean_median(values)
    for side in SIDES:
        if side in df.columns:
            words = answer_text(df, side).str.count_matches(r"\S+")
            stats[f"words_{side}_mean"], stats[f"words_{side}_median"] = _mean_median(words)
    return stats


def _unique(df: pl.DataFrame, col: str, limit: int = 10) -> list[str]:
    if col not in df.columns:
        return []
    return [str(v) for v in df[col].drop_nulls().unique(maintain_order=True).head(limit).to_list()]


def _style_specs(names: list[str]) -> list[tuple[str, str]]:
    try:
        from rewrite import builtin_style
    except Exception:  # the rewrite package is optional for publishing a table made elsewhere
        return []
    out = []
    for name in names:
        try:
            spec = builtin_style(name)
        except Exception:
            continue
        if spec is not None:
            out.append((spec.prompt_version, spec.description))
    return out


def reasons_by_setting() -> dict[str, list[str]]:
    """``{setting: [drop reason, ...]}``: what the filters declare (``filters.REASON_SETTINGS``: reason -> the
    settings that switch it on or set its threshold), inverted."""
    from filters import REASON_SETTINGS

    out: dict[str, list[str]] = {}
    for reason, settings in REASON_SETTINGS.items():
        for setting in settings:
            out.setdefault(setting, []).append(reason)
    return out


def provenance(df: pl.DataFrame, manifests: dict[str, dict]) -> dict:
    """Where the pairs came from, as far as the data shows: rows with a source answer; rewritten (a rewrite manifest
    upstream, or any rewrite-provenance value: rewrite model, style, prompt version); imported = neither."""
    with_source = 0
    if SOURCE_ANSWER in df.columns:
        text = df[SOURCE_ANSWER].cast(pl.Utf8)
        with_source = int((text.is_not_null() & (text.str.strip_chars().str.len_chars() > 0)).sum())
    rewritten = "rewrite" in manifests or any(c in df.columns and df[c].drop_nulls().len() > 0 for c in REWRITE_COLUMNS)
    return {"rows": df.height, "with_source": with_source, "rewritten": rewritten,
            "imported": with_source == 0 and not rewritten}


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{100 * float(x):.1f}%"


def _num(x: Any, items: Any = None) -> str:
    if x is None:
        return "n/a"
    return f"{float(x):.3f}" + (f" (n = {items})" if items is not None else "")


def agreement_table(agreement: Any) -> list[str]:
    """The review manifest's ``agreement`` (``{question: curate.review.agreement.agreement_summary}``) as a markdown
    table with its sample sizes; [] when it is not in that shape."""
    if not isinstance(agreement, dict) or not agreement or not all(
            isinstance(a, dict) and "items_with_2plus_ratings" in a for a in agreement.values()):
        return []
    lines = ["| question | annotators | pairs rated by ≥ 2 | % agreement | Krippendorff's alpha | Fleiss' kappa "
             "| Cohen's kappa |", "|---|---:|---:|---:|---:|---:|---:|"]
    for q, a in agreement.items():
        lines.append(f"| {_cell(q)} | {a.get('annotators', 'n/a')} | {a['items_with_2plus_ratings']} | "
                     f"{_pct(a.get('percent_agreement'))} | {_num(a.get('krippendorff_alpha'))} | "
                     f"{_num(a.get('fleiss_kappa'), a.get('fleiss_items'))} | "
                     f"{_num(a.get('cohen_kappa'), a.get('cohen_items')) if 'cohen_kappa' in a else 'n/a (not 2 annotators)'} |")
    return lines


def conversation_section(published: pl.DataFrame, system_prompt: str) -> list[str]:
    """The card's lines on rows made from conversations: how many are multi-turn, their turn counts, own system turns."""
    prompts = published["prompt"].to_list() if "prompt" in published.columns else []
    # turns of the conversation up to the target: the prompt's user / assistant messages + the answer
    turns = [sum(m["role"] != "system" for m in p) + 1 for p in prompts]
    multi = [t for t in turns if t > 2]
    own = sum(1 for p in prompts if p and p[0]["role"] == "system" and p[0]["content"] != system_prompt)
    counts = sorted(Counter(turns).items())
    L = ["### Conversations", "",
         f"{len(multi)} of {len(turns)} rows are multi-turn: their `prompt` holds the earlier turns of a conversation "
         "(user and assistant messages, in order) before the last user turn, and `chosen` / `rejected` are two "
         "rewrites of the assistant turn that answered it. The earlier assistant turns are the conversation's own, "
         "not rewritten.", "",
         "| turns (up to and including the answer) | rows |", "|---|---|", *[f"| {t} | {n} |" for t, n in counts], ""]
    if multi:
        L += [f"Multi-turn rows have {min(multi)} to {max(multi)} turns (mean {sum(multi) / len(multi):.1f}).", ""]
    if own:
        L += [f"{own} rows keep their conversation's own system turn as their system message instead of the one "
              "above.", ""]
    return L


def _find(obj: Any, words: tuple[str, ...]) -> dict[str, Any]:
    """Flattened entries of a manifest whose key mentions one of ``words``."""
    return {k: v for k, v in flatten(obj).items() if any(w in k.lower() for w in words)}


def render(*, cfg, train: pl.DataFrame, test: pl.DataFrame, manifests: dict[str, dict], gate_counts: dict,
           pretty_name: str, source_rows: int, filtered: bool = True, split_by_cluster: bool = True,
           source_kind: str = "a table file", original: pl.DataFrame | None = None) -> str:
    """``filtered``: `curate filter` decided about these rows (False: published with ``allow_unfiltered``);
    ``split_by_cluster``: the split grouped by the filter's ``cluster_id`` as well as by normalized question;
    ``original``: the table as given, before formatting (what ``provenance`` reads; default: the splits)."""
    splits = {"train": train} if test.height == 0 else {"train": train, "test": test}
    everything = pl.concat(list(splits.values()), how="diagonal_relaxed")
    prov = provenance(original if original is not None else everything, manifests)
    imported, no_source = prov["imported"], prov["rows"] - prov["with_source"]
    meta = metadata(cfg, everything.height, list(splits), pretty_name)
    L: list[str] = ["---", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True).rstrip(), "---", ""]
    L += [f"# {pretty_name}", ""]

    if imported:
        facts = ("imported as given: the data has no source answer and no rewrite provenance (no rewrite model, "
                 "style or prompt version), so it does not say how the answers were written. " + (
                     "The filter stage compared the rejected answer's facts (numbers, doses, frequencies, drug and "
                     "condition names) with the chosen answer's; with no source answer, neither side was checked "
                     "against a clinical source and the meaning check could not run" if filtered else
                     "Nothing checked that the two answers carry the same medical facts (**not checked**: see below)"))
    else:
        made = "rewritten from" if prov["rewritten"] else "written from"
        facts = (f"both {made} the same clinical source answer so that they carry **the same medical facts** and "
                 "differ in tone and readability only" if filtered else
                 "both meant to restate the same clinical source answer with the same medical facts (**not checked**: see "
                 "below)")
        if not prov["rewritten"]:
            facts += " (the source answer is in the data; no rewrite model or style is recorded)"
        if no_source:
            facts += (f". {no_source} of {prov['rows']} pairs have no source answer: their rejected answer's facts "
                      "were compared with the chosen answer's only" if filtered else
                      f". {no_source} of {prov['rows']} pairs have no source answer")
    L += ["## Summary", "",
          f"{everything.height} preference pairs for DPO: a caregiver's or patient's question, a **supportive** answer "
          "(chosen: warm, polite, plain language) and a **prescriptive** answer (rejected: directive, technical, cold), "
          f"{facts}. Built with empathy-curate, after \"Empathy by Design\" (Umucu et al., arXiv 2512.06097).", ""]
    if "es" in (cfg.language or []):
        L += spanish_summary(everything, splits, filtered)
    if not filtered:
        L += [f"> **These pairs were NOT filtered.** They were published from {source_kind} with `allow_unfiltered`: "
              "none of the filter stage's checks (readability, tone, facts kept and added, meaning similarity, PHI "
              "flags, near-duplicates) ran on them and no row was dropped by them. Only the publish gates ran: a PHI "
              "scan of every free-text column and a check for empty texts.", ""]
    L += ["| split | rows |", "|---|---|", *[f"| {s} | {d.height} |" for s, d in splits.items()], ""]

    L += ["## Format", "",
          "TRL's conversational preference format: `prompt` is a list of messages (the system message, then the user's "
          "question), `chosen` and `rejected` are one assistant message each. `trl.DPOTrainer` takes a split as is.", "",
          "The system prompt, the same on every row:", "", "```text", cfg.system_prompt, "```", "",
          "Other columns: " + ", ".join(f"`{c}`" for c in everything.columns if c not in ("prompt", "chosen", "rejected")) + ".",
          "", "```python", "from datasets import load_dataset",
          f"ds = load_dataset({(cfg.repo_id or 'path/to/this/directory')!r})",
          "```", ""]

    if original is not None and CONTEXT in original.columns:
        L += conversation_section(everything, cfg.system_prompt)

    rw = manifests.get("rewrite", {})
    L += ["## How it was made", ""]
    if imported:
        L += ["### Origin: imported pairs", "",
              "- The pairs were imported as given: the data has no source answer and no rewrite provenance (no "
              "rewrite model, prompt version or style columns, and no `curate rewrite` manifest upstream). They were "
              "not generated by `curate rewrite`; who wrote them and how is not recorded here."]
    else:
        L += ["### Rewrite", ""]
        models = _unique(everything, REWRITE_MODEL)
        L.append(f"- Rewrite model(s): {', '.join(f'`{m}`' for m in models) or 'not recorded'}")
        L.append(f"- Prompt versions: {', '.join(f'`{v}`' for v in _unique(everything, PROMPT_VERSION)) or 'not recorded'}")
        chosen_styles, rejected_styles = _unique(everything, CHOSEN_STYLE), _unique(everything, REJECTED_STYLE)
        if chosen_styles or rejected_styles:
            L.append(f"- Styles: chosen = {', '.join(chosen_styles) or 'not recorded'}, "
                     f"rejected = {', '.join(rejected_styles) or 'not recorded'}")
        else:
            L.append("- Styles: not recorded")
    style_names = _unique(everything, CHOSEN_STYLE) + _unique(everything, REJECTED_STYLE)
    specs = rw.get("styles") or {}
    if specs:  # the rewrite manifest has the specs that were actually used (built-in or from styles_dir)
        for name, spec in specs.items():
            L.append(f"  - `{spec.get('prompt_version', name)}` ({spec.get('role', '?')}): {spec.get('description', '')}")
    else:
        for version, description in _style_specs(style_names):
            L.append(f"  - `{version}`: {description}")
    params = _unique(everything, GENERATION_PARAMS, limit=3)
    if params:
        L.append(f"- Generation parameters: {', '.join(f'`{p}`' for p in params)}")
    if rw.get("counts"):
        L.append(f"- Rewrite stage counts: {_cell(rw['counts'])}")
    for name, spec in specs.items():
        L += ["", f"<details><summary>Style spec <code>{spec.get('prompt_version', name)}</code></summary>", "",
              "System message:", "", "```text", str(spec.get("system", "")).strip(), "```", "",
              "Instructions:", "", "```text", str(spec.get("instructions", "")).strip(), "```", "", "</details>"]
    L.append("")

    fm = manifests.get("filter") if filtered else None
    L += ["### Filters", ""]
    if not filtered:
        L.append("**Not filtered**: `curate filter` did not run on these pairs (published with `allow_unfiltered`), "
                 "so no readability, tone, fact, meaning, PHI or near-duplicate threshold applies to them.")
    elif fm:
        counts = fm.get("counts", {})
        drops = counts.get("drops_by_reason", {}) or {}
        rows_in = next((counts[k] for k in ("input_rows", "rows_in", "input") if k in counts), "?")
        L += [f"Rows in: {rows_in}, kept: {counts.get('kept', '?')}, "
              f"dropped: {counts.get('dropped', sum(drops.values()) if drops else '?')}.", "",
              "Every setting of the filter stage, with the drop reason it controls and how many rows that reason dropped:",
              "", "| setting | value | drop reason | rows dropped |", "|---|---|---|---|"]
        reasons_of = reasons_by_setting()
        checks = fm.get("checks") if isinstance(fm.get("checks"), dict) else {}
        from filters import SETTINGS_OF

        for k, v in flatten(fm.get("config", {})).items():
            # a reason family: `duplicate` covers near_duplicate / exact_duplicate in the counts
            rs = [r for x in reasons_of.get(k, []) for r in [x, *sorted(d for d in drops if d.endswith("_" + x))]]
            rs = list(dict.fromkeys(rs))
            status = str(checks.get(SETTINGS_OF.get(k, ""), ""))
            skipped = f" ({_cell(status)})" if status.startswith("skipped") else ""
            L.append(f"| `{k}` | {_cell(v)}{skipped} | {', '.join(f'`{r}`' for r in rs) or '-'} | "
                     f"{', '.join(str(drops.get(r, 0)) for r in rs) or '-'} |")
        if checks:
            L += ["", "What each check did on the filter's input (a skipped check decided nothing):", "",
                  "| check | status |", "|---|---|", *[f"| `{_cell(c)}` | {_cell(st)} |" for c, st in checks.items()]]
        L += ["", "Rows dropped, by reason (a row can have several reasons):", "", "| reason | rows dropped |", "|---|---|"]
        L += [f"| `{r}` | {n} |" for r, n in sorted(drops.items(), key=lambda kv: (-kv[1], kv[0]))] or ["| (none) | 0 |"]
    else:
        L.append("No filter-stage manifest was found for this data: its thresholds and drop counts are unknown.")
    L.append("")

    rv = manifests.get("review")
    L += ["### Review", ""]
    if rv or S.REVIEW_STATUS in everything.columns:
        if rv:
            table = agreement_table(rv.get("agreement"))
            # the agreement table, when the manifest has one, replaces the flattened agreement entries
            skip = ("config", "versions", "counts", *(("agreement",) if table else ()))
            searched = {"counts": rv.get("counts", {}), **{k: v for k, v in rv.items() if k not in skip}}
            labels = (("Annotators", ("annotator", "reviewer", "users")), *(() if table else (("Agreement", ("agreement", "kappa", "alpha")),)),
                      ("Corrections", ("correct",)))
            for label, words in labels:
                found = _find(searched, words)
                L.append(f"- {label}: " + (", ".join(f"{k} = {_cell(v)}" for k, v in found.items()) or "not recorded"))
            if rv.get("counts"):
                L.append(f"- Review counts: {_cell(rv['counts'])}")
            if table:
                L += ["", "Agreement between annotators, on the pairs with at least two submitted responses (n: the "
                      "pairs each statistic used; preference labels are in pair space, so the A/B order does not "
                      "matter):", "", *table, ""]
        if S.REVIEW_STATUS in everything.columns:
            vc = everything[S.REVIEW_STATUS].fill_null(S.PENDING).value_counts(sort=True)
            L.append("- Published rows by review status: " + ", ".join(f"{s}: {n}" for s, n in vc.iter_rows()))
        for col in (S.REVIEW_CORRECTED, "corrected"):
            if col in everything.columns:
                n = int(everything[col].cast(pl.Int64, strict=False).fill_null(0).sum())
                L.append(f"- Published rows whose chosen answer a reviewer corrected: {n}")
                break
        if gate_counts.get("unreviewed_published"):
            L.append(f"- **{gate_counts['unreviewed_published']} row(s) are published without human review** (`--allow-unreviewed`).")
    elif filtered:
        L.append("These pairs were **not reviewed by humans**; they passed the automatic filters only.")
    else:
        L.append("These pairs were **not reviewed by humans** and **not filtered**: no check beyond the publish gates "
                 "(PHI scan, empty texts) was applied to them.")
    L.append("")

    stats = [split_stats(s, d) for s, d in splits.items()]
    computed = any(k.endswith("_computed") for st in stats for k in st)
    L += ["## Statistics per split", "",
          "Means (medians) per split: grade = Flesch-Kincaid grade level (lower is easier; health-literacy target "
          "<= 8), SMOG = SMOG index (years of schooling needed, from the words of 3+ syllables per sentence; "
          "reported next to the grade, which stays the filter's threshold), tone = supportive-vs-prescriptive score "
          "(higher is more supportive), words = words per answer; questions = distinct normalized questions." + (
              " Grade, SMOG and tone are the filter stage's scores" + (", except those marked *." if computed else ".")), ""]
    names = [f"{STAT_LABELS[m]} {side}" for m in (*METRICS, "words") for side in SIDES]
    L += ["| split | rows | " + " | ".join(names) + " | questions |", "|---" * (len(names) + 3) + "|"]
    for st in stats:
        cells = []
        for metric in (*METRICS, "words"):
            for side in SIDES:
                mean = st.get(f"{metric}_{side}_mean")
                mark = "*" if st.get(f"{metric}_{side}_computed") else ""
                cells.append("n/a" if mean is None else f"{mean} ({st.get(f'{metric}_{side}_median')}){mark}")
        cells.append(str(st.get("questions", "n/a")))
        L.append(f"| {st['split']} | {st['rows']} | " + " | ".join(cells) + " |")
    if computed:
        L += ["", "\\* computed at publish time with the filter stage's scorers (`filters.readability`, "
              "`filters.tone`) because the data has no such column" + (
                  "; no threshold was applied to them." if not filtered else ".")]
    if test.height == 0:
        L += ["", "There is no test split (`test_size: 0`).", ""]
    elif split_by_cluster:
        L += ["", "The split is grouped: a question and all its near-duplicates (the filter stage's `cluster_id`, and the "
              "same normalized question) are on one side only, so test scores are not inflated by leakage.", ""]
    else:
        L += ["", "The split is grouped by normalized question (case, punctuation and spacing ignored): the same "
              "question is never on both sides. Near-duplicate rephrasings were not detected (the data has no "
              "`cluster_id`: the filter stage's near-duplicate clustering did not run on it), so a rephrased question "
              "can be in train and test.", ""]

    L += ["## Intended use", "",
          "Preference tuning (DPO and related methods) and evaluation of assistants that answer caregivers and patients "
          "supportively and in plain language without changing medical content. Not a source of medical facts: the "
          + ("answers were not checked against a clinical source and are not clinical advice." if imported else
             "answers restate the source material and are not clinical advice."), ""]
    if imported:
        first = ("- These pairs were imported without a source answer: the automatic checks compared the rejected "
                 "answer with the chosen one only (readability, tone lexicon, fact tokens), so neither answer was "
                 "checked against a clinical source and no meaning check ran." if filtered else
                 "- These pairs were imported without a source answer and not filtered: nothing checked their medical "
                 "facts, that the chosen answer is easier to read and more supportive than the rejected one, or that "
                 "questions are not near-duplicates.")
    elif filtered:
        first = ("- Both answers are " + ("machine rewrites" if prov["rewritten"] else "restatements") + " of a source "
                 "answer; automatic checks (readability, tone lexicon, fact-token preservation, embedding similarity) "
                 "catch many but not all changes of meaning.")
    else:
        first = ("- These pairs were not filtered: nothing checked that both answers keep the source's medical facts, "
                 "that the chosen answer is easier to read and more supportive than the rejected one, or that "
                 "questions are not near-duplicates.")
    L += ["## Limitations", "",
          first,
          "- Tone and readability scores are heuristic and English-only; a supportive style for one reader may read "
          "as patronizing to another.",
          "- The rejected answers are meant to be realistic prescriptive answers, not caricatures; they inherit the "
          + ("biases of whoever wrote them." if imported else "rewrite model's biases."),
          "- Coverage follows the source QA set: topics, conditions and populations it lacks are missing here too.", ""]
    L += ["## PHI statement", "",
          "Every published free-text column (question, " + ("" if imported else "source answer, ") + "chosen, rejected, "
          "and any other text such as "
          "reviewer corrections and notes) was scanned for protected health information "
          "(names of patients and relatives, dates of birth, ages over 89, phone numbers, emails, record / chart / MRN "
          "numbers, social security / Medicare / insurance numbers, street addresses; public helplines and agencies' "
          "numbers, mailboxes and addresses are not PHI) and the publish step refuses any row flagged by "
          + ("the filter stage or by this scan; " if filtered else
             "this scan (the filter stage, which flags PHI too, did not run on these pairs); ") +
          f"{gate_counts.get('phi_rows', 0)} rows with PHI are included. "
          + (f"The filter stage redacted PHI (`phi_action: redact`) in {gate_counts.get('rows_redacted', 0)} published "
             "rows, each span replaced by a typed placeholder; spans per kind: "
             + ", ".join(f"`[{k}]` {v}" for k, v in gate_counts["phi_redactions"].items()) + ". "
             if gate_counts.get("phi_redactions") else "")
          + "Pattern-based detection can miss PHI: the source "
          "data should be de-identified before use, and any finding should be reported to the maintainers.", ""]
    L += ["## Effective publish configuration", "", "```yaml",
          yaml.safe_dump({k: v for k, v in to_dict(cfg).items() if k not in LOCAL_ONLY}, sort_keys=False,
                         allow_unicode=True, width=110).rstrip(), "```", ""]
    if source_rows != everything.height:
        L += [f"(Input rows: {source_rows}; published: {everything.height}.)", ""]
    return "\n".join(L)


def spanish_summary(everything: pl.DataFrame, splits: dict, filtered: bool) -> list[str]:
    """The card's summary in Spanish, for a dataset with Spanish rows (the rest of the card stays in English)."""
    from curate.core.lang import LANG, row_langs

    n_es = int((row_langs(everything) == "es").sum()) if LANG in everything.columns else 0
    checked = ("Cada par pasó los filtros de empathy-curate con las reglas en español: legibilidad Fernández-Huerta y "
               "Szigriszt-Pazos (escala INFLESZ), tono y hostilidad con señales en español (usted y tú), conservación "
               "de datos (números, dosis, unidades, frecuencias, medicamentos y enfermedades) y detección de datos "
               "personales de salud (teléfonos, fechas de nacimiento, DNI / NIE / CURP)." if filtered else
               "**Estos pares NO pasaron los filtros.**")
    lines = ["## Resumen (español)", "",
             f"{everything.height} pares de preferencia para DPO ({n_es} en español): la pregunta de un cuidador o "
             "paciente, una respuesta **cálida** (elegida: cercana, respetuosa, en lenguaje sencillo) y una respuesta "
             "**prescriptiva** (rechazada: directiva, técnica, fría), ambas con los mismos datos médicos de la "
             f"respuesta clínica original. {checked}", ""]
    fh = [c for c in ("fernandez_huerta_chosen", "fernandez_huerta_rejected") if c in everything.columns]
    if fh:
        means = {c: everything[c].drop_nulls().mean() for c in fh}
        lines += ["| legibilidad (media) | elegida | rechazada |", "|---|---|---|",
                  "| Fernández-Huerta | " + " | ".join(_num(means.get(f"fernandez_huerta_{s}")) for s in SIDES) + " |", ""]
    lines += [f"Particiones: {', '.join(f'{s} ({d.height})' for s, d in splits.items())}.", ""]
    return lines


def parse_metadata(card_text: str) -> dict:
    """The YAML block between the leading ``---`` lines."""
    if not card_text.startswith("---\n"):
        raise ValueError("card has no YAML metadata")
    end = card_text.index("\n---\n", 4)
    return yaml.safe_load(card_text[4:end])
