"""Which row of a duplicate cluster is kept: the first (input order) that no other filter drops."""

import json

import numpy as np
import polars as pl
import pytest

from filters import FilterConfig, filter_frame, run_filter_stage
from filters.dedup import DuplicateResolver, cluster_frame
from tests.filters.helpers import frame, pair

CFG = FilterConfig(meaning_check=False)
P = pair()
Q = "Is it normal that my husband with dementia forgets my name and gets angry when I remind him?"
Q_NEAR = "Is it normal that my husband with dementia forgets my name and gets angry when I remind him about it?"
FAILS = {
    # rejected as supportive as chosen: no tone margin (and no grade margin)
    "tone": {"rejected": P["chosen"]},
    # rejected adds a drug the source lacks
    "facts": {"rejected": P["rejected"] + " Add memantine 10 mg."},
}


def _own_reasons(row: dict) -> list[str]:
    """The reasons the row gets on its own (no duplicate around it)."""
    return filter_frame(frame(row), CFG)["drop_reasons"][0].to_list()


def _by_id(out: pl.DataFrame, col: str) -> dict:
    return dict(zip(out["id"].to_list(), out[col].to_list()))


@pytest.mark.parametrize("failure", sorted(FAILS))
def test_first_row_fails_a_later_duplicate_that_passes_is_kept(failure):
    rows = [
        pair(id="first", question=Q, **FAILS[failure]),   # first of the cluster, fails another filter
        pair(id="rep", question=Q_NEAR),                  # near duplicate of it, passes: the kept row
        pair(id="copy_rep", question=Q_NEAR.lower()),     # exact copy of the kept row's question
        pair(id="copy_first", question=Q.upper()),        # exact copy of the first row's question
        pair(id="other", question="What is sundowning?"),
    ]
    out = filter_frame(frame(*rows), CFG)
    keep, why, kind = _by_id(out, "keep"), _by_id(out, "drop_reasons"), _by_id(out, "dup_kind")
    assert {k for k, v in keep.items() if v} == {"rep", "other"}
    own = _own_reasons(rows[0])
    assert own and "duplicate" not in own and "near_duplicate" not in own
    assert why["first"] == own                        # dropped with only its own reasons
    assert why["rep"] == [] and kind["rep"] is None
    # exact / near relative to the kept row (not to the cluster's first row)
    assert why["copy_rep"] == ["duplicate"] and kind["copy_rep"] == "exact"
    assert why["copy_first"] == ["near_duplicate"] and kind["copy_first"] == "near"
    # one cluster, labelled by its first row
    cid = _by_id(out, "cluster_id")
    assert cid["first"] == cid["rep"] == cid["copy_rep"] == cid["copy_first"] == "first" != cid["other"]


def test_cluster_where_every_row_fails_keeps_nothing_and_each_row_has_its_reasons():
    rows = [
        pair(id="a", question=Q, **FAILS["tone"]),
        pair(id="b", question=Q.lower(), **FAILS["facts"]),
        pair(id="c", question=Q_NEAR, **FAILS["tone"]),
        pair(id="other", question="What is sundowning?"),
    ]
    out = filter_frame(frame(*rows), CFG)
    why = _by_id(out, "drop_reasons")
    assert out.filter(pl.col("keep"))["id"].to_list() == ["other"]
    assert why["a"] == _own_reasons(rows[0])                       # the first row: no duplicate reason
    assert why["b"] == _own_reasons(rows[1]) + ["duplicate"]       # relative to the first row
    assert why["c"] == _own_reasons(rows[2]) + ["near_duplicate"]
    assert "fact_drift" in why["b"] and "tone_margin" in why["c"]


def test_without_other_drops_the_first_row_is_kept_as_before():
    rows = [pair(id=str(i), question=q) for i, q in enumerate([Q, Q.lower(), Q_NEAR, "What is sundowning?"])]
    out = filter_frame(frame(*rows), CFG)
    assert out["keep"].to_list() == [True, False, False, True]
    assert out["dup_kind"].to_list() == [None, "exact", "near", None]


def test_meaning_check_embeds_duplicates_and_a_duplicate_can_replace_a_drifted_first_row(embed_model):
    cfg = FilterConfig(check_facts=False, min_grade_margin=-30)
    drifted = pair(id="drift", question=Q,
                   rejected="Install grab bars in the bathroom. Remove loose rugs. Ensure adequate lighting in hallways at all times.")
    out = filter_frame(frame(drifted, pair(id="dup", question=Q.lower())), cfg)
    why, sim = _by_id(out, "drop_reasons"), _by_id(out, "meaning_sim_rejected")
    assert why["drift"] == ["meaning_drift"] and why["dup"] == []
    assert sim["dup"] is not None and sim["dup"] > cfg.min_meaning_similarity > sim["drift"]


