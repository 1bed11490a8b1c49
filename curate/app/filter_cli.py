"""CLI of the filter stage: ``curate filter INPUT -o OUT_DIR`` and ``curate score "text"``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer


def _ids_text(ids: list, total: int) -> str:
    more = f" and {total - len(ids)} more" if total > len(ids) else ""
    return ", ".join(map(str, ids)) + more


def console_warnings(manifest: dict) -> list[str]:
    """One line each (without the ``warning:`` prefix) for what the summary counts alone would hide: rows scored
    without a source answer, and kept rows that ``curate publish`` will refuse because they are flagged for PHI."""
    from curate.core.schema import SOURCE_ANSWER

    c, cfg, out = manifest["counts"], manifest.get("config", {}), []
    n, total = c.get("rows_without_source", 0), c.get("input_rows", 0)
    if n:
        cols = manifest.get("input_columns")
        if cols is not None and SOURCE_ANSWER not in cols:
            shown = _ids_text(cols[:8], len(cols))
            what = f"no source answer (the input has no `{SOURCE_ANSWER}` column; found: {shown})"
        else:
            what = f"an empty `{SOURCE_ANSWER}`"
        skipped = " and the meaning check is skipped for them" if cfg.get("meaning_check", True) else ""
        out.append(f"{n} of {total} row{'s' if total != 1 else ''} {'has' if n == 1 else 'have'} {what}: facts are "
                   f"checked chosen vs rejected only{skipped}")
    n = c.get("kept_rows_with_phi", 0)
    if n:
        phi = manifest.get("kept_phi") or {}
        kinds = f"; kinds: {', '.join(phi['kinds'])}" if phi.get("kinds") else ""
        out.append(f"{n} kept row{'s' if n != 1 else ''} flagged for PHI (ids: {_ids_text(phi.get('ids', []), n)}{kinds}); "
                   f"`curate publish` refuses a table with any PHI-flagged row: de-identify {'it' if n == 1 else 'them'} "
                   "and rerun `curate filter`, or set filter.phi_action: redact (typed placeholders) or drop")
    return out


def register(app: typer.Typer) -> None:
    @app.command("filter")
    def filter_cmd(
        input: Path = typer.Argument(..., help="Pairs file (.parquet / .jsonl / .csv) or a `curate rewrite` output dir (its pairs.parquet)."),
        output: Path = typer.Option(..., "-o", "--output", help="Output dir: kept.parquet, dropped.parquet, manifest.json, report.md, plots."),
        config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML config (its `filter:` section is used); defaults otherwise."),
        max_chosen_grade: Optional[float] = typer.Option(None, help="Override filter.max_chosen_grade."),
        min_tone_margin: Optional[float] = typer.Option(None, help="Override filter.min_tone_margin."),
        meaning_check: Optional[bool] = typer.Option(None, "--meaning-check/--no-meaning-check", help="Override filter.meaning_check (the embedding similarity check)."),
        batch_rows: Optional[int] = typer.Option(None, help="Override filter.batch_rows."),
        lang: Optional[str] = typer.Option(None, "--lang", help="Override filter.lang: en or es (rows without a `lang` column are read in this language)."),
        engine: Optional[str] = typer.Option(None, "--engine", help="Override filter.engine: local (this process) or ray (Ray Data map_batches; pip install 'empathy-curate[ray]')."),
        ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Override filter.ray_address: the Ray cluster for --engine ray (e.g. ray://head:10001, auto); default: start a local Ray."),
        overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier output of this tool in OUTPUT (never a folder of your own files)."),
    ) -> None:
        """Score every pair (readability, tone, facts, dedup, PHI, margins); keep or drop each with named reasons."""
        params = dict(locals())  # the flags, named like the fields of filters.config.FilterConfig
        from curate.app.config import load_section
        from curate.core.outputs import check_output_dir, replacing
        from curate.engine import run_filter
        from filters.runner import resolve_input

        cfg = load_section(config, "filter", params)  # every option checked before any work starts
        resolve_input(input)  # a missing / wrong input is reported before the output dir is looked at
        plan = check_output_dir(output, overwrite=overwrite, flag="-o", inputs=[input])
        with replacing(plan):
            manifest = run_filter(input, output, cfg, progress=True)
        c = manifest["counts"]
        typer.echo(f"{c['input_rows']} pairs: {c['kept']} kept, {c['dropped']} dropped -> {output}")
        for reason, n in c["drops_by_reason"].items():
            typer.echo(f"  {reason}: {n}")
        typer.echo(f"report: {output / 'report.md'}")
        for line in console_warnings(manifest):
            typer.echo(f"warning: {line}", err=True)

    @app.command("score")
    def score_cmd(
        text: str = typer.Argument(..., help="The text to score (use - to read stdin)."),
        as_json: bool = typer.Option(False, "--json", help="Print the full result as JSON."),
        lang: str = typer.Option("en", "--lang", help="Language of the text: en (Flesch-Kincaid, English cues) or es (Fernandez-Huerta / INFLESZ, Spanish cues, facts and PHI rules)."),
    ) -> None:
        """Print a text's reading grade, tone and hostility scores and the cues behind them."""
        import sys

        from curate.core.errors import UsageError
        from filters.stage import score_text

        if text == "-":
            text = sys.stdin.read()
        if not text.strip():
            raise UsageError("score: empty text")
        from curate.core.lang import normalize

        r = score_text(text, normalize(lang, "--lang"))
        if as_json:
            typer.echo(json.dumps(r, indent=2, ensure_ascii=False) if r.get("lang") == "es" else json.dumps(r, indent=2))
            return
        if r.get("lang") == "es":
            typer.echo(f"Fernández-Huerta: {r['fernandez_huerta']:.1f}   Szigriszt-Pazos: {r['szigriszt_pazos']:.1f} "
                       f"(INFLESZ: {r['inflesz']})   words/sentence: {r['words_per_sentence']:.1f}")
        else:
            typer.echo(f"grade (Flesch-Kincaid): {r['fkgl']:.1f}   SMOG: {r['smog']:.1f}   reading ease: {r['flesch_reading_ease']:.1f}   "
                       f"words/sentence: {r['words_per_sentence']:.1f}")
        typer.echo(f"tone: {r['tone']:+.2f} ({r['tone_label']}; raw {r['tone_raw']:+.2f} over {r['sentences']} sentence(s))")
        if r["cues"]:
            typer.echo("cues:")
            for c in r["cues"]:
                typer.echo(f"  {c}")
        else:
            typer.echo("cues: none")
        verdict = "hostile" if r["hostile"] else "not hostile"
        typer.echo(f"hostility: {r['hostility']:.2f} ({verdict})")
        if r["hostility_cues"]:
            typer.echo("hostility cues:")
            for c in r["hostility_cues"]:
                typer.echo(f"  {c}")
        if r["hostility_learned"] and r["hostility_learned"]["added"] > 0:
            grams = ", ".join(f"{x['ngram']!r} {x['weight']:+.2f}" for x in r["hostility_learned"]["ngrams"])
            typer.echo(f"hostility model: {r['hostility_learned']['added']:+.2f} (n-grams: {grams})")
        if r["facts"]:
            typer.echo(f"facts: {', '.join(r['facts'])}")
        if r["phi"]:
            typer.echo(f"possible PHI: {'; '.join(r['phi'])}")
