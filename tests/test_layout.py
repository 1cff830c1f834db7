"""The code's shape as a newcomer meets it: rooms that import downhill, small modules, a small root.

Read from the source (no module is imported), so a lazy or TYPE_CHECKING import counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("crawler", "spiders", "feeds")
MAX_MODULE_LINES = 400
MAX_ROOT_MODULES = 16


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_modules() -> dict[str, Path]:
    return {module_name(p): p for top in PRODUCT for p in (ROOT / top).rglob("*.py")}


def imported_names(path: Path, name: str) -> set[str]:
    """Every module ``path`` imports anywhere in its body, as dotted names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = product_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in imported_names(path, name):
            # `from pkg import mod` names a module; `from pkg import func` names the package
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_product_modules():
    assert cycles(import_graph()) == []


def test_the_cycle_check_sees_lazy_imports(tmp_path):
    first = tmp_path / "a.py"
    first.write_text("def f():\n    from b import g\n")
    assert imported_names(first, "a") == {"b.g"}
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


@pytest.mark.parametrize("name", sorted(product_modules()))
def test_no_module_over_the_limit(name):
    lines = product_modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{name}: {lines} lines; split it by concept"


def test_crawler_root_holds_only_entry_points_and_cross_cutting_modules():
    root_modules = sorted(p.name for p in (ROOT / "crawler").glob("*.py"))
    assert len(root_modules) <= MAX_ROOT_MODULES, root_modules


def test_feeds_render_from_the_store_without_scrapy_pipelines_or_commands():
    graph = import_graph()
    modules = product_modules()
    forbidden = ("crawler.pipelines", "crawler.commands", "crawler.downloadermiddlewares",
                 "crawler.extensions", "crawler.itemwork")
    for name in (n for n in graph if n.startswith("feeds")):
        assert not {t for t in graph[name] if t.startswith(forbidden)}, name
        outside = imported_names(modules[name], name)
        assert not {m for m in outside if m.split(".")[0] in ("scrapy", "twisted")}, name