def _mixed_rows() -> list[dict]:
    """Eight clusters of five rows, interleaved so that every cluster spans several small batches, with
    different pass / fail patterns (first passes, first fails, first two fail, only the last passes, all fail)."""
    topics = ["sleep at night", "take her pills", "eat enough", "stop wandering", "bathe without a fight",
              "stay calm in the evening", "drink enough water", "walk safely"]
    patterns = ["PPPPP", "TPPPP", "TFPPP", "TTFTP", "TFTFT", "FPTPF", "PTTPP", "FFTTF"]
    rows = []
    for j in range(5):
        for t, (topic, pat) in enumerate(zip(topics, patterns)):
            base = f"How can I help my mother {topic} when she gets upset every single day"
            q = [base + "?", base.upper() + "!", base + " and night?", base + " and night", base.lower()][j]
            fail = {"P": {}, "T": FAILS["tone"], "F": FAILS["facts"]}[pat[j]]
            rows.append(pair(id=f"t{t}r{j}", question=q, **fail))
    rows.append(pair(id="solo", question="What is sundowning?"))
    return rows


def test_runner_with_clusters_across_batches_equals_filter_frame(tmp_path):
    rows = _mixed_rows()
    whole = filter_frame(frame(*rows), CFG)
    path = tmp_path / "pairs.parquet"
    frame(*rows).write_parquet(path)
    m = run_filter_stage(path, tmp_path / "out", FilterConfig(meaning_check=False, batch_rows=3))
    kept = pl.read_parquet(tmp_path / "out" / "kept.parquet")
    dropped = pl.read_parquet(tmp_path / "out" / "dropped.parquet")
    assert sorted(kept["id"].to_list() + dropped["id"].to_list()) == sorted(r["id"] for r in rows)
    assert kept["id"].to_list() == whole.filter("keep")["id"].to_list()
    cols = ["id", "cluster_id", "dup_kind", "drop_reasons", "keep"]
    streamed = pl.concat([kept.select(cols), dropped.select(cols)]).sort("id")
    assert streamed.equals(whole.select(cols).sort("id"))
    # the expected kept rows: per topic, the first passing row of its pattern; the all-fail cluster keeps nothing
    expected = {f"t{t}r{pat.index('P')}" for t, pat in
                enumerate(["PPPPP", "TPPPP", "TFPPP", "TTFTP", "TFTFT", "FPTPF", "PTTPP", "FFTTF"]) if "P" in pat}
    assert set(kept["id"]) == expected | {"solo"}
    assert kept["cluster_id"].n_unique() == kept.height == 7
    # manifest counts agree with the tables
    c = json.loads((tmp_path / "out" / "manifest.json").read_text())["counts"]
    assert c["kept"] == kept.height and c["dropped"] == dropped.height and c["input_rows"] == len(rows)
    assert c["clusters"] == 9
    expect = dropped.select(pl.col("drop_reasons").explode().value_counts()).unnest("drop_reasons")
    assert c["drops_by_reason"] == dict(zip(expect["drop_reasons"].to_list(), expect["count"].to_list()))
    assert m["counts"] == c


def test_resolver_gives_the_same_labels_for_any_batching():
    rng = np.random.default_rng(0)
    n = 400
    qs = [f"question number {int(k)}" for k in rng.integers(0, 60, n)]
    g = cluster_frame(pl.DataFrame({"question": qs}), "question", near=False)
    other = rng.random(n) < 0.6
    one = DuplicateResolver(g["cluster_row"].to_numpy(), g["exact_row"].to_numpy()).resolve(0, other)
    for step in (1, 7, 64):
        r = DuplicateResolver(g["cluster_row"].to_numpy(), g["exact_row"].to_numpy())
        parts = [r.resolve(o, other[o : o + step]) for o in range(0, n, step)]
        assert pl.concat(parts).equals(one)
    # every cluster with a passing row keeps exactly one: its first passing row
    kept = (~other) & one.is_null().to_numpy()
    df = pl.DataFrame({"c": g["cluster_row"], "pass": ~other, "kept": kept, "i": np.arange(n)})
    per = df.group_by("c").agg(pl.col("kept").sum(), pl.col("i").filter(pl.col("pass")).min().alias("first_pass"),
                               pl.col("i").filter(pl.col("kept")).min().alias("kept_i"))
    assert (per["kept"] == per["first_pass"].is_not_null().cast(pl.UInt32)).all()
    assert per["kept_i"].equals(per["first_pass"].rename("kept_i"))
    with pytest.raises(ValueError, match="input order"):
        DuplicateResolver(g["cluster_row"].to_numpy(), g["exact_row"].to_numpy()).resolve(5, other[:3])
