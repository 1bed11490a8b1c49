"""The layout is one-way: core <- stages <- app, read from the source with ``ast`` (every import, also the ones
inside functions).

* ``curate/core/`` (schema, io, errors, configlib, manifest, net, plots, outputs, clikit, builtin_model) imports no
  stage and not the app;
* a stage (``rewrite``, ``filters``, ``curate.review``, ``curate.publish``, ``align``) never imports the app
  (``curate/app/``: the CLI, the combined config, the pipeline) nor an engine (``curate/engine/``: where a stage's
  batches run -- local, Ray; it imports core and the stages, never the app), and takes another stage's names only from that
  stage's package (``from filters import tone_frame``), each listed in its ``__all__``;
* no two modules import each other;
* no module takes a ``_private`` name, or a ``_private`` module, from another package.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("curate", "filters", "rewrite", "align")
STAGES = ("rewrite", "filters", "curate.review", "curate.publish", "align")


def modules() -> dict[str, Path]:
    found = {}
    for pkg in PACKAGES:
        for p in (ROOT / pkg).rglob("*.py"):
            if "__pycache__" in p.parts or "server_hook" in p.parts:
                continue
            name = ".".join(p.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = p
    return found


def unit(module: str) -> str:
    """The layer unit a module belongs to: ``core``, ``app``, a stage name, or ``curate`` (the package root)."""
    for stage in sorted(STAGES, key=len, reverse=True):
        if module == stage or module.startswith(stage + "."):
            return stage
    if module.startswith("curate.core"):
        return "core"
    if module.startswith("curate.app"):
        return "app"
    if module.startswith("curate.engine"):
        return "engine"
    return module.split(".")[0]


def imports(mods: dict[str, Path]) -> list[tuple[str, str, list[str], int]]:
    """(importer, imported module, names taken, line) for every absolute import of a project module."""
    out = []
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] in PACKAGES:
                    out.append((name, node.module, [a.name for a in node.names], node.lineno))
            elif isinstance(node, ast.Import):
                out.extend((name, a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] in PACKAGES)
            elif isinstance(node, ast.ImportFrom) and node.level:
                out.append((name, "<relative>", [], node.lineno))
    return out


def exported(mods: dict[str, Path], package: str) -> set[str]:
    tree = ast.parse(mods[package].read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def test_imports_go_one_way():
    mods = modules()
    problems = []
    for src, dst, names, line in imports(mods):
        where = f"{mods[src].relative_to(ROOT)}:{line}"
        if dst == "<relative>":
            problems.append(f"{where}: relative import (write the absolute module)")
            continue
        a, b = unit(src), unit(dst)
        if a == b:
            continue
        if a == "core" and b != "core":
            problems.append(f"{where}: core imports {dst}")
        if a in STAGES and b == "app":
            problems.append(f"{where}: stage {a} imports the app ({dst})")
        if a in STAGES and b == "engine":
            problems.append(f"{where}: stage {a} imports an engine ({dst}); engines run stages, not the other way")
        if a == "engine" and b == "app":
            problems.append(f"{where}: engine imports the app ({dst})")
        if a in STAGES and b == "curate":
            problems.append(f"{where}: stage {a} imports {dst}, which is neither core nor a stage")
        if b in STAGES and a != "app":
            if dst != b:
                problems.append(f"{where}: {a} imports {dst}; take it from the package `{b}` (its __all__)")
            else:
                missing = [n for n in names if n not in exported(mods, b)]
                if missing:
                    problems.append(f"{where}: {a} imports {missing} from {b}, not in {b}.__all__")
        for n in names:
            if n.startswith("_"):
                problems.append(f"{where}: takes the private name {n} from {dst}")
        if any(part.startswith("_") and part != "__init__" for part in dst.split(".")):
            problems.append(f"{where}: imports the private module {dst}")
    assert not problems, "\n".join(problems)


def test_no_two_modules_import_each_other():
    mods = modules()
    edges = defaultdict(set)
    for src, dst, names, _ in imports(mods):
        targets = {dst} | {f"{dst}.{n}" for n in names if f"{dst}.{n}" in mods}
        edges[src] |= {t for t in targets if t in mods and t != src}
    pairs = sorted({tuple(sorted((a, b))) for a, bs in edges.items() for b in bs if a in edges.get(b, ())})
    # a package's __init__ re-exporting its own modules is not a cycle
    pairs = [(a, b) for a, b in pairs if not (b.startswith(a + ".") or a.startswith(b + "."))]
    assert not pairs, "modules importing each other: " + ", ".join(f"{a} <-> {b}" for a, b in pairs)
