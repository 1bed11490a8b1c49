"""Names a package exports but imports only when first asked for (their modules load heavy dependencies), so that
importing the package stays light.  In a package ``__init__``::

    __getattr__, __dir__ = lazy_exports(__name__, {"run_filter_stage": "filters.runner"}, globals())
"""

from __future__ import annotations

import importlib
from typing import Callable


def lazy_exports(package: str, table: dict[str, str], namespace: dict) -> tuple[Callable, Callable]:
    """The module-level ``__getattr__`` and ``__dir__`` (PEP 562) that resolve ``table[name]``'s attribute ``name``."""

    def __getattr__(name: str):
        if name in table:
            return getattr(importlib.import_module(table[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
