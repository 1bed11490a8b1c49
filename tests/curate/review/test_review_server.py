"""Push / status / pull against the real Argilla server of the session fixture."""

from __future__ import annotations

import json

import polars as pl
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app
from curate.core.io import write_table
from curate.core.net import free_port
from curate.review.keys import read_key
from tests.curate.review.helpers import GOOD_CORRECTION, letter_of, submit


def curate(*argv: str) -> int:
    return run_app(app, "curate", list(argv))


def _records(client, name):
    ds = client.datasets(name=name)
    return {str(r.id): r for r in ds.records(with_responses=False)}


def test_push_twice_no_duplicates_and_changed_pair_updates(cli_env, owner_client, annotators, pairs, tmp_path, capsys):
    data = tmp_path / "pairs.parquet"
    write_table(pairs, data)
    assert curate("review", "push", str(data), "--dataset", "dup-check") == 0
    assert "20 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert curate("review", "push", str(data), "--dataset", "dup-check") == 0
    assert "0 created, 0 updated, 20 unchanged" in capsys.readouterr().out
    recs = _records(owner_client, "dup-check")
    assert len(recs) == 20 and set(recs) == set(pairs["id"].to_list())

    target, relabelled, rescored = pairs["id"][7], pairs["id"][8], pairs["id"][9]
    for pid in (target, relabelled):  # both were already reviewed
        submit(cli_env.url, annotators["ann-ada"], str(recs[pid]._server_id), {"preference": "A", "facts_kept": "yes"})
    changed = pairs.with_columns(
        pl.when(pl.col("id") == target).then(pl.lit("A rewritten supportive answer.")).otherwise(pl.col("chosen")).alias("chosen"),
        pl.when(pl.col("id") == relabelled).then(pl.lit("caregiver_qa_v2")).otherwise(pl.col("source")).alias("source"),
        pl.when(pl.col("id") == rescored).then(pl.lit(3.5)).otherwise(pl.col("fkgl_chosen")).alias("fkgl_chosen"))
    write_table(changed, data)
    assert curate("review", "push", str(data), "--dataset", "dup-check") == 0
    out = capsys.readouterr().out
    # fkgl_chosen is not on the annotators' records (blind review): that change reaches the key only
    assert "0 created, 2 updated, 18 unchanged" in out
    assert "1 updated pair(s) had responses to the old text: 1 response(s) discarded" in out
    assert "blind review" in out and "curate-keys/argilla--dup-check" in out
    ds = owner_client.datasets(name="dup-check")
    recs = {str(r.id): r for r in ds.records(with_responses=True)}
    assert len(recs) == 20
    assert len(recs[target].responses) == 0  # the text changed: its old judgement is gone
    assert len(recs[relabelled].responses) == 2  # only metadata changed: the judgement (2 answered questions) stays
    assert recs[relabelled].metadata["source"] == "caregiver_qa_v2"
    shown = {recs[target].fields["response_a"], recs[target].fields["response_b"]}
    assert "A rewritten supportive answer." in shown
    # the order and the full rows are in the key dataset, which annotators cannot read
    key = read_key(owner_client.datasets(name="argilla--dup-check", workspace="curate-keys"))[1]
    assert set(key) == set(pairs["id"].to_list())
    a_is = key[target].a_is
    assert recs[target].fields["response_a" if a_is == "chosen" else "response_b"] == "A rewritten supportive answer."
    assert json.loads(key[rescored].row)["fkgl_chosen"] == 3.5
    # a re-push keeps every pair's order
    assert all(recs[p].fields["response_a" if key[p].a_is == "chosen" else "response_b"] == c
               for p, c in zip(changed["id"], changed["chosen"]))
    assert ds.settings.guidelines.startswith("You see a caregiver's question")
    meta = {m.name: m.visible_for_annotators for m in ds.settings.metadata}
    assert meta == {"content_hash": False, "source": True}  # nothing on the records describes a side


