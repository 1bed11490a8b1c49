"""Push payloads and merge decisions, without a server (the server round trip is in test_review_server.py)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app
from curate.core.errors import UsageError
from curate.core.io import write_table
from curate.review.config import ReviewConfig
from curate.review.merge import FetchedRecord, decide, merge
from curate.review.push import a_is_chosen, build_records, names_a_side, validate_pairs
from curate.review.report import render
from tests.curate.review.helpers import make_pairs


def test_position_is_random_per_record_but_stable():
    ids = [f"{i:016x}" for i in range(400)]
    first = [a_is_chosen(i, 0) for i in ids]
    assert first == [a_is_chosen(i, 0) for i in ids]  # a re-push keeps the order
    assert 160 < sum(first) < 240  # about half the records show the chosen answer as A
    assert first != [a_is_chosen(i, 1) for i in ids]  # the seed changes it


def test_records_payload_fields_metadata_suggestions_non_blind():
    df = make_pairs(6).with_columns(pl.Series("tone_chosen", [0.5, float("nan"), 0.1, 0.2, 0.3, 0.4]),
                                    pl.Series("drop_reasons", [[], ["tone_margin"], [], [], [], []]))
    recs = build_records(df, ReviewConfig(suggestions=True))
    assert [r["id"] for r in recs] == df["id"].to_list()
    for rec, row in zip(recs, df.to_dicts()):
        a_chosen = rec["a_is"] == "chosen"
        assert "response_a_is" not in rec["metadata"]  # the order goes to the key dataset only
        assert rec["fields"]["response_a"] == (row["chosen"] if a_chosen else row["rejected"])
        assert rec["fields"]["response_b"] == (row["rejected"] if a_chosen else row["chosen"])
        pref = next(s for s in rec["suggestions"] if s["question_name"] == "preference")
        assert pref["value"] == ("A" if a_chosen else "B") and pref["score"] == 1.0
        assert rec["metadata"]["fkgl_chosen"] == row["fkgl_chosen"]
        assert {"facts_lost_n", "facts_added_n", "drop_reasons_n", "content_hash"} <= set(rec["metadata"])
    assert "tone_chosen" not in recs[1]["metadata"]  # NaN is not sent
    assert recs[1]["metadata"]["drop_reasons"] == ["tone_margin"] and recs[1]["metadata"]["drop_reasons_n"] == 1
    # pair 0's pushed supportive answer lost the heart-rate instruction: the facts suggestion says "no"
    facts0 = next(s for s in recs[0]["suggestions"] if s["question_name"] == "facts_kept")
    assert recs[0]["metadata"]["facts_lost_n"] >= 1 and facts0["value"] == "no"


def test_blind_by_default_no_suggestions_and_no_metadata_that_describes_a_side():
    df = make_pairs(6).with_columns(pl.Series("drop_reasons", [[], ["tone_margin"], [], [], [], []]),
                                    fkgl_source_answer=pl.lit(9.5), words_rejected=pl.lit(40), cluster_id=pl.lit("c1"))
    cfg = ReviewConfig()
    assert cfg.suggestions is False and cfg.seed is None
    recs = build_records(df, cfg)
    for rec in recs:
        assert rec["suggestions"] == []
        assert set(rec["metadata"]) == {"source", "fkgl_source_answer", "content_hash"}, rec["metadata"]
    # every side-describing column of the filter stage is recognised
    for col in ("tone_chosen", "words_chosen", "fkgl_rejected", "tone_margin", "facts_lost_chosen", "keep",
                "drop_reasons", "meaning_sim_rejected", "redo_side", "chosen_original"):
        assert names_a_side(col), col
    for col in ("source", "cluster_id", "fkgl_source_answer", "tone_source_answer", "has_source", "phi", "dup_kind"):
        assert not names_a_side(col), col
    # asking for a side-describing column in a blind review is refused with one line
    with pytest.raises(UsageError, match="tone_chosen.*describes one side"):
        build_records(df, ReviewConfig(metadata_columns=["source", "tone_chosen"]))
    # the order is random per pair without a seed (not recomputable from the public code and the record id) ...
    orders = {tuple(r["a_is"] for r in build_records(make_pairs(20), cfg)) for _ in range(4)}
    assert len(orders) > 1
    # ... and a known seed reproduces it
    assert [r["a_is"] for r in build_records(df, ReviewConfig(seed=3))] == \
        ["chosen" if a_is_chosen(i, 3) else "rejected" for i in df["id"].to_list()]


def test_empty_source_answer_is_left_out():
    df = make_pairs(3).with_columns(pl.Series("source_answer", ["", None, "A real source."]))
    recs = build_records(df, ReviewConfig())
    assert [("source_answer" in r["fields"]) for r in recs] == [False, False, True]
    imported = validate_pairs(make_pairs(2).drop("source_answer"))  # a pair table with no source column at all
    assert all("source_answer" not in r["fields"] for r in build_records(imported, ReviewConfig()))


def _rec(votes: dict, a_is: str = "chosen", **extra) -> FetchedRecord:
    responses = {}
    for user, v in votes.items():
        pref, facts = v if isinstance(v, tuple) else (v, "yes")
        responses[user] = {"preference": pref, "facts_kept": facts, **extra.get(user, {})}
    return FetchedRecord(id="r1", fields={}, metadata={"response_a_is": a_is}, responses=responses)


@pytest.mark.parametrize("votes,a_is,status,reason,decision", [
    ({"u1": "A", "u2": "A"}, "chosen", "accepted", None, "supportive"),
    ({"u1": "A", "u2": "A"}, "rejected", "dropped", "prescriptive_preferred", "prescriptive"),
    ({"u1": "B", "u2": "B", "u3": "A"}, "rejected", "accepted", None, "supportive"),
    ({"u1": "both_unacceptable", "u2": "both_unacceptable", "u3": "A"}, "chosen", "dropped", "both_unacceptable", "both_unacceptable"),
    ({"u1": "A", "u2": "tie"}, "chosen", "disputed", None, None),
    ({"u1": "tie", "u2": "tie"}, "chosen", "accepted", None, "tie"),
    ({"u1": ("A", "no"), "u2": ("A", "no")}, "chosen", "dropped", "facts_not_kept", "supportive"),
    ({"u1": ("A", "no"), "u2": ("A", "yes")}, "chosen", "disputed", None, "supportive"),
    ({}, "chosen", "pending", None, None),
])
def test_decide(votes, a_is, status, reason, decision):
    d = decide(_rec(votes, a_is), ReviewConfig())
    assert (d["review_status"], d["review_drop_reason"], d["review_decision"]) == (status, reason, decision)


def test_decide_options_and_corrections():
    assert decide(_rec({"u1": "tie"}), ReviewConfig(drop_ties=True))["review_drop_reason"] == "tie"
    assert decide(_rec({"u1": "A"}), ReviewConfig(min_votes=2))["review_status"] == "pending"
    # a correction counts only from the winning side
    rec = _rec({"u1": "A", "u2": "A", "u3": "B"}, u3={"corrected_supportive": "from the loser"},
               u1={"corrected_supportive": "  from the winner  "})
    d = decide(rec, ReviewConfig())
    assert d["_correction"] == "from the winner" and d["review_corrected"]
    rec = _rec({"u1": ("A", "no"), "u2": ("A", "no")}, u2={"corrected_supportive": "fixed"})
    assert decide(rec, ReviewConfig())["review_status"] == "accepted"  # facts fixed by the correction


def test_merge_keeps_every_pair_of_data_and_dataset():
    df = make_pairs(3)
    ids = df["id"].to_list()
    recs = [FetchedRecord(id=ids[0], fields={"question": "q", "source_answer": "s", "response_a": df["chosen"][0],
                                             "response_b": df["rejected"][0]},
                          metadata={"response_a_is": "chosen"}, responses={"u1": {"preference": "B", "facts_kept": "yes"}}),
            FetchedRecord(id="only-in-argilla", fields={"question": "q2", "source_answer": "s2", "response_a": "rej",
                                                        "response_b": "cho"}, metadata={"response_a_is": "rejected"})]
    table, summary = merge(recs, ReviewConfig(), data=df)
    assert table["id"].to_list() == [*ids, "only-in-argilla"]
    assert table["review_status"].to_list() == ["dropped", "pending", "pending", "pending"]
    extra = table.row(3, named=True)
    assert (extra["chosen"], extra["rejected"]) == ("cho", "rej")  # A/B put back
    assert summary["counts"]["pending"] == 3 and summary["counts"]["dropped"] == 1
    assert json.loads(table["review_votes"][0]) == {"prescriptive": 1}


def test_validate_pairs_rejects_bad_tables(tmp_path, capsys):
    df = make_pairs(3)
    with pytest.raises(UsageError, match="duplicate pair id"):
        validate_pairs(pl.concat([df, df.head(1)]))
    bad = tmp_path / "bad.parquet"
    write_table(df.drop("rejected"), bad)
    # bad input fails before any connection is tried (no server, no key needed)
    assert run_app(app, "curate", ["review", "push", str(bad), "--dataset", "x"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "rejected" in err
    assert run_app(app, "curate", ["review", "push", str(bad)]) == 2
    assert "--dataset" in capsys.readouterr().err


def test_push_payload_from_real_filter_output():
    """The filter stage's own columns become metadata and suggestions (not the test's stand-ins)."""
    from filters import filter_frame

    scored = filter_frame(make_pairs(3).select("id", "question", "source_answer", "chosen", "rejected", "source"))
    assert all("suggestions" in r and r["suggestions"] == [] for r in build_records(scored, ReviewConfig()))
    assert not any(names_a_side(k) for r in build_records(scored, ReviewConfig()) for k in r["metadata"])
    recs = build_records(scored, ReviewConfig(suggestions=True))
    for rec, row in zip(recs, scored.to_dicts()):
        md = rec["metadata"]
        assert md["tone_margin"] == pytest.approx(row["tone_margin"])
        assert md["fkgl_chosen"] == pytest.approx(row["fkgl_chosen"])
        assert md["facts_lost_n"] == len(row["facts_lost_chosen"]) == md["facts_lost_chosen_n"]
        assert md["keep"] == ("true" if row["keep"] else "false")
        assert sorted(md.get("drop_reasons", [])) == sorted(row["drop_reasons"])
        facts = next(s for s in rec["suggestions"] if s["question_name"] == "facts_kept")
        assert facts["value"] == ("yes" if not row["facts_lost_chosen"] and not row["facts_added_chosen"] else "no")
        pref = next(s for s in rec["suggestions"] if s["question_name"] == "preference")
        assert pref["score"] == (1.0 if row["keep"] else 0.5)
    assert recs[0]["metadata"]["facts_lost_n"] >= 1  # pair 0's pushed chosen lost the heart-rate instruction


def test_merge_sets_keep_from_the_review():
    df = make_pairs(3)
    ids = df["id"].to_list()
    recs = [FetchedRecord(id=i, fields={}, metadata={"response_a_is": "chosen"}, responses=v) for i, v in zip(ids, [
        {"u1": {"preference": "A", "facts_kept": "yes"}},
        {"u1": {"preference": "both_unacceptable", "facts_kept": "no"}},
        {}])]
    for kwargs in ({"pushed": df}, {"data": df}, {"pushed": df.drop("keep", "drop_reasons")}):
        table, _ = merge(recs, ReviewConfig(rescore_corrections=False), **kwargs)
        assert table["review_status"].to_list() == ["accepted", "dropped", "pending"]
        assert table["keep"].to_list() == [True, False, True], kwargs.keys()
        assert table["fkgl_chosen"].to_list() == df["fkgl_chosen"].to_list()  # the pushed columns are all there


def _summary(corrected: int, n_items: int) -> dict:
    counts = {"pairs": 1, "records_in_dataset": 1, "accepted": 1, "dropped": 0, "disputed": 0, "pending": 0,
              "corrected": corrected, "rescored": corrected, "drops_by_reason": {}}
    agreement = {"annotators": 2, "items_with_2plus_ratings": n_items, "percent_agreement": 0.75,
                 "krippendorff_alpha": 0.5, "fleiss_kappa": 0.5, "fleiss_items": n_items, "cohen_kappa": 0.5,
                 "cohen_items": n_items}
    return {"counts": counts, "agreement": {"preference": agreement}, "submitted_by_annotator": {"a": 1, "b": 1}}


def test_report_plurals_and_small_sample_caveat():
    table = make_pairs(1).with_columns(review_status=pl.lit("accepted"), review_corrected=pl.lit(False),
                                       review_votes=pl.lit("{}"), review_notes=pl.lit([], pl.List(pl.Utf8)),
                                       chosen_original=pl.lit(None, pl.Utf8))
    one = render(table, _summary(1, 4), "d", "w")
    assert "1 pair (1 record in the dataset)" in one
    assert "1 supportive answer was corrected" in one and "answers were" not in one
    assert "0.500 (n = 4)" in one  # every statistic with its sample size
    assert "**Small sample:**" in one and "preference (n = 4)" in one
    many = render(table, _summary(2, 30), "d", "w")
    assert "2 supportive answers were corrected" in many
    assert "Small sample" not in many and "0.500 (n = 30)" in many
