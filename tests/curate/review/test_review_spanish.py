"""A Spanish dataset pushed to the real Argilla server of the session fixture is shown in Spanish (guidelines, field
and question titles, label texts); the names pull reads stay the same."""

from __future__ import annotations

import polars as pl

from curate.app.cli import app
from curate.core.clikit import run_app
from curate.core.io import write_table


def test_spanish_rows_are_reviewed_in_spanish(cli_env, owner_client, pairs, tmp_path):
    spanish = pairs.with_columns(pl.lit("es").alias("lang"))
    data = tmp_path / "pairs.parquet"
    write_table(spanish, data)
    assert run_app(app, "curate", ["review", "push", str(data), "--dataset", "es-check"]) == 0
    ds = owner_client.datasets(name="es-check")
    assert ds.settings.guidelines.startswith("Verá la pregunta de un cuidador")
    fields = {f.name: f.title for f in ds.settings.fields}
    assert fields["question"] == "Pregunta del cuidador" and fields["response_a"] == "Respuesta A"
    questions = {q.name: q for q in ds.settings.questions}
    assert questions["preference"].title == "¿Qué respuesta es mejor para un cuidador?"
    assert set(questions) >= {"preference", "facts_kept", "corrected_supportive", "note"}
    assert len(list(ds.records(with_responses=False))) == spanish.height
