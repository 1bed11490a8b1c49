"""Review through the CLI and the real Argilla server: blind review (annotators can read nothing that names the
chosen side), reviewer accounts from `curate review users add`, and push -> two annotators -> pull (with and
without --data) -> publish."""

from __future__ import annotations

import json
import re

import httpx
import polars as pl
import pytest

from curate.app.cli import app
from curate.core.clikit import run_app
from curate.core.io import read_table, write_table
from curate.core.schema import make_id
from tests.curate.pipeline_data import ROWS
from tests.curate.review.conftest import add_user

# words that name a side of the pair (or the decision that tells the sides apart)
SIDE = re.compile(r"chosen|rejected|supportive|prescriptive|margin|keep|drop_reason", re.I)
FIELDS = {"question", "source_answer", "response_a", "response_b"}


def curate(*argv) -> int:
    return run_app(app, "curate", [str(a) for a in argv])


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.fixture(scope="session")
def filter_dir(tmp_path_factory):
    """A real `curate filter` output of hand-written pairs (kept.parquet + manifest.json), with the rewrite stage's
    manifest upstream of it."""
    root = tmp_path_factory.mktemp("flow")
    rw = root / "rewrite"
    rw.mkdir()
    rows = [{"id": make_id(q, a), "question": q, "source_answer": a, "chosen": s, "rejected": p,
             "source": "caregiver_qa.csv", "rewrite_model": "hand-written-rewrites", "prompt_version": "supportive@1:aa|prescriptive@1:bb",
             "generation_params": json.dumps({"temperature": 0.0}), "chosen_style": "supportive",
             "rejected_style": "prescriptive", "input_row": i} for i, (q, a, s, p) in enumerate(ROWS)]
    write_table(pl.DataFrame(rows), rw / "pairs.parquet")
    (rw / "manifest.json").write_text(json.dumps({"stage": "rewrite", "config": {"model": "hand-written-rewrites"},
                                                  "inputs": {}, "counts": {"rows_in": len(rows), "pairs": len(rows)}}))
    assert curate("filter", rw / "pairs.parquet", "-o", root / "filter") == 0
    kept = read_table(root / "filter" / "kept.parquet")
    assert kept.height >= 4 and kept["keep"].all()
    return root / "filter"


def annotator_view(url: str, key: str, dataset_id: str) -> list[dict]:
    """Every record as an annotator can read it: the UI's search, and each record by id (which returns hidden
    metadata too) with its suggestions."""
    h = {"X-Argilla-Api-Key": key}
    r = httpx.post(f"{url}/api/v1/me/datasets/{dataset_id}/records/search?include=responses&include=suggestions&limit=500",
                   json={}, headers=h)
    assert r.status_code == 200, r.text
    out = []
    for item in r.json()["items"]:
        rec = item["record"]
        full = httpx.get(f"{url}/api/v1/records/{rec['id']}", headers=h)
        assert full.status_code == 200, full.text
        sugg = httpx.get(f"{url}/api/v1/records/{rec['id']}/suggestions", headers=h)
        assert sugg.status_code == 200, sugg.text
        out.append({"search": rec, "by_id": full.json(), "suggestions": sugg.json()["items"]})
    return out


def leaks(view: dict) -> list[str]:
    """What in one annotator-readable record names (or hands over) the chosen side."""
    found = []
    for name in ("search", "by_id"):
        rec = view[name]
        assert set(rec["fields"]) <= FIELDS, rec["fields"].keys()
        for k, v in (rec.get("metadata") or {}).items():
            if SIDE.search(k) or SIDE.search(json.dumps(v)):
                found.append(f"{name}: metadata {k}={v!r}")
        if rec.get("suggestions"):
            found.append(f"{name}: suggestions {rec['suggestions']}")
        rest = {k: v for k, v in rec.items() if k not in ("fields", "metadata", "suggestions")}
        if SIDE.search(json.dumps(rest)):
            found.append(f"{name}: {rest}")
    if view["suggestions"]:
        found.append(f"suggestions endpoint: {view['suggestions']}")
    return found


