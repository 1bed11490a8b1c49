"""``curate review pull``: fetch submitted responses and merge them into the pair table.

Per pair: the submitted responses of every annotator are mapped from the A/B positions back to the pair
(the order from the review key, which pull puts in ``metadata["response_a_is"]`` of each fetched record), then a
majority vote decides:

* ``supportive``  (the chosen answer won)           -> accepted
* ``tie``                                           -> accepted (or dropped ``tie`` with ``drop_ties``)
* ``prescriptive`` (reviewers preferred rejected)   -> dropped ``prescriptive_preferred``
* ``both_unacceptable``                             -> dropped ``both_unacceptable``
* no single winner                                  -> ``disputed`` (kept aside, listed in the report)

The facts question votes the same way (``facts_not_kept`` drops unless a correction was given).  A corrected
supportive response from an annotator on the winning side replaces ``chosen`` (the old text moves to
``chosen_original``) and the pair is re-scored with ``filters.filter_frame``; a correction the filters drop
makes the pair dropped ``correction_failed_filters:<reasons>``.  Pairs with fewer than ``min_votes``
submitted responses are ``pending``.  Nothing is lost: every pair of the dataset (and of ``--data``, if given)
is in ``reviewed.parquet`` with its ``review_status``.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import polars as pl

from curate.core import schema as S
from curate.review.agreement import agreement_summary
from curate.review.config import ReviewConfig
from curate.review.report import SMALL_SAMPLE
from curate.review.tables import REVIEW_COLUMNS
from curate.review.push import F_A, F_B, F_QUESTION, F_SOURCE, M_A_IS, Q_CORRECTED, Q_FACTS, Q_NOTE, Q_PREFERENCE

STATUSES = S.REVIEW_STATUSES


@dataclass
class FetchedRecord:
    id: str
    fields: dict
    metadata: dict
    responses: dict = field(default_factory=dict)  # username -> {question: value}


def fetch(ds, client) -> list[FetchedRecord]:
    """Every record of the dataset with its *submitted* responses, keyed by annotator username."""
    try:  # owner / admin keys can list users; otherwise annotators are reported by id
        usernames = {str(u.id): u.username for u in client.users}
    except Exception:
        usernames = {}
    out = []
    for r in ds.records(with_responses=True, with_suggestions=False, with_vectors=False):
        by_user: dict[str, dict] = {}
        for resp in r.responses:
            if str(getattr(resp.status, "value", resp.status)) != "submitted":
                continue
            user = usernames.get(str(resp.user_id), str(resp.user_id))
            by_user.setdefault(user, {})[resp.question_name] = resp.value
        out.append(FetchedRecord(id=str(r.id), fields=dict(r.fields), metadata=dict(r.metadata or {}), responses=by_user))
    return out


def to_pair_label(vote: str, a_is: str) -> str:
    """A/B votes back in pair space: supportive (the chosen answer) / prescriptive / tie / both_unacceptable."""
    if vote in ("A", "B"):
        shows_chosen = (vote == "A") == (a_is == "chosen")
        return "supportive" if shows_chosen else "prescriptive"
    return vote


def _majority(votes: list[str]) -> str | None:
    if not votes:
        return None
    ranked = Counter(votes).most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def decide(rec: FetchedRecord, cfg: ReviewConfig) -> dict:
    """The merged judgement of one record (no re-scoring yet)."""
    a_is = rec.metadata.get(M_A_IS, "chosen")
    prefs = {u: to_pair_label(v[Q_PREFERENCE], a_is) for u, v in rec.responses.items() if v.get(Q_PREFERENCE)}
    facts = {u: v[Q_FACTS] for u, v in rec.responses.items() if v.get(Q_FACTS)}
    notes = [f"{u}: {v[Q_NOTE].strip()}" for u, v in sorted(rec.responses.items()) if (v.get(Q_NOTE) or "").strip()]
    n = len(rec.responses)
    out = {S.REVIEW_N_SUBMITTED: n, S.REVIEW_ANNOTATORS: sorted(rec.responses),
           S.REVIEW_VOTES: json.dumps(dict(Counter(prefs.values())), sort_keys=True), S.REVIEW_NOTES: notes,
           S.REVIEW_DECISION: None, S.REVIEW_FACTS_KEPT: None, S.REVIEW_CORRECTED: False,
           S.REVIEW_STATUS: S.PENDING, S.REVIEW_DROP_REASON: None, "_correction": None}
    if n < cfg.min_votes:
        return out
    decision = _majority(list(prefs.values()))
    facts_vote = _majority(list(facts.values()))
    out[S.REVIEW_DECISION] = decision
    out[S.REVIEW_FACTS_KEPT] = None if facts_vote is None else facts_vote == "yes"
    if decision is None:
        out[S.REVIEW_STATUS] = S.DISPUTED
        out[S.REVIEW_DROP_REASON] = None
        return out
    # a correction counts only from an annotator on the winning side
    corrections = [(u, v[Q_CORRECTED].strip()) for u, v in sorted(rec.responses.items())
                   if (v.get(Q_CORRECTED) or "").strip() and prefs.get(u) == decision]
    if decision in ("supportive", "tie") and corrections:
        out["_correction"] = corrections[0][1]
        out[S.REVIEW_CORRECTED] = True
    if decision == "both_unacceptable":
        return {**out, S.REVIEW_STATUS: S.DROPPED, S.REVIEW_DROP_REASON: "both_unacceptable"}
    if decision == "prescriptive":
        return {**out, S.REVIEW_STATUS: S.DROPPED, S.REVIEW_DROP_REASON: "prescriptive_preferred"}
    if decision == "tie" and cfg.drop_ties:
        return {**out, S.REVIEW_STATUS: S.DROPPED, S.REVIEW_DROP_REASON: "tie"}
    if facts_vote is None and facts:
        return {**out, S.REVIEW_STATUS: S.DISPUTED}
    if out[S.REVIEW_FACTS_KEPT] is False and not out[S.REVIEW_CORRECTED] and cfg.drop_if_facts_not_kept:
        return {**out, S.REVIEW_STATUS: S.DROPPED, S.REVIEW_DROP_REASON: "facts_not_kept"}
    return {**out, S.REVIEW_STATUS: S.ACCEPTED}


def records_frame(records: list[FetchedRecord]) -> pl.DataFrame:
    """The pairs as the dataset shows them (A/B put back): id, question, source_answer, chosen, rejected."""
    rows = []
    for r in records:
        a_chosen = r.metadata.get(M_A_IS, "chosen") == "chosen"
        row = {S.ID: r.id, S.QUESTION: r.fields.get(F_QUESTION), S.SOURCE_ANSWER: r.fields.get(F_SOURCE),
               S.CHOSEN: r.fields.get(F_A if a_chosen else F_B), S.REJECTED: r.fields.get(F_B if a_chosen else F_A)}
        rows.append(row)
    return pl.DataFrame(rows, schema={S.ID: pl.Utf8, S.QUESTION: pl.Utf8, S.SOURCE_ANSWER: pl.Utf8,
                                      S.CHOSEN: pl.Utf8, S.REJECTED: pl.Utf8})


def _in_record_order(rows: pl.DataFrame, records: list[FetchedRecord]) -> pl.DataFrame:
    """``rows`` of the dataset's records, in the records' order."""
    pos = pl.DataFrame({S.ID: [r.id for r in records], "_pos": list(range(len(records)))},
                       schema={S.ID: pl.Utf8, "_pos": pl.Int64})
    return rows.with_columns(pl.col(S.ID).cast(pl.Utf8)).join(pos, on=S.ID, how="inner").sort("_pos").drop("_pos")


def rescore(df: pl.DataFrame, filter_cfg=None) -> pl.DataFrame:
    """Run the filter stage's public scorer on ``df`` (the corrected pairs)."""
    from filters import filter_frame

    return filter_frame(df, filter_cfg)


