"""The ``align`` console script: DPO training and evaluation. Owned by issue 6."""

from __future__ import annotations

import sys

import typer

from curate.clikit import DebugOption, run_app, set_debug

app = typer.Typer(name="align", help="Train (DPO) and evaluate a model on a curated preference dataset.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


@app.callback()
def _root(debug: bool = DebugOption) -> None:
    set_debug(debug)


def main(argv: list[str] | None = None) -> None:
    sys.exit(run_app(app, "align", argv))