def test_blind_review_annotators_read_nothing_that_names_the_chosen_side(cli_env, owner_client, filter_dir, tmp_path, capsys):
    ann = add_user(cli_env, "blind-ann")
    kept = read_table(filter_dir / "kept.parquet")
    imported = kept.head(2).with_columns(pl.lit(None, pl.Utf8).alias("source_answer"),
                                         (pl.col("id") + "-imp").alias("id"))  # imported pairs: no source answer
    data = tmp_path / "to_review.parquet"
    write_table(pl.concat([kept, imported]), data)
    assert curate("review", "push", data, "--dataset", "blind") == 0
    assert "blind review" in capsys.readouterr().out
    ds = owner_client.datasets(name="blind")
    views = annotator_view(cli_env.url, ann["api_key"], str(ds.id))
    assert len(views) == kept.height + 2
    for v in views:
        assert leaks(v) == [], leaks(v)
        assert "response_a_is" not in json.dumps(v)
    # the source answer is shown where there is one and left out (not shown empty) where there is none
    by_ext = {v["search"]["external_id"]: v["search"]["fields"] for v in views}
    assert all("source_answer" not in by_ext[i] for i in imported["id"])
    assert all(by_ext[i]["source_answer"] == s for i, s in zip(kept["id"], kept["source_answer"]))
    # the metadata properties an annotator can list describe no side either
    props = httpx.get(f"{cli_env.url}/api/v1/me/datasets/{ds.id}/metadata-properties",
                      headers={"X-Argilla-Api-Key": ann["api_key"]}).json()["items"]
    assert props and not [p["name"] for p in props if SIDE.search(p["name"])]
    # the key is out of the annotator's reach: not one of its workspaces, its records refused
    h = {"X-Argilla-Api-Key": ann["api_key"]}
    mine = [w["name"] for w in httpx.get(f"{cli_env.url}/api/v1/me/workspaces", headers=h).json()["items"]]
    assert "curate-keys" not in mine
    key_ds = owner_client.datasets(name="argilla--blind", workspace="curate-keys")
    assert httpx.get(f"{cli_env.url}/api/v1/records/{next(iter(key_ds.records))._server_id}", headers=h).status_code == 403
    assert httpx.post(f"{cli_env.url}/api/v1/me/datasets/{key_ds.id}/records/search", json={}, headers=h).status_code == 403

    # the check above can fail: a non-blind review (asked for) shows suggestions and side-named scores
    assert curate("review", "push", data, "--dataset", "not-blind", "--suggestions") == 0
    assert "NON-BLIND" in capsys.readouterr().out
    views = annotator_view(cli_env.url, ann["api_key"], str(owner_client.datasets(name="not-blind").id))
    assert all(any("suggestions" in x for x in leaks(v)) for v in views)
    assert any("tone_chosen" in x for v in views for x in leaks(v))
    # ... and so does the config key
    cfg = tmp_path / "c.yaml"
    cfg.write_text("review:\n  suggestions: on\n")
    assert curate("review", "push", data, "--dataset", "not-blind-cfg", "--config", cfg) == 0
    views = annotator_view(cli_env.url, ann["api_key"], str(owner_client.datasets(name="not-blind-cfg").id))
    assert all(v["suggestions"] for v in views)