def test_review_round_trip(cli_env, owner_client, annotators, pairs, tmp_path, capsys):
    url = cli_env.url
    data = tmp_path / "kept.parquet"
    write_table(pairs, data)
    assert curate("review", "push", str(data), "--dataset", "round-trip", "--min-submitted", "2") == 0
    capsys.readouterr()
    ds = owner_client.datasets(name="round-trip")
    assert ds.settings.distribution.min_submitted == 2
    recs = _records(owner_client, "round-trip")
    ids = pairs["id"].to_list()
    chosen = dict(zip(ids, pairs["chosen"].to_list()))
    rejected = dict(zip(ids, pairs["rejected"].to_list()))
    ada, bo = annotators["ann-ada"], annotators["ann-bo"]

    def vote(key, i, pref, facts="yes", **extra):
        rec = recs[ids[i]]
        value = {"supportive": letter_of(rec, chosen[ids[i]]), "prescriptive": letter_of(rec, rejected[ids[i]])}.get(pref, pref)
        submit(url, key, str(rec._server_id), {"preference": value, "facts_kept": facts, **extra})

    correction = GOOD_CORRECTION  # puts back the heart-rate instruction the pushed variant lost
    vote(ada, 0, "supportive", facts="no", corrected_supportive=correction, note="added the heart-rate advice")
    vote(bo, 5, "supportive", corrected_supportive="Take the medicine.")  # a correction the filters reject
    vote(bo, 0, "supportive", facts="no")
    vote(ada, 1, "both_unacceptable", facts="no")
    vote(bo, 1, "both_unacceptable", facts="no")
    vote(ada, 2, "prescriptive")
    vote(bo, 2, "prescriptive")
    vote(ada, 3, "supportive")
    vote(bo, 3, "tie")
    vote(ada, 4, "supportive")  # one vote only
    for i in range(5, 10):
        vote(ada, i, "supportive", facts="no" if i == 9 else "yes")
        if i != 5:
            vote(bo, i, "supportive", facts="no" if i == 9 else "yes")
    # 10..19 untouched

    # single responses posted like the UI reach the search index too (the launcher's engine variant for osmem)
    import argilla as rg

    answered = ds.records(query=rg.Query(filter=rg.Filter(("response.status", "==", "submitted"))))
    assert sorted(str(r.id) for r in answered) == sorted(ids[:10])

    assert curate("review", "status", "--dataset", "round-trip", "--json") == 0
    progress = json.loads(capsys.readouterr().out)
    assert progress["total"] == 20
    assert progress["completed"] == 9  # two submissions: 0-3 and 5-9
    users = progress["users"]
    assert sum(users["ann-ada"]["completed"].values()) + sum(users["ann-ada"]["pending"].values()) == 10
    assert sum(users["ann-bo"]["completed"].values()) + sum(users["ann-bo"]["pending"].values()) == 9
    assert curate("review", "status", "--dataset", "round-trip") == 0
    out = capsys.readouterr().out
    assert "9/20 records completed" in out and "ann-ada" in out and "ann-bo" in out

    out_dir = tmp_path / "review"
    assert curate("review", "pull", "--dataset", "round-trip", "-o", str(out_dir), "--data", str(data)) == 0
    assert "accepted" in capsys.readouterr().out
    kept = pl.read_parquet(out_dir / "reviewed.parquet")
    aside = pl.read_parquet(out_dir / "review_dropped.parquet")
    allrows = pl.concat([kept, aside], how="diagonal_relaxed")
    assert sorted(allrows["id"].to_list()) == sorted(ids)  # nothing lost, nothing twice
    by_id = {r["id"]: r for r in allrows.to_dicts()}

    fixed = by_id[ids[0]]
    assert fixed["review_status"] == "accepted" and fixed["review_corrected"] is True
    assert fixed["chosen"] == correction and fixed["chosen_original"] == chosen[ids[0]]
    assert fixed["source"] == "caregiver_qa"  # provenance from --data survives
    # re-scored by the filters: real scores replace the pushed stand-ins, and the restored fact is found
    assert fixed["fkgl_chosen"] != pairs["fkgl_chosen"][0] and fixed["fkgl_chosen"] < 8
    assert fixed["keep"] is True and fixed["drop_reasons"] == [] and fixed["facts_lost_chosen"] == []
    assert fixed["review_facts_kept"] is False  # the reviewers said the pushed text lost a fact; the correction fixed it
    assert fixed["review_notes"] == ["ann-ada: added the heart-rate advice"]

    bad = by_id[ids[5]]
    assert bad["review_corrected"] is True and bad["review_status"] == "dropped"
    assert bad["review_drop_reason"].startswith("correction_failed_filters:") and "facts_lost" in bad["review_drop_reason"]
    assert bad["keep"] is False

    assert by_id[ids[1]]["review_status"] == "dropped" and by_id[ids[1]]["review_drop_reason"] == "both_unacceptable"
    assert by_id[ids[2]]["review_status"] == "dropped" and by_id[ids[2]]["review_drop_reason"] == "prescriptive_preferred"
    assert by_id[ids[3]]["review_status"] == "disputed"
    assert by_id[ids[4]]["review_status"] == "accepted" and by_id[ids[4]]["review_n_submitted"] == 1
    assert by_id[ids[9]]["review_status"] == "dropped" and by_id[ids[9]]["review_drop_reason"] == "facts_not_kept"
    assert all(by_id[ids[i]]["review_status"] == "accepted" for i in range(6, 9))
    for i in range(10, 20):
        row = by_id[ids[i]]
        assert row["review_status"] == "pending" and row["review_n_submitted"] == 0 and row["chosen"] == chosen[ids[i]]
    assert set(kept["review_status"]) == {"accepted", "pending"}
    assert set(aside["review_status"]) == {"dropped", "disputed"}

    manifest = json.loads((out_dir / "manifest.json").read_text())
    c = manifest["counts"]
    assert (c["accepted"], c["dropped"], c["disputed"], c["pending"], c["corrected"], c["rescored"]) == (5, 4, 1, 10, 2, 2)
    reasons = dict(c["drops_by_reason"])
    assert reasons.pop(bad["review_drop_reason"]) == 1
    assert reasons == {"both_unacceptable": 1, "prescriptive_preferred": 1, "facts_not_kept": 1}
    pref = manifest["agreement"]["preference"]
    # 9 items rated twice, 8 identical; ada: 7 supportive 1 bu 1 prescriptive, bo: 6 supportive 1 tie 1 bu 1 presc.
    assert pref["items_with_2plus_ratings"] == 9
    assert pref["cohen_kappa"] == pytest.approx(28 / 37, abs=1e-4)
    assert pref["percent_agreement"] == pytest.approx(8 / 9, abs=1e-4)
    assert manifest["submitted_by_annotator"] == {"ann-ada": 10, "ann-bo": 9}
    assert cli_env.api_key not in (out_dir / "manifest.json").read_text()
    report = (out_dir / "review_report.md").read_text()
    assert "Cohen's kappa" in report and "0.757 (n = 9)" in report and "both_unacceptable" in report
    assert "2 supportive answers were corrected" in report
    assert "**Small sample:**" in report and "preference (n = 9)" in report
    assert pref["small_sample"] is True
    assert "added the heart-rate advice" in report and "## Corrections" in report


@pytest.mark.parametrize("case", ["server_down", "wrong_key", "unknown_dataset"])
def test_connection_errors_one_line_exit_2(case, argilla, monkeypatch, tmp_path, capsys):
    url = f"http://127.0.0.1:{free_port()}" if case == "server_down" else argilla.url
    key = "wrong-key-123456" if case == "wrong_key" else argilla.api_key
    monkeypatch.setenv("ARGILLA_API_URL", url)
    monkeypatch.setenv("ARGILLA_API_KEY", key)
    rc = curate("review", "pull", "--dataset", "no-such-dataset", "-o", str(tmp_path / "out"))
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert len(err.splitlines()) == 1, err
    expected = {"server_down": "cannot reach the Argilla server", "wrong_key": "rejected the API key",
                "unknown_dataset": "Argilla dataset 'no-such-dataset' not found"}[case]
    assert expected in err
    assert key not in err
    assert not (tmp_path / "out").exists()  # nothing half-written
