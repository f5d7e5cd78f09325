"""The packages' source: what linters do not check."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

PACKAGES = ("runtime", "models", "quantize", "mqtt_bridge", "cloud", "benchmarks")
ROOT = Path(__file__).resolve().parents[1]


def _bound_at_top(tree: ast.Module) -> Counter[str]:
    """How often each name is bound by a module's top-level statements, imports too (an @overload stub
    is no binding)."""
    bound: Counter[str] = Counter()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            decorators = {
                d.id if isinstance(d, ast.Name) else getattr(d, "attr", "") for d in node.decorator_list
            }
            if "overload" not in decorators:
                bound[node.name] += 1
        if isinstance(node, ast.Import | ast.ImportFrom):  # a name imported, then defined again
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    bound[name.id] += 1
    return bound


def test_no_module_binds_a_name_twice() -> None:
    """A table defined twice in a long module keeps only the second: "i want it at 30" after the speaker
    asked "What do you like?", as a later table of levels of the same name had no players (ruff's F811
    sees functions and imports only)."""
    twice = {
        f"{path.relative_to(ROOT)}: {name}"
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for name, n in _bound_at_top(ast.parse(path.read_text(), str(path))).items()
        if n > 1
    }
    assert not twice, sorted(twice)
