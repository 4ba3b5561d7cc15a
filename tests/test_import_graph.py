"""The package's modules import one another without a circle (the style rule "no import circles").

Every ``import`` and ``from … import`` of an ipsubsidy module counts: at module level, inside a function (a
deferred import is still a dependency) and under ``if TYPE_CHECKING:`` (a circle the type checker alone follows
is still one a reader of the imports meets). ``from ipsubsidy.engine import durable`` depends on the submodule
``ipsubsidy.engine.durable``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ipsubsidy

PACKAGE = Path(ipsubsidy.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST, modules: set[str]) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                if sub in modules:
                    found.add(sub)
                elif node.module in modules:
                    found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    modules = set(files)
    return {name: _imports(ast.parse(path.read_text(encoding="utf-8")), modules) - {name}
            for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import circle once, as the path that closes it (depth-first search)."""
    out: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                out.append([*path[path.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return out


def test_the_checker_finds_a_circle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_checker_reads_deferred_and_type_checking_imports() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ipsubsidy import result\n"
                     "def f():\n    from ipsubsidy.summary import summarise\n")
    assert _imports(tree, {"ipsubsidy.result", "ipsubsidy.summary"}) == {"ipsubsidy.result", "ipsubsidy.summary"}


def test_no_module_of_the_package_imports_itself_through_others() -> None:
    graph = import_graph()
    assert "ipsubsidy.evaluate" in graph["ipsubsidy"]  # the graph is read: the package exports evaluate
    assert cycles(graph) == []