def test_users_add_prints_working_credentials(cli_env, capsys):
    assert curate("review", "users", "add", "rev-one") == 0
    out = capsys.readouterr().out
    creds = {k: re.search(rf"{k}:\s+(\S+)", out).group(1) for k in ("username", "password", "api key")}
    assert creds["username"] == "rev-one" and "annotator 'rev-one' in workspace 'argilla'" in out
    url = cli_env.url
    # the password logs in (the UI), the API key works (scripts), and the account is an annotator of the workspace
    assert httpx.post(f"{url}/api/v1/token", data={"username": "rev-one", "password": creds["password"]}).status_code == 201
    h = {"X-Argilla-Api-Key": creds["api key"]}
    assert httpx.get(f"{url}/api/v1/me", headers=h).json()["role"] == "annotator"
    assert [w["name"] for w in httpx.get(f"{url}/api/v1/me/workspaces", headers=h).json()["items"]] == ["argilla"]
    assert curate("review", "users", "list") == 0
    assert re.search(r"rev-one\s+annotator\s+argilla", capsys.readouterr().out)
    assert cli_env.api_key not in out

    # bad input: one line, exit 2, nothing created
    cases = [(["rev-one"], "already exists"), (["rev-two", "--role", "owner"], "--role"),
             (["bad name!"], "user name"), (["rev-three", "--workspace", "curate-keys"], "key workspace")]
    for argv, expected in cases:
        assert curate("review", "users", "add", *argv) == 2, argv
        assert expected in one_error_line(capsys)
    assert curate("review", "users", "add", "rev-four", "--api-key", creds["api key"]) == 2
    assert "only the Argilla owner" in one_error_line(capsys)
    assert curate("review", "users", "list") == 0
    assert "rev-two" not in capsys.readouterr().out


def _vote_all(url: str, key: str, dataset_id: str, kept: pl.DataFrame, plan: dict) -> None:
    """An annotator reads each record as the UI shows it and submits: ``plan[pair id] = (decision, extra values)``."""
    chosen = dict(zip(kept["id"], kept["chosen"]))
    h = {"X-Argilla-Api-Key": key}
    r = httpx.post(f"{url}/api/v1/me/datasets/{dataset_id}/records/search?limit=500", json={}, headers=h)
    for item in r.json()["items"]:
        rec = item["record"]
        decision, extra = plan.get(rec["external_id"], ("supportive", {}))
        supportive = "A" if rec["fields"]["response_a"] == chosen[rec["external_id"]] else "B"
        value = {"supportive": supportive, "prescriptive": "B" if supportive == "A" else "A"}.get(decision, decision)
        body = {"values": {k: {"value": v} for k, v in {"preference": value, "facts_kept": "yes", **extra}.items()},
                "status": "submitted"}
        resp = httpx.post(f"{url}/api/v1/records/{rec['id']}/responses", json=body, headers=h)
        assert resp.status_code == 201, resp.text


def test_push_two_cli_annotators_pull_with_and_without_data_publish(cli_env, owner_client, filter_dir, tmp_path, capsys):
    kept = read_table(filter_dir / "kept.parquet")
    ids = kept["id"].to_list()
    one, two = add_user(cli_env, "flow-one"), add_user(cli_env, "flow-two")
    assert curate("review", "push", filter_dir, "--dataset", "flow", "--min-submitted", "2") == 0
    capsys.readouterr()
    ds_id = str(owner_client.datasets(name="flow").id)
    correction = "Thank you for asking about this. " + kept["chosen"][0]
    _vote_all(cli_env.url, one["api_key"], ds_id, kept, {ids[0]: ("supportive", {"corrected_supportive": correction}),
                                                          ids[1]: ("both_unacceptable", {})})
    assert curate("review", "status", "--dataset", "flow", "--json") == 0
    assert json.loads(capsys.readouterr().out)["completed"] == 0  # two submissions needed per record
    _vote_all(cli_env.url, two["api_key"], ds_id, kept, {ids[1]: ("both_unacceptable", {})})
    assert curate("review", "status", "--dataset", "flow", "--json") == 0
    assert json.loads(capsys.readouterr().out)["completed"] == kept.height

    published = {}
    for how, extra in (("without", []), ("with", ["--data", filter_dir / "kept.parquet"])):
        rv = tmp_path / f"rv-{how}"
        assert curate("review", "pull", "--dataset", "flow", "-o", rv, *extra) == 0, how
        capsys.readouterr()
        reviewed = read_table(rv / "reviewed.parquet")
        dropped = read_table(rv / "review_dropped.parquet")
        # complete rows: every column of the filter's table is there, keep set from the review
        assert set(kept.columns) <= set(reviewed.columns), set(kept.columns) - set(reviewed.columns)
        assert reviewed["keep"].to_list() == [True] * reviewed.height and reviewed["keep"].null_count() == 0
        assert dropped["id"].to_list() == [ids[1]] and dropped["keep"].to_list() == [False]
        row0 = reviewed.filter(pl.col("id") == ids[0]).row(0, named=True)
        assert row0["chosen"] == correction and row0["review_corrected"] and row0["rewrite_model"] == "hand-written-rewrites"
        report = (rv / "review_report.md").read_text()
        assert "1 supportive answer was corrected" in report
        assert f"preference (n = {kept.height})" in report and "**Small sample:**" in report

        out = tmp_path / f"ds-{how}"
        assert curate("publish", rv, "--to-dir", out) == 0, capsys.readouterr().err
        capsys.readouterr()
        rows = pl.concat([pl.read_parquet(p) for p in sorted((out / "data").glob("*.parquet"))])
        assert rows.height == kept.height - 1
        card = (out / "README.md").read_text()
        assert "No filter-stage manifest was found" not in card and "max_chosen_grade" in card
        assert "hand-written-rewrites" in card
        published[how] = sorted(json.dumps(c) for c in rows["chosen"].to_list())
    assert published["with"] == published["without"]


