"""Spanish rows in the filter stage: readability equal to textstat's Spanish formulas, Spanish tone / hostility
cues (explainable, the same numbers row by row and one text at a time), facts through the Spanish pivot, Spanish
PHI rules, and English rows scored exactly as before in the same batch."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from curate.core.errors import UsageError
from filters import FilterConfig, filter_frame
from filters._facts_es import extract_facts_es, facts_diff_es
from filters._phi_es import detect_phi_es, redact_es
from filters._readability_es import readability_frame_es, textstat_scores_es
from filters._tone_es import explain, tone_hostility
from filters.stage import score_text

DEV = Path(__file__).resolve().parents[2] / "filters" / "data" / "labeled" / "tone_es_dev.jsonl"
TEXTS = [
    "Es normal sentirse cansado. Usted está haciendo mucho.",
    "Administre donepezilo 5 mg al acostarse. Vigile la aparición de náuseas y bradicardia. Acuda a control en 4 semanas.",
    "¿Qué tal? ¡Muy bien! El Dr. Pérez dijo: tome 2,5 mg cada 8 h, pero no más de 3 veces al día.",
    "La administración concomitante de inhibidores de la acetilcolinesterasa y fármacos anticolinérgicos disminuye "
    "significativamente la eficacia terapéutica y requiere monitorización electrocardiográfica periódica.",
    "", "Sí.",
]


def test_fernandez_huerta_and_szigriszt_pazos_equal_textstat_spanish():
    import textstat

    dev = [json.loads(line)["text"] for line in DEV.read_text("utf-8").splitlines()][:60]
    texts = TEXTS + dev
    out = readability_frame_es(pl.DataFrame({"t": texts}), "t")
    textstat.set_lang("es")
    try:
        for t, fh, sp in zip(texts, out["fernandez_huerta_t"], out["szigriszt_pazos_t"]):
            ref = textstat_scores_es(t)
            assert fh == pytest.approx(ref["fernandez_huerta"], abs=1e-9)
            assert sp == pytest.approx(ref["szigriszt_pazos"], abs=1e-9)
            assert fh == pytest.approx(textstat.fernandez_huerta(t), abs=0.01)  # the public API, rounded to 2 places
    finally:
        textstat.set_lang("en_US")
    plain, technical = out["fernandez_huerta_t"][0], out["fernandez_huerta_t"][3]
    assert plain > 60 > technical  # short everyday sentences read easier than a definition full of long words


def test_tone_cues_explain_the_example_of_the_brief():
    r = score_text("Es normal sentirse cansado. Usted está haciendo mucho.", "es")
    assert r["tone"] > 0.5 and r["tone_label"] == "supportive" and not r["hostile"]
    names = {c["cue"] for c in r["cue_details"]}
    assert {"validation", "naming a feeling", "praise"} <= names
    assert r["tone_raw"] == pytest.approx(sum(c["weight"] for c in r["cue_details"]))
    english = score_text("Es normal sentirse cansado. Usted está haciendo mucho.")
    assert english["tone"] == 0.0 and english["cues"] == []  # what a Spanish text got before


@pytest.mark.parametrize("text", [
    "Administre 5 mg al acostarse. Vigile la frecuencia cardiaca. Acuda a control en 4 semanas.",
    "Dale la memantina a la misma hora todos los días. No cambies la dosis sin consultar.",
    "Debe supervisar todas las tomas. Es obligatorio retirar las llaves del coche. No se debe dejar solo al paciente.",
    "Administrar paracetamol 1 g cada 8 horas. No superar 3 g al día.",
])
def test_curt_prescriptive_is_prescriptive_not_hostile(text):
    r = score_text(text, "es")
    assert r["tone"] < -0.2 and not r["hostile"], r["cues"]


@pytest.mark.parametrize("text", [
    "Claro, porque discutir con una persona con Alzheimer siempre funciona. Menuda idea.",
    "Por enésima vez: el parche se cambia cada 24 horas. ¿Cuántas veces hay que decirlo?",
    "La culpa es suya por no pedir ayuda antes. Usted se lo ha buscado.",
    "Ay, cariño, qué ternura que creas que se cura con vitaminas.",
])
def test_sarcasm_blame_and_mock_politeness_are_hostile(text):
    r = score_text(text, "es")
    assert r["hostile"] and r["tone"] < -0.2 and r["hostility_cues"], r


def test_kind_phrases_that_hold_a_sneer_word_stay_kind():
    for text in ("No es culpa suya: la enfermedad cambia a las personas. Qué buena pregunta, por cierto.",
                 "Tranquila, no está sola. Lo está haciendo con mucho cariño."):
        r = score_text(text, "es")
        assert not r["hostile"] and r["tone"] > 0.2, r["cues"]


def test_column_scores_equal_one_text_explanations_on_the_dev_split():
    rows = [json.loads(line) for line in DEV.read_text("utf-8").splitlines()]
    tone, raw, h = tone_hostility(pl.Series([r["text"] for r in rows] + [None]))
    assert np.isnan(tone[-1]) and h[-1] == 0
    for i, r in enumerate(rows):
        ex = explain(r["text"])
        assert ex["tone"] == pytest.approx(tone[i]) and ex["raw"] == pytest.approx(raw[i])
    labels = np.array([r["label"] for r in rows])
    hostile = 1 - np.exp(-h[:-1]) >= 0.5
    assert hostile[labels == "hostile"].mean() >= 0.9 and not hostile[labels != "hostile"].any()
    sup, pres = tone[:-1][labels == "supportive"], tone[:-1][labels == "prescriptive"]
    assert (sup[:, None] > pres[None, :]).mean() >= 0.95


def test_spanish_facts_number_words_frequencies_units_and_names():
    a = "Administre donepezilo 5 mg al acostarse y acuda a control en 4 semanas."
    b = "Puede darle cinco miligramos de donepezilo por la noche; la revisión es en cuatro semanas."
    assert extract_facts_es(a) == extract_facts_es(b) == ["1x/night", "4 week", "5 mg", "donepezil"]
    assert extract_facts_es("Tome paracetamol 1 g cada 8 horas, sin pasar de 3.000 mg al día.") == \
        extract_facts_es("El acetaminofén se toma 1.000 mg cada ocho horas; no supere 3 g al día.")
    assert "2x/day" in extract_facts_es("La metformina se toma dos veces al día con las comidas.")
    assert extract_facts_es("Rivastigmina 4,6 mg cada 24 horas") == ["1x/day", "4.6 mg", "rivastigmine"]
    assert "hypertension" in extract_facts_es("Tiene la presión alta y un ictus previo.")
    lost, added = facts_diff_es("Tome omeprazol 20 mg una vez al día.", "Tome omeprazol 40 mg una vez al día.")
    assert lost == ["20 mg"] and added == ["40 mg"]
    assert extract_facts_es("Llame a la línea de ayuda 900 123 456.") == []  # a phone number is no fact


def test_spanish_phi_rules_and_public_numbers():
    text = ("Mi madre, Carmen López Ruiz, nació el 3 de marzo de 1941; DNI 12345678Z, NIE X1234567L. "
            "Llámeme al 612 345 678. Historia clínica nº 4452871. Vivimos en Calle Mayor 12, 3º B.")
    kinds = {x.split(":")[0] for x in detect_phi_es(text)}
    assert kinds == {"NAME", "DATE_OF_BIRTH", "ID_NUMBER", "PHONE", "RECORD_NUMBER", "ADDRESS"}
    assert "DATE_OF_BIRTH: 12/03/1945" in detect_phi_es("Fecha de nacimiento: 12/03/1945.")
    assert "ID_NUMBER: GOML450312HDFRRS09" in detect_phi_es("Su CURP es GOML450312HDFRRS09.")
    assert detect_phi_es("Puede llamar gratis a la línea de ayuda 900 100 456 o al 112.") == []
    assert detect_phi_es("El Instituto Nacional sobre el Envejecimiento publica información en español.") == []
    red, kinds = redact_es("Mi esposo, Juan Pérez, tiene el teléfono 612 345 678.")
    assert red == "Mi esposo, [NAME], tiene el teléfono [PHONE]." and kinds == ["NAME", "PHONE"]


def _pairs(lang_col=None) -> pl.DataFrame:
    en = ("What dose of donepezil?", "Give donepezil 5 mg at bedtime.",
          "It's okay to feel unsure. You might give donepezil 5 mg at bedtime.",
          "Administer donepezil 5 mg at bedtime. Monitor for bradycardia.")
    es = ("¿Qué dosis de donepezilo?", "Donepezilo 5 mg al acostarse.",
          "Es normal tener dudas. Puede darle donepezilo 5 mg al acostarse.",
          "Administre donepezilo 5 mg al acostarse. Vigile la bradicardia.")
    rows = [en, es]
    df = pl.DataFrame(rows, schema=["question", "source_answer", "chosen", "rejected"], orient="row")
    return df if lang_col is None else df.with_columns(pl.Series("lang", lang_col))


def test_a_lang_column_scores_each_row_in_its_language_and_english_rows_as_before():
    cfg = FilterConfig(meaning_check=False, dedup=False)
    mixed = filter_frame(_pairs(["en", "es-MX"]), cfg)
    english_only = filter_frame(_pairs().head(1), cfg)
    shared = [c for c in english_only.columns if c in mixed.columns]
    assert mixed.head(1).select(shared).to_dicts() == english_only.select(shared).to_dicts()
    es = mixed.row(1, named=True)
    assert es["fkgl_chosen"] is None and es["fernandez_huerta_chosen"] > es["fernandez_huerta_rejected"]
    assert es["tone_chosen"] > 0.2 > -0.2 > es["tone_rejected"] and es["hostility_rejected"] < 0.5
    assert es["facts_lost_chosen"] == [] and es["facts_lost_rejected"] == []
    assert mixed.row(0, named=True)["fernandez_huerta_chosen"] is None
    assert "fernandez_huerta_chosen" not in english_only.columns  # an English batch gets no Spanish column


def test_filter_lang_setting_and_spanish_thresholds():
    df = _pairs().tail(1)
    kept = filter_frame(df, FilterConfig(lang="es", meaning_check=False, dedup=False))
    assert kept["keep"].to_list() == [True], kept["drop_reasons"].to_list()
    hard = filter_frame(df, FilterConfig(lang="es", meaning_check=False, dedup=False, min_chosen_fernandez_huerta=99.0))
    assert "chosen_too_hard" in hard["drop_reasons"][0]
    with pytest.raises(UsageError, match="unsupported language 'fr'"):
        filter_frame(_pairs(["en", "fr"]), FilterConfig(meaning_check=False))
    with pytest.raises(ValueError, match="lang must be one of en, es"):
        FilterConfig(lang="klingon")
