"""``curate score --lang es``: one Spanish text's readability (Fernández-Huerta, Szigriszt-Pazos / INFLESZ), tone
and hostility with every cue, facts and PHI -- the Spanish rules the filter stage applies to Spanish rows."""

from __future__ import annotations

import polars as pl


def score_text_es(text: str) -> dict:
    from filters import hostility as _hostility
    from filters import tone as _tone
    from filters._facts_es import extract_facts_es
    from filters._phi_es import detect_phi_es
    from filters._readability_es import inflesz_band, readability_frame_es
    from filters._tone_es import explain, explain_hostility

    df = pl.DataFrame({"t": [text]}, schema={"t": pl.Utf8})
    r = readability_frame_es(df, "t").row(0, named=True)
    ex = explain(text or "")
    hx = explain_hostility(text or "")
    return {
        "lang": "es",
        "fernandez_huerta": r["fernandez_huerta_t"],
        "szigriszt_pazos": r["szigriszt_pazos_t"],
        "inflesz": inflesz_band(r["szigriszt_pazos_t"]),
        "words_per_sentence": r["words_per_sentence_t"],
        "words": r["words_t"],
        "tone": ex["tone"],
        "tone_raw": ex["raw"],
        "sentences": ex["sentences"],
        "cues": [_tone.format_cue(h) for h in ex["cues"]],
        "cue_details": ex["cues"],
        "tone_label": ex["label"],
        "hostility": hx["hostility"],
        "hostile": hx["hostile"],
        "hostility_cues": [_hostility.format_cue(h) for h in hx["cues"] if h["weight"] > 0],
        "hostility_cue_details": [h for h in hx["cues"] if h["weight"] > 0],
        "hostility_learned": None,
        "facts": extract_facts_es(text),
        "phi": detect_phi_es(text),
    }
