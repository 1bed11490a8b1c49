"""The ``curate`` console script: one command per pipeline stage."""

from __future__ import annotations

import sys

import typer

from curate.core.clikit import DebugOption, run_app, set_debug

app = typer.Typer(
    name="curate",
    help="Clinical QA -> supportive / prescriptive preference pairs: rewrite, filter, review, publish.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain click help: wraps in narrow terminals instead of cutting words
)
config_app = typer.Typer(help="Configuration: print the full default YAML.", no_args_is_help=True, rich_markup_mode=None)


@app.callback()
def _root(debug: bool = DebugOption) -> None:
    set_debug(debug)


@config_app.command("init")
def config_init(
    output: str = typer.Option(None, "-o", "--output", help="Write to this file instead of stdout (refuses to overwrite)."),
) -> None:
    """Print the full default YAML config (every key, every default, with comments)."""
    from curate.app.config import default_yaml
    from curate.core.io import write_text
    from curate.core.outputs import check_output_file

    text = default_yaml()
    if output is None:
        typer.echo(text, nl=False)
        return
    check_output_file(output, flag="-o")  # a file is never overwritten; an unwritable place is one line, exit 2
    write_text(text, output)
    typer.echo(f"wrote {output}")


def _register() -> None:
    from curate.app.publish_cli import register as register_publish
    from curate.app.review_cli import review_app
    from curate.app.pipeline import register as register_run
    from curate.app.filter_cli import register as register_filters
    from curate.app.rewrite_cli import register as register_rewrite

    register_rewrite(app)
    register_filters(app)
    app.add_typer(review_app, name="review")
    register_publish(app)
    register_run(app)
    app.add_typer(config_app, name="config")


_register()


def main(argv: list[str] | None = None) -> None:
    sys.exit(run_app(app, "curate", argv))


if __name__ == "__main__":
    main()
