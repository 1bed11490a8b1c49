"""``curate review ...`` (placeholder until issue 4 lands)."""

import typer

review_app = typer.Typer(help="Human review in Argilla: serve, push, status, pull.", no_args_is_help=True)
