"""``curate score --lang es``: one Spanish text's readability (Fernández-Huerta, Szigriszt-Pazos / INFLESZ), tone
and hostility with every cue, facts and PHI -- the Spanish rules the filter stage applies to Spanish rows."""

from __future__ import annotations

import polars as pl


def score_parts_es(text: str) -> tuple[dict, dict, dict, list, list]:
    """The Spanish parts of ``filters.stage.score_text``: readability fields, the tone and hostility explanations
    (hostility's matched cues only: a guard's non-positive weight is not a cue shown), facts and PHI."""
    from filters._facts_es import extract_facts_es
    from filters._phi_es import detect_phi_es
    from filters._readability_es import inflesz_band, readability_frame_es
    from filters._tone_es import explain, explain_hostility

    df = pl.DataFrame({"t": [text]}, schema={"t": pl.Utf8})
    r = readability_frame_es(df, "t").row(0, named=True)
    hx = explain_hostility(text or "")
    readability = {
        "lang": "es",
        "fernandez_huerta": r["fernandez_huerta_t"],
        "szigriszt_pazos": r["szigriszt_pazos_t"],
        "inflesz": inflesz_band(r["szigriszt_pazos_t"]),
        "words_per_sentence": r["words_per_sentence_t"],
        "words": r["words_t"],
    }
    return (readability, explain(text or ""), {**hx, "cues": [h for h in hx["cues"] if h["weight"] > 0]},
            extract_facts_es(text), detect_phi_es(text))
