"""``curate rewrite --redo FILTER_OUT_DIR``: only the failed side is regenerated (counted at a real loopback server),
the other side stays byte-identical, every row of kept + dropped ends exactly once, a rerun sends nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from curate.app.cli import main
from curate.core.schema import make_id
from filters import FilterConfig, failed_sides, run_filter_stage, unrepairable_reasons
from rewrite.config import RewriteConfig
from rewrite.redo import load_repair_notes, run_redo
from rewrite.runner import make_backend, run_rewrite
from tests.rewrite.conftest import write_qa
from tests.rewrite.llm_server import LLMServer, default_rewrite

L = pl.List(pl.Utf8)
PAIR_COLS = ["id", "question", "source_answer", "chosen", "rejected", "source", "rewrite_model", "prompt_version",
             "generation_params", "chosen_style", "rejected_style", "input_row"]


class Recording:
    """A real backend that also keeps every request it was asked to send (to read the prompts)."""

    def __init__(self, inner):
        self.inner, self.model_id, self.remote, self.sent = inner, inner.model_id, inner.remote, []

    def generate(self, requests, on_result):
        self.sent += requests
        self.inner.generate(requests, on_result)

    @property
    def fatal(self):
        return getattr(self.inner, "fatal", None)

    def close(self):
        self.inner.close()


def _row(i: int, q: str, src: str | None, reasons: list[str], chosen: str, rejected: str, **scores) -> dict:
    row = {"id": make_id(q, src or ""), "question": q, "source_answer": src, "chosen": chosen, "rejected": rejected,
           "source": "hand.csv", "rewrite_model": "old-model", "prompt_version": "supportive@1.0:aaaa+prescriptive@1.0:bbbb",
           "generation_params": '{"seed": 0}', "chosen_style": "supportive", "rejected_style": "prescriptive",
           "input_row": i, "topic": f"t{i}", "tone_chosen": 0.5, "tone_rejected": -0.5, "fkgl_chosen": 5.0,
           "fkgl_rejected": 11.0, "meaning_sim_chosen": 0.9, "meaning_sim_rejected": 0.9,
           "facts_lost_chosen": [], "facts_lost_rejected": [], "facts_added_chosen": [], "facts_added_rejected": [],
           "drop_reasons": reasons, "keep": not reasons}
    row.update(scores)
    return row


SRC = {
    "donepezil": "Donepezil is started at 5 mg once daily at bedtime. The dose may be raised to 10 mg after 4 to 6 weeks.",
    "walk": "Walking 30 minutes a day, 5 days a week, helps mood and sleep. Stop and call a doctor if chest pain occurs.",
    "fluids": "Older adults with dementia may forget to drink. Offer water or juice every 2 hours during the day.",
    "sundown": "Late-day confusion, called sundowning, is common. Keep a routine, open curtains by day and limit naps.",
    "wander": "About 6 in 10 people with dementia will wander. An ID bracelet and door alarms lower the risk.",
    "bath": "Bathing can frighten a person with dementia. Keep the room warm and explain each step before you do it.",
    "sleep": "Limit caffeine after noon and keep the bedroom dark. Daytime walks help night-time sleep.",
}
WARM = "You are doing so much already, and it is okay to feel tired. "
COLD = "Comply with the following protocol without deviation. "


def _hand_made(d: Path, min_meaning: float = 0.5) -> dict[str, tuple[dict, set[str]]]:
    """A filter output dir written by hand: name -> (dropped row, the sides the rules must pick)."""
    kept = [_row(0, "How much donepezil does my mom take?", SRC["donepezil"], [], "Warm donepezil.", "Cold donepezil."),
            _row(1, "How much should my dad walk?", SRC["walk"], [], "Warm walk.", "Cold walk.")]
    cases = {
        "hostile": (_row(2, "How do I get my mother to drink?", SRC["fluids"], ["rejected_hostile"], WARM + SRC["fluids"],
                         "Obviously you should have noticed. " + SRC["fluids"]), {"rejected"}),
        "too_hard": (_row(3, "Why is my husband worse at night?", SRC["sundown"], ["chosen_too_hard"],
                          "Crepuscular neurocognitive exacerbation is prevalent. " + SRC["sundown"], COLD + SRC["sundown"],
                          fkgl_chosen=12.0), {"chosen"}),
        "facts_lost": (_row(4, "Will my wife wander off?", SRC["wander"], ["facts_lost"], "People may wander.",
                            COLD + SRC["wander"], facts_lost_chosen=["6 in 10"]), {"chosen"}),
        # 0.55 passes the manifest's 0.5 (the default 0.6 would blame both sides)
        "meaning": (_row(5, "How do I make bath time easier?", SRC["bath"], ["meaning_drift"], WARM + SRC["bath"],
                         "Schedule the appointment.", meaning_sim_chosen=0.55, meaning_sim_rejected=0.2), {"rejected"}),
        "tone_rej": (_row(6, "What helps my dad sleep?", SRC["sleep"], ["tone_margin"], WARM + SRC["sleep"],
                          "You might gently try this. " + SRC["sleep"], tone_rejected=0.4), {"rejected"}),
        "tone_ch": (_row(7, "What helps my mom sleep at night?", SRC["sleep"] + " Keep a routine.", ["tone_margin"],
                         "Follow this. " + SRC["sleep"], COLD + SRC["sleep"], tone_chosen=-0.1, tone_rejected=-0.3),
                    {"chosen"}),
        "grade": (_row(8, "Can my mom still walk alone?", SRC["walk"] + " Use good shoes.", ["grade_margin"],
                       "Ambulation recommendations follow. " + SRC["walk"], COLD + SRC["walk"], fkgl_chosen=9.0),
                  {"chosen"}),
        # 8.2 is within the manifest's max_chosen_grade of 8.5: the rejected side reads too plainly
        "grade_rej": (_row(15, "Can my dad still walk to the shop?", SRC["walk"] + " Go with him.", ["grade_margin"],
                           WARM + SRC["walk"], "You are doing fine. " + SRC["walk"], fkgl_chosen=8.2), {"rejected"}),
        "both": (_row(9, "Is juice as good as water?", SRC["fluids"] + " Juice counts.", ["chosen_hostile", "fact_drift"],
                      "Honestly, any adult knows this. " + SRC["fluids"], COLD + SRC["fluids"] + " Take aspirin 81 mg.",
                      facts_added_rejected=["81 mg", "aspirin"]), {"chosen", "rejected"}),
        "no_source": (_row(10, "Should I correct my dad when he is confused?", None, ["rejected_too_supportive"],
                           "It can feel hard to watch. Try not to argue; gently change the subject.",
                           "It is okay, you are doing great, try not to argue.", tone_rejected=0.6), {"rejected"}),
        "no_source_both": (_row(11, "Is it normal to feel angry as a caregiver?", None,
                                ["chosen_not_supportive", "rejected_hostile"], "Anger is documented.",
                                "Grow up."), set()),
        "duplicate": (_row(12, "How much donepezil does my mom take?", SRC["donepezil"] + " ", ["duplicate"],
                           WARM + SRC["donepezil"], COLD + SRC["donepezil"]), set()),
        "phi": (_row(13, "Can my husband still drive?", "Driving should be checked by a doctor.", ["phi", "chosen_too_hard"],
                     "Call Dr. Smith at 555-123-4567.", COLD + "Driving must be assessed."), set()),
        "unknown": (_row(14, "Should mom use a walker?", "A walker lowers fall risk.", ["reviewer_rejected"],
                         WARM + "A walker can lower the risk of falls.", COLD + "Use a walker."), set()),
    }
    d.mkdir(parents=True)
    rows = kept + [r for r, _ in cases.values()]
    schema = {k: (L if k.startswith("facts_") or k == "drop_reasons" else pl.Int64 if k == "input_row"
                  else pl.Float64 if k.split("_")[0] in ("tone", "fkgl", "meaning") else pl.Boolean if k == "keep"
                  else pl.Utf8) for k in rows[0]}
    pl.DataFrame(kept, schema=schema).write_parquet(d / "kept.parquet")
    pl.DataFrame([r for r, _ in cases.values()], schema=schema).write_parquet(d / "dropped.parquet")
    (d / "manifest.json").write_text(json.dumps({"stage": "filter", "config": {"min_meaning_similarity": min_meaning,
                                                                        "max_chosen_grade": 8.5},
                                                 "input_columns": [*PAIR_COLS, "topic"]}))
    return cases


def _tags(server: LLMServer) -> Counter:
    return Counter(tag for tag, _ in server.log)


def test_failed_sides_rules(tmp_path):
    cases = _hand_made(tmp_path / "f")
    dropped = pl.read_parquet(tmp_path / "f" / "dropped.parquet")
    manifest = json.loads((tmp_path / "f" / "manifest.json").read_text())
    got = dict(zip(cases, failed_sides(dropped, manifest).to_list()))
    blocked = dict(zip(cases, unrepairable_reasons(dropped).to_list()))
    for name, (_, want) in cases.items():
        if name not in ("duplicate", "phi", "unknown", "no_source_both"):
            assert set(got[name]) == want and not blocked[name], (name, got[name])
    assert (blocked["duplicate"], blocked["phi"], blocked["unknown"]) == (["duplicate"], ["phi"], ["reviewer_rejected"])
    assert got["no_source_both"] == ["chosen", "rejected"] and not blocked["no_source_both"]
    # the thresholds come from the manifest: with the defaults (0.6, grade 8) the rules blame other sides
    default = failed_sides(dropped, FilterConfig()).to_list()
    assert default[list(cases).index("meaning")] == ["chosen", "rejected"]
    assert default[list(cases).index("grade_rej")] == ["chosen"]
    # a reason whose score columns are missing blames both sides
    bare = dropped.select("drop_reasons").filter(pl.col("drop_reasons").list.contains("tone_margin"))
    assert failed_sides(bare).to_list() == [["chosen", "rejected"]] * 2


def test_every_reason_the_filter_emits_is_classified():
    from filters.repair import REPAIRABLE, UNREPAIRABLE
    from filters.stage import drop_reasons_all

    every = drop_reasons_all(FilterConfig(drop_phi=True))
    assert set(every) <= set(REPAIRABLE) | set(UNREPAIRABLE), set(every) - set(REPAIRABLE) - set(UNREPAIRABLE)


def test_redo_regenerates_only_failed_sides(tmp_path):
    cases = _hand_made(tmp_path / "f")
    kept_in = pl.read_parquet(tmp_path / "f" / "kept.parquet")
    out = tmp_path / "out"
    with LLMServer() as server:
        cfg = RewriteConfig(base_url=server.url, model="loopback-llm", concurrency=2)
        backend = Recording(make_backend(cfg))
        m = run_redo(tmp_path / "f", out, cfg, backend=backend, progress=False)
        tags = _tags(server)
        n_first = server.requests
        m2 = run_redo(tmp_path / "f", out, cfg, progress=False)  # the same command again: all from the cache
        assert server.requests == n_first
    assert m2["counts"]["generated_this_run"] == 0 and m2["counts"]["from_cache"] == m["counts"]["requests"]

    # the server saw exactly the failed sides, once each
    want = Counter()
    for row, sides in cases.values():
        want.update({f"{row['id']}/{'supportive' if s == 'chosen' else 'prescriptive'}": 1 for s in sides})
    assert tags == want and sum(want.values()) == 11

    pairs = pl.read_parquet(out / "pairs.parquet")
    quar = pl.read_parquet(out / "quarantine.parquet")
    # every row of kept + dropped exactly once
    ids_in = kept_in["id"].to_list() + [r["id"] for r, _ in cases.values()]
    assert sorted(pairs["id"].to_list() + quar["id"].to_list()) == sorted(ids_in)
    assert pairs.height + quar.height == len(ids_in) == m["counts"]["input_rows"]
    # kept rows unchanged (the filter's score columns are left behind, the user's `topic` is kept)
    assert pairs.head(2).select(*PAIR_COLS, "topic").equals(kept_in.select(*PAIR_COLS, "topic"))
    assert pairs.head(2)["redo_side"].to_list() == [None, None]
    assert "tone_chosen" not in pairs.columns and "drop_reasons" not in pairs.columns

    by_id = {r["id"]: r for r in pairs.iter_rows(named=True)}
    for name, (row, sides) in cases.items():
        if not sides:
            continue
        got = by_id[row["id"]]
        assert got["redo_side"] == ("both" if len(sides) == 2 else next(iter(sides))), name
        assert got["redo_reasons"] == row["drop_reasons"]
        for side in ("chosen", "rejected"):
            if side in sides:
                base = row["source_answer"] if row["source_answer"] else row["chosen"]
                style = "supportive" if side == "chosen" else "prescriptive"
                assert got[side] == default_rewrite(style, " ".join(base.split())), name
            else:
                assert got[side] == row[side], name  # byte-identical
        assert got["topic"] == row["topic"]
    # no source answer: the rejected side was rewritten from the chosen answer
    no_source = cases["no_source"][0]
    assert by_id[no_source["id"]]["rejected"] == default_rewrite("prescriptive", " ".join(no_source["chosen"].split()))
    # provenance: a one-sided repair names both models; prompt_version names the repair notes on the repaired side
    hostile = by_id[cases["hostile"][0]["id"]]
    assert hostile["rewrite_model"] == "chosen: old-model; rejected: loopback-llm"
    notes_pv = load_repair_notes().prompt_version
    assert hostile["prompt_version"].startswith("supportive@1.0:aaaa+prescriptive@1.0:") and hostile["prompt_version"].endswith(notes_pv)

    reasons = dict(zip(quar["id"], quar["reason"]))
    assert reasons[cases["duplicate"][0]["id"]] == "not_repairable:duplicate"
    assert reasons[cases["phi"][0]["id"]] == "not_repairable:phi"
    assert reasons[cases["unknown"][0]["id"]] == "not_repairable:reviewer_rejected"
    assert reasons[cases["no_source_both"][0]["id"]] == "not_repairable:no_source_both_sides"
    raw = json.loads(quar.filter(pl.col("id") == cases["phi"][0]["id"])["raw_output"][0])
    assert raw["chosen"] == cases["phi"][0]["chosen"]  # the texts of a row not repaired are not lost
    c = m["counts"]
    assert (c["repaired"], c["not_repairable"], c["kept_unchanged"], c["repaired_without_source"]) == (10, 4, 2, 1)
    assert c["repaired_by_side"] == {"chosen": 4, "rejected": 5, "both": 1}
    assert "chosen answer" in m["redo"]["no_source"] and m["redo"]["filter_thresholds"]["min_meaning_similarity"] == 0.5

    # the prompt carries a repair note per reason, with the facts the filter found
    sent = {(r.row_id, r.style): r.messages[-1]["content"] for r in backend.sent}
    assert "never insulting" in sent[(cases["hostile"][0]["id"], "prescriptive")]
    assert "(6 in 10)" in sent[(cases["facts_lost"][0]["id"], "supportive")]
    assert "81 mg, aspirin" in sent[(cases["both"][0]["id"], "prescriptive")]
    assert sent[(cases["no_source"][0]["id"], "prescriptive")].endswith("ANSWER: " + cases["no_source"][0]["chosen"])


def test_repaired_output_failing_validation_is_quarantined(tmp_path):
    cases = _hand_made(tmp_path / "f")
    # the model answers the rejected side with its own failed text again, and the chosen side with nothing useful

    def respond(style, answer):
        return "Obviously you should have noticed. " + answer if style == "prescriptive" else "Take care."

    with LLMServer(respond=respond) as server:
        m = run_redo(tmp_path / "f", tmp_path / "out", RewriteConfig(base_url=server.url, model="m"), progress=False)
    quar = pl.read_parquet(tmp_path / "out" / "quarantine.parquet")
    reasons = dict(zip(quar["id"], quar["reason"]))
    assert reasons[cases["hostile"][0]["id"]] == "rejected:same_as_failed"
    assert reasons[cases["too_hard"][0]["id"]] == "chosen:too_short"
    assert "chosen:too_short" in reasons[cases["both"][0]["id"]]
    assert m["counts"]["pairs"] + m["counts"]["quarantined"] == m["counts"]["input_rows"] == 16
    # the rows whose only failed side was rejected got past validation only where the text changed
    assert all(r.startswith("rejected:") or r.startswith("chosen:") or r.startswith("not_repairable:")
               for r in reasons.values())


def test_rewrite_filter_redo_filter_end_to_end(tmp_path):
    """rewrite -> filter drops the rows whose rejected side came out warm -> redo regenerates only those sides
    (the shared cache does not answer them with the original output) -> filter keeps them."""
    qa = [("How much donepezil does my mom take?", SRC["donepezil"]), ("How much should my dad walk?", SRC["walk"]),
          ("How do I get my mother to drink?", SRC["fluids"]), ("Why is my husband worse at night?", SRC["sundown"]),
          ("Will my wife wander off?", SRC["wander"]), ("How much donepezil does my mom take each day?", SRC["donepezil"])]
    src = write_qa(tmp_path / "qa.csv", qa)
    warm_rejected, cold_chosen = {SRC["fluids"]}, {SRC["sundown"]}
    state = {"round": 1}
    sup = "It's completely understandable to feel worried about this. You are doing a great job by asking. "
    pre = ("Caregivers must administer the regimen exactly as indicated by the prescribing physician, contingent "
           "upon documented tolerability. ")
    warm = ("It's so understandable to feel this way, and you are doing a wonderful job. You might find it helps to "
            "be gentle with yourself. ")

    def respond(style, answer):
        if state["round"] == 1 and style == "prescriptive" and answer in warm_rejected:
            return warm + answer
        if state["round"] == 1 and style == "supportive" and answer in cold_chosen:
            return pre + answer
        return (sup if style == "supportive" else pre) + answer

    fcfg = FilterConfig(meaning_check=False, max_rejected_tone=0.0)
    ids = {q: make_id(q, a) for q, a in qa}
    with LLMServer(respond=respond) as server:
        cfg = RewriteConfig(base_url=server.url, model="loopback-llm", cache_path=str(tmp_path / "cache.sqlite"))
        run_rewrite(src, tmp_path / "rw", cfg, progress=False)
        f1 = run_filter_stage(tmp_path / "rw", tmp_path / "f1", fcfg)
        dropped = pl.read_parquet(tmp_path / "f1" / "dropped.parquet")
        assert f1["counts"]["dropped"] == 3, dropped.select("question", "drop_reasons")
        before = _tags(server)
        state["round"] = 2
        m = run_redo(tmp_path / "f1", tmp_path / "rd", cfg, progress=False)
        new = _tags(server) - before
        n_after = server.requests
        run_redo(tmp_path / "f1", tmp_path / "rd", cfg, progress=False)
        assert server.requests == n_after  # a rerun sends nothing
    assert new == Counter({f"{ids['How do I get my mother to drink?']}/prescriptive": 1,
                           f"{ids['Why is my husband worse at night?']}/supportive": 1})
    assert m["counts"]["repaired_by_side"] == {"rejected": 1, "chosen": 1}
    quar = pl.read_parquet(tmp_path / "rd" / "quarantine.parquet")
    assert quar["reason"].to_list() == ["not_repairable:near_duplicate"]

    f2 = run_filter_stage(tmp_path / "rd", tmp_path / "f2", fcfg)
    kept2 = pl.read_parquet(tmp_path / "f2" / "kept.parquet")
    assert f2["counts"]["dropped"] == 0 and kept2.height == 5
    assert sorted(kept2.filter(pl.col("redo_side").is_not_null())["redo_side"].to_list()) == ["chosen", "rejected"]
    # a second redo of the clean filter output repairs nothing and passes every row through
    m3 = run_redo(tmp_path / "f2", tmp_path / "rd2", cfg, progress=False)
    assert m3["counts"]["pairs"] == 5 and m3["counts"]["requests"] == 0


def _cli(args, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as e:
        main(args)
    return e.value.code, capsys.readouterr().err.strip()


def test_bad_redo_input_exit_2_nothing_written(tmp_path, capsys):
    url = ["--base-url", "http://127.0.0.1:9/v1", "--model", "m"]
    out = tmp_path / "out"
    (tmp_path / "half").mkdir()
    pl.DataFrame({"id": ["a"]}).write_parquet(tmp_path / "half" / "kept.parquet")
    _hand_made(tmp_path / "f")
    src = write_qa(tmp_path / "qa.csv", [("q?", "an answer")])
    for args, message in [
        (["rewrite", "--redo", str(tmp_path / "half"), "-o", str(out), *url], "no dropped.parquet"),
        (["rewrite", "--redo", str(tmp_path / "nope"), "-o", str(out), *url], "not a directory"),
        (["rewrite", str(src), "--redo", str(tmp_path / "f"), "-o", str(out), *url], "not both"),
        (["rewrite", "--redo", str(tmp_path / "f"), "-o", str(tmp_path / "f"), *url], "holds this command's input"),
        (["rewrite", "--redo", str(tmp_path / "f"), "-o", str(out), "--limit", "2", *url], "does not apply to --redo"),
        (["rewrite", "-o", str(out), *url], "missing the input file"),
    ]:
        code, err = _cli(args, capsys)
        assert code == 2 and len(err.splitlines()) == 1 and err.startswith("error: ") and message in err, (args, err)
        assert not out.exists()
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == ["dropped.parquet", "kept.parquet", "manifest.json"]
    # rewrite.redo set in a config reaches the same check as the flag
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"rewrite:\n  redo: {tmp_path / 'f'}\n")
    code, err = _cli(["rewrite", str(src), "-o", str(out), "--config", str(cfg), *url], capsys)
    assert code == 2 and "not both" in err and not out.exists()
    with pytest.raises(Exception, match="not both"):
        run_rewrite(src, out, RewriteConfig(redo=str(tmp_path / "f"), base_url="http://127.0.0.1:9/v1", model="m"))


def test_phi_guard_applies_to_what_a_redo_sends(tmp_path, monkeypatch):
    d = tmp_path / "f"
    d.mkdir()
    phi_src = "Mr. John Carter, DOB 04/12/1941, takes donepezil 10 mg daily."
    rows = [_row(0, "How much should my dad walk?", SRC["walk"], [], "Warm walk.", "Cold walk."),
            _row(1, "What does my dad take?", phi_src, ["rejected_too_supportive"], WARM + phi_src, WARM + phi_src,
                 tone_rejected=0.8)]
    schema = {k: (L if k.startswith("facts_") or k == "drop_reasons" else pl.Int64 if k == "input_row"
                  else pl.Float64 if k.split("_")[0] in ("tone", "fkgl", "meaning") else pl.Boolean if k == "keep"
                  else pl.Utf8) for k in rows[0]}
    pl.DataFrame(rows[:1], schema=schema).write_parquet(d / "kept.parquet")
    pl.DataFrame(rows[1:], schema=schema).write_parquet(d / "dropped.parquet")
    (d / "manifest.json").write_text(json.dumps({"stage": "filter", "config": {}, "input_columns": PAIR_COLS}))
    with LLMServer() as server:
        # a "remote" host, routed to the loopback server through an HTTP proxy: no traffic leaves the machine
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        remote = dict(base_url="http://clinic-llm.example.com/v1", model="m", max_retries=0)
        with pytest.raises(Exception, match=r"1 row\(s\) to repair contain PHI .* refusing to send rows [0-9a-f]{16} "):
            run_redo(d, tmp_path / "refused", RewriteConfig(**remote), progress=False)
        assert server.log == [] and not (tmp_path / "refused").exists()
        m = run_redo(d, tmp_path / "allowed", RewriteConfig(**remote, allow_phi=True), progress=False)
        assert [t for t, _ in server.log] == [f"{rows[1]['id']}/prescriptive"]
    assert m["counts"]["repaired"] == 1 and m["counts"]["phi_rows"] == 1 and m["remote_endpoint"] is True