def merge(records: list[FetchedRecord], cfg: ReviewConfig, data: pl.DataFrame | None = None,
          filter_cfg=None, pushed: pl.DataFrame | None = None) -> tuple[pl.DataFrame, dict]:
    """-> (reviewed table with every pair and its review columns, summary for the report/manifest).

    The rows come from ``data`` (the user's table: its pairs not in the dataset stay pending), else from
    ``pushed`` (the rows as pushed, from the review key), else from what the records show.  ``keep`` is set from
    the review: false for pairs dropped or disputed in review, the filter's (or the re-scoring's) decision for the
    others, true where no filter decided."""
    decisions = {r.id: decide(r, cfg) for r in records}
    base = records_frame(records)
    primary = None
    if data is not None:
        primary = data.with_columns(pl.col(S.ID).cast(pl.Utf8))
    elif pushed is not None:
        primary = _in_record_order(pushed, records)
    if primary is not None:
        extra = base.filter(~pl.col(S.ID).is_in(primary[S.ID].to_list()))
        base = pl.concat([primary, extra], how="diagonal_relaxed") if extra.height else primary
    had_keep, had_reasons = S.KEEP in base.columns, S.DROP_REASONS in base.columns
    base = base.with_row_index("_order")
    review_rows = []
    for pid in base[S.ID].to_list():
        d = decisions.get(pid) or {S.REVIEW_STATUS: S.PENDING, S.REVIEW_N_SUBMITTED: 0, S.REVIEW_ANNOTATORS: [],
                                   S.REVIEW_VOTES: "{}", S.REVIEW_NOTES: [], S.REVIEW_CORRECTED: False,
                                   "_correction": None, S.REVIEW_DECISION: None, S.REVIEW_FACTS_KEPT: None,
                                   S.REVIEW_DROP_REASON: None}
        review_rows.append({"_id": pid, **{k: d.get(k) for k in REVIEW_COLUMNS}, "_correction": d["_correction"]})
    review = pl.DataFrame(review_rows, schema={"_id": pl.Utf8, **REVIEW_COLUMNS, "_correction": pl.Utf8})
    # drop columns the review stage owns, so a re-pull of a pulled table does not collide
    base = base.drop([c for c in (*REVIEW_COLUMNS, "_correction", S.CHOSEN_ORIGINAL) if c in base.columns])
    table = pl.concat([base, review.drop("_id")], how="horizontal")
    table = table.with_columns(pl.when(pl.col("_correction").is_not_null()).then(pl.col(S.CHOSEN))
                               .otherwise(None).alias(S.CHOSEN_ORIGINAL),
                               pl.coalesce("_correction", S.CHOSEN).alias(S.CHOSEN)).drop("_correction")

    corrected = table.filter(pl.col(S.REVIEW_CORRECTED))
    rescored_n = 0
    if corrected.height and cfg.rescore_corrections:
        keep_cols = [c for c in corrected.columns if c.startswith(S.REVIEW_PREFIX) or c in ("_order", S.CHOSEN_ORIGINAL)]
        pair_cols = [c for c in corrected.columns if c in S.PAIR_COLUMNS]
        scored = rescore(corrected.select(pair_cols), filter_cfg)
        scored = pl.concat([scored, corrected.select(keep_cols)], how="horizontal")
        rescored_n = scored.height
        if cfg.correction_must_pass_filters and S.KEEP in scored.columns:
            failed = ~pl.col(S.KEEP).fill_null(False)
            reasons = pl.col(S.DROP_REASONS).cast(pl.List(pl.Utf8)).list.join(",") if S.DROP_REASONS in scored.columns else pl.lit("")
            scored = scored.with_columns(
                pl.when(failed & (pl.col(S.REVIEW_STATUS) == S.ACCEPTED)).then(pl.lit(S.DROPPED))
                .otherwise(pl.col(S.REVIEW_STATUS)).alias(S.REVIEW_STATUS),
                pl.when(failed & (pl.col(S.REVIEW_STATUS) == S.ACCEPTED))
                .then(pl.concat_str(pl.lit("correction_failed_filters:"), reasons))
                .otherwise(pl.col(S.REVIEW_DROP_REASON)).alias(S.REVIEW_DROP_REASON),
            )
        if not had_reasons:  # an unfiltered table: the re-scoring decided about the corrected pairs only
            scored = scored.drop([c for c in (S.DROP_REASONS,) if c in scored.columns])
        rest = table.filter(~pl.col(S.REVIEW_CORRECTED))
        table = pl.concat([rest, scored], how="diagonal_relaxed")
    table = table.sort("_order").drop("_order")
    goes_on = pl.col(S.REVIEW_STATUS).is_in(list(S.REVIEW_GOES_ON))
    if S.KEEP in table.columns and table.schema[S.KEEP] in (pl.Boolean, pl.Null):
        keep = pl.col(S.KEEP).cast(pl.Boolean)
        table = table.with_columns(pl.when(~goes_on).then(False)
                                   .otherwise(keep if had_keep else keep.fill_null(True)).alias(S.KEEP))
    elif S.KEEP not in table.columns:
        table = table.with_columns(goes_on.alias(S.KEEP))

    summary = summarize(records, table, rescored_n)
    return table, summary