def test_pull_without_data_refuses_with_one_line_when_it_cannot_rebuild(cli_env, owner_client, pairs, tmp_path, capsys):
    import argilla as rg

    from curate.review.push import build_records, build_settings
    from curate.app.config import load_config

    # a dataset pushed by an older curate: the order in record metadata, no key dataset, no pushed rows
    cfg = load_config(None, {"review": {"seed": 0, "suggestions": True}}).review
    settings = build_settings(pairs, cfg)
    settings.metadata.add(rg.TermsMetadataProperty(name="response_a_is", visible_for_annotators=False))
    ws = owner_client.workspaces(name=cli_env.workspace)
    ds = rg.Dataset(name="old-style", workspace=ws, settings=settings, client=owner_client).create()
    ds.records.log([rg.Record(id=r["id"], fields=r["fields"], metadata={**r["metadata"], "response_a_is": r["a_is"]})
                    for r in build_records(pairs, cfg)])
    capsys.readouterr()
    assert curate("review", "pull", "--dataset", "old-style", "-o", tmp_path / "rv") == 2
    err = one_error_line(capsys)
    assert "pass --data" in err and "20 of 20 record(s)" in err
    assert not (tmp_path / "rv").exists()
    data = tmp_path / "pairs.parquet"
    write_table(pairs, data)
    assert curate("review", "pull", "--dataset", "old-style", "-o", tmp_path / "rv", "--data", data) == 0

    # an admin outside the key workspace cannot read the order: one line saying whose key is needed
    admin = add_user(cli_env, "admin-outside", role="admin")
    assert curate("review", "push", data, "--dataset", "keyed") == 0
    capsys.readouterr()
    rc = curate("review", "pull", "--dataset", "keyed", "-o", tmp_path / "rv2", "--api-key", admin["api_key"])
    assert rc == 2
    err = one_error_line(capsys)
    assert "curate-keys" in err and "owner" in err and admin["api_key"] not in err
    # an annotator's key cannot pull at all
    ann = add_user(cli_env, "ann-puller")
    assert curate("review", "pull", "--dataset", "keyed", "-o", tmp_path / "rv3", "--api-key", ann["api_key"]) == 2
    assert "annotator" in one_error_line(capsys)


def test_push_refuses_a_key_workspace_with_annotators(cli_env, owner_client, pairs, tmp_path, capsys):
    import argilla as rg

    leaky = rg.Workspace(name="leaky-keys", client=owner_client).create()
    ann = add_user(cli_env, "ann-leaky")
    owner_client.users(username=ann["username"]).add_to_workspace(leaky)
    cfg = tmp_path / "c.yaml"
    cfg.write_text("review:\n  key_workspace: leaky-keys\n")
    data = tmp_path / "pairs.parquet"
    write_table(pairs, data)
    assert curate("review", "push", data, "--dataset", "leaky", "--config", cfg) == 2
    err = one_error_line(capsys)
    assert "ann-leaky" in err and "leaky-keys" in err
    assert owner_client.datasets(name="leaky") is None  # nothing pushed
