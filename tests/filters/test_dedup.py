import numpy as np
import polars as pl

from curate.core.schema import question_key_expr
from filters import FilterConfig, filter_frame
from filters.dedup import dedup_frame, minhash_signatures, shingle_hashes
from tests.filters.helpers import frame, pair


def test_signatures_equal_datasketch_minhash():
    from datasketch import MinHash

    qs = pl.Series(["how do i help my mother sleep at night", "what is sundowning", "help"])
    rows, hv = shingle_hashes(qs, 2)
    sig = minhash_signatures(rows, hv, len(qs), 64, 1)
    for i in range(len(qs)):
        m = MinHash(num_perm=64, seed=1, hashfunc=lambda x: x)
        m.update_batch([int(h) for h, r in zip(hv, rows) if r == i])
        assert np.array_equal(sig[i], m.hashvalues)


QUESTIONS = [
    "How do I help my mother sleep at night?",                                    # 0 kept
    "how do I help my mother sleep at night",                                     # 1 exact dup of 0 (case, punctuation)
    "Is it normal that my husband with dementia forgets my name and gets angry when I remind him?",  # 2 kept
    "Is it normal that my husband with dementia forgets my name and gets angry when I remind him about it?",  # 3 near dup of 2
    "What is sundowning?",                                                        # 4 kept
    "How do I help my mother eat at night?",                                      # 5 kept: different question
    "Why does my dad refuse to bathe?",                                           # 6 kept
]


def test_exact_and_near_duplicates_cluster_and_first_is_kept():
    d = dedup_frame(pl.DataFrame({"question": QUESTIONS}), "question", threshold=0.7)
    kinds = d["dup_kind"].to_list()
    assert kinds == [None, "exact", None, "near", None, None, None]
    cid = d["cluster_id"].to_list()
    assert cid[0] == cid[1] and cid[2] == cid[3]
    assert len(set(cid)) == 5 and all(c for c in cid)
    assert d["duplicate_of"].to_list()[1] == 0 and d["duplicate_of"].to_list()[3] == 2


def test_cluster_ids_are_stable_across_runs_and_order_of_other_rows():
    a = dedup_frame(pl.DataFrame({"question": QUESTIONS}), "question")["cluster_id"].to_list()
    b = dedup_frame(pl.DataFrame({"question": QUESTIONS + ["Another question entirely?"]}), "question")["cluster_id"].to_list()
    assert a == b[: len(a)]


def test_dedup_filter_drop_reasons_and_disable():
    rows = [pair(question=q, id=str(i)) for i, q in enumerate(QUESTIONS)]
    out = filter_frame(frame(*rows), FilterConfig(meaning_check=False))
    reasons = out["drop_reasons"].to_list()
    assert "duplicate" in reasons[1] and "near_duplicate" in reasons[3]
    assert not any(r in ("duplicate", "near_duplicate") for i in (0, 2, 4, 5, 6) for r in reasons[i])
    off = filter_frame(frame(*rows), FilterConfig(meaning_check=False, dedup=False))
    assert not any("duplicate" in r or "near_duplicate" in r for r in off["drop_reasons"].to_list())
    assert off["cluster_id"].null_count() == 0  # cluster_id is always set (exact clusters)


def test_near_threshold_is_configurable():
    strict = dedup_frame(pl.DataFrame({"question": QUESTIONS}), "question", threshold=0.99)
    assert strict["dup_kind"].to_list()[3] is None


def test_normalization():
    s = pl.DataFrame({"q": ["  What’s   SUNDOWNING?? ", None]}).select(question_key_expr("q"))["q"].to_list()
    assert s == ["what s sundowning", ""]


def test_chunked_signatures_give_the_same_clusters(monkeypatch):
    import filters.dedup as dd

    whole = dedup_frame(pl.DataFrame({"question": QUESTIONS}), "question")
    monkeypatch.setattr(dd, "_CHUNK", 2)
    chunked = dedup_frame(pl.DataFrame({"question": QUESTIONS}), "question")
    assert whole.equals(chunked)


def test_the_normalizer_is_the_shared_question_key():
    from curate.core.schema import question_key

    qs = ["  What’s   SUNDOWNING?? ", "Is 5 mg OK?", "dose_of donepezil", "ﬁne…  really", None]
    got = pl.DataFrame({"q": qs}, schema={"q": pl.Utf8}).select(question_key_expr("q"))["q"].to_list()
    assert got == [question_key(q) for q in qs]