def summarize(records: list[FetchedRecord], table: pl.DataFrame, rescored_n: int) -> dict:
    pref_ratings, fact_ratings, per_user = [], [], Counter()
    for r in records:
        a_is = r.metadata.get(M_A_IS, "chosen")
        pref_ratings.append({u: to_pair_label(v[Q_PREFERENCE], a_is) for u, v in r.responses.items() if v.get(Q_PREFERENCE)})
        fact_ratings.append({u: v[Q_FACTS] for u, v in r.responses.items() if v.get(Q_FACTS)})
        per_user.update(r.responses.keys())
    status = table[S.REVIEW_STATUS].value_counts()
    counts = {s: 0 for s in STATUSES}
    counts.update(dict(zip(status[S.REVIEW_STATUS].to_list(), status["count"].to_list())))
    reasons = table.filter(pl.col(S.REVIEW_DROP_REASON).is_not_null())[S.REVIEW_DROP_REASON].value_counts()
    return {
        "counts": {"pairs": table.height, "records_in_dataset": len(records), **counts,
                   "corrected": int(table[S.REVIEW_CORRECTED].sum()), "rescored": rescored_n,
                   "drops_by_reason": dict(zip(reasons[S.REVIEW_DROP_REASON].to_list(), reasons["count"].to_list()))},
        "agreement": {q: {**a, "small_sample": 0 < a["items_with_2plus_ratings"] < SMALL_SAMPLE}
                      for q, a in (("preference", agreement_summary(pref_ratings)),
                                   ("facts_kept", agreement_summary(fact_ratings)))},
        "submitted_by_annotator": dict(sorted(per_user.items())),
    }
