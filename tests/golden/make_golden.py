"""What the pipeline decides, as a golden file: `curate run examples/pipeline.yaml` (its settings, every row of
examples/caregiver_qa.csv, the rewrite answered by the deterministic loopback server instead of the built-in model)
and `curate filter` with the default settings (meaning check off) on the pairs that run produced and on
examples/reference_pairs.csv.

Recorded: per stage the kept ids, the dropped / quarantined ids with their reasons, and the published parquet files (columns, and a
sha256 per row).
A change that moves code without changing behaviour leaves this file as it is (tests/test_golden.py); a change that
is meant to change a decision regenerates it, and the diff shows which rows it moved:

    python -m tests.golden.make_golden            # rewrites tests/golden/pipeline.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl
import yaml

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("pipeline.json")


def _cli(argv: list[str]) -> int:
    try:
        from curate.app.cli import app
    except ImportError:  # the layout before curate/app/
        from curate.cli import app
    try:
        from curate.core.clikit import run_app
    except ImportError:
        from curate.clikit import run_app
    return run_app(app, "curate", [str(a) for a in argv])


def _rows(path: Path, cols: list[str]) -> list[dict]:
    if not path.exists():
        return []
    df = pl.read_parquet(path)
    keep = [c for c in cols if c in df.columns]
    return df.select(keep).sort(keep).to_dicts()


def _reasons(df: pl.DataFrame) -> list:
    col = next(c for c in ("drop_reasons", "reason", "review_drop_reason") if c in df.columns)
    return sorted([r["id"], r[col]] for r in df.select("id", col).to_dicts())


def _stage(out: Path) -> dict:
    """Kept ids and the reasons of everything set aside in one stage folder."""
    result: dict = {}
    for name in sorted(out.glob("*.parquet")):
        df = pl.read_parquet(name)
        if "id" not in df.columns:
            continue
        if any(c in df.columns for c in ("drop_reasons", "reason")) and df.height:
            result[name.stem] = _reasons(df)
        else:
            result[name.stem] = sorted(df["id"].to_list())
    return result


def compute(work: Path) -> dict:
    """Run both jobs in ``work`` (a fresh folder) and return what they decided."""
    from tests.rewrite.llm_server import LLMServer

    cfg = yaml.safe_load((ROOT / "examples" / "pipeline.yaml").read_text("utf-8"))
    out = work / "run"
    with LLMServer() as server:
        cfg["input"] = str(ROOT / "examples" / "caregiver_qa.csv")
        cfg["output_dir"] = str(out)
        cfg["rewrite"].update(base_url=server.url, model="loopback-llm", limit=None, concurrency=4)
        (work / "pipeline.yaml").write_text(yaml.safe_dump(cfg), "utf-8")
        assert _cli(["run", work / "pipeline.yaml"]) == 0
    assert _cli(["filter", out / "rewrite" / "pairs.parquet", "-o", work / "filter_defaults",
                 "--no-meaning-check"]) == 0
    assert _cli(["filter", ROOT / "examples" / "reference_pairs.csv", "-o", work / "filter_reference",
                 "--no-meaning-check"]) == 0
    return {
        "run": {stage: _stage(out / stage) for stage in ("rewrite", "filter")},
        "published": {str(p.relative_to(out / "publish")): _digest(p) for p in sorted((out / "publish").rglob("*.parquet"))},
        "filter_defaults": _stage(work / "filter_defaults"),
        "filter_reference": _stage(work / "filter_reference"),
    }


def _digest(path: Path) -> dict:
    """A published parquet file by its columns and one sha256 per row (rows in id order): any changed value shows."""
    import hashlib

    df = pl.read_parquet(path)
    rows = df.sort(df.columns[0]).to_dicts()
    canon = [json.dumps(r, sort_keys=True, ensure_ascii=False, default=str) for r in rows]
    return {"columns": df.columns, "rows": len(rows), "row_sha256": [hashlib.sha256(c.encode()).hexdigest()[:16] for c in canon]}


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        data = compute(Path(d))
    GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n", "utf-8")
    print(f"wrote {GOLDEN}", file=sys.stderr)


if __name__ == "__main__":
    main()
