"""Push payloads and merge decisions, without a server (the server round trip is in test_review_server.py)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from curate.cli import app
from curate.clikit import run_app
from curate.errors import UsageError
from curate.io import write_table
from curate.review.config import ReviewConfig
from curate.review.merge import FetchedRecord, decide, merge
from curate.review.push import a_is_chosen, build_records, validate_pairs
from tests.curate.review.helpers import make_pairs


def test_position_is_random_per_record_but_stable():
    ids = [f"{i:016x}" for i in range(400)]
    first = [a_is_chosen(i, 0) for i in ids]
    assert first == [a_is_chosen(i, 0) for i in ids]  # a re-push keeps the order
    assert 160 < sum(first) < 240  # about half the records show the chosen answer as A
    assert first != [a_is_chosen(i, 1) for i in ids]  # the seed changes it


def test_records_payload_fields_metadata_suggestions():
    df = make_pairs(6).with_columns(pl.Series("tone_chosen", [0.5, float("nan"), 0.1, 0.2, 0.3, 0.4]),
                                    pl.Series("drop_reasons", [[], ["tone_margin"], [], [], [], []]))
    recs = build_records(df, ReviewConfig())
    assert [r["id"] for r in recs] == df["id"].to_list()
    for rec, row in zip(recs, df.to_dicts()):
        a_chosen = rec["metadata"]["response_a_is"] == "chosen"
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


def test_content_hash_changes_only_with_the_pair():
    df = make_pairs(4)
    h = [r["metadata"]["content_hash"] for r in build_records(df, ReviewConfig())]
    assert h == [r["metadata"]["content_hash"] for r in build_records(df, ReviewConfig())]
    changed = df.with_columns(pl.when(pl.int_range(pl.len()) == 2).then(pl.lit("new text")).otherwise(pl.col("rejected")).alias("rejected"))
    h2 = [r["metadata"]["content_hash"] for r in build_records(changed, ReviewConfig())]
    assert [a == b for a, b in zip(h, h2)] == [True, True, False, True]


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
    recs = build_records(scored, ReviewConfig())
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
