"""What every console script shares: one-line errors with exit codes 2 / 1, ``--debug`` tracebacks."""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

err_console = Console(stderr=True, highlight=False, soft_wrap=True)

DEBUG_ENV = "CURATE_DEBUG"


def debug_enabled() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0", "false")


def set_debug(value: bool) -> None:
    if value:
        os.environ[DEBUG_ENV] = "1"


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return text or type(e).__name__


def run_app(app: typer.Typer, prog_name: str, argv: list[str] | None = None) -> int:
    """Run a typer app; map errors to one line on stderr and an exit code (2 usage, 1 runtime)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    before = os.environ.get(DEBUG_ENV)
    try:
        if "--debug" in argv:
            set_debug(True)
        return _run(app, prog_name, argv)
    finally:  # `--debug` lasts for this invocation only (matters when called in-process, e.g. from tests)
        if before is None:
            os.environ.pop(DEBUG_ENV, None)
        else:
            os.environ[DEBUG_ENV] = before


def _run(app: typer.Typer, prog_name: str, argv: list[str]) -> int:
    from curate.core.errors import CurateError

    try:
        app(args=argv, prog_name=prog_name, standalone_mode=False)
        return 0
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        return 130
    except CurateError as e:
        if debug_enabled():
            err_console.print_exception()
        err_console.print(f"error: {e}", markup=False)
        return e.exit_code
    except Exception as e:
        # click's (and typer's vendored click's) own exceptions: usage errors exit 2, Exit carries its code
        kind = {c.__name__ for c in type(e).__mro__}
        if "Exit" in kind and hasattr(e, "exit_code"):
            return e.exit_code
        if "Abort" in kind:
            err_console.print("aborted", markup=False)
            return 130
        if "ClickException" in kind:
            err_console.print(f"error: {_one_line(e.format_message())}", markup=False)
            return e.exit_code
        if debug_enabled():  # anything else is a runtime failure
            err_console.print_exception()
        err_console.print(f"error: {type(e).__name__}: {_one_line(e)} (rerun with --debug for the traceback)", markup=False)
        return 1


DebugOption = typer.Option(False, "--debug", help="Show full tracebacks on errors.", is_eager=True)
