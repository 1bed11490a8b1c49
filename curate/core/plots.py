"""Figures for reports without touching pyplot's global state (no ``matplotlib.use``), so a notebook that
imports the toolkit keeps its inline backend."""

from __future__ import annotations

from pathlib import Path


def figure(nrows: int = 1, ncols: int = 1, figsize: tuple[float, float] = (6, 3.5)):
    """``(fig, axes)`` like ``plt.subplots``, but a standalone ``Figure`` that needs no closing."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols)


def save_png(fig, target: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` atomically as PNG."""
    from curate.core.io import atomic_path

    fig.tight_layout()
    with atomic_path(target) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return Path(target)
