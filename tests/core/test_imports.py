"""The core's modules import one another in one direction: no circles.

Every import counts, those inside functions too (an import moved into a
function hides a circle; it does not break it). Read from the source with
``ast``, so a circle is found whether or not Python would trip over it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import bot.core

CORE = Path(bot.core.__file__).parent


def imports_of(path: Path) -> set[str]:
    """The modules of ``bot/core`` that the file at ``path`` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            if node.module == "bot.core":  # from bot.core import rounds, visibility
                found.update(alias.name for alias in node.names)
            elif node.module.startswith("bot.core."):
                found.add(node.module.removeprefix("bot.core.").split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("bot.core."):
                    found.add(alias.name.removeprefix("bot.core.").split(".")[0])
    return found


def import_graph(folder: Path) -> dict[str, set[str]]:
    modules = {path.stem: path for path in folder.glob("*.py")}
    return {name: imports_of(path) & set(modules) - {name} for name, path in modules.items()}


def circle(graph: dict[str, set[str]]) -> list[str]:
    """One circle of imports in ``graph`` (module → modules it imports), or []."""
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> list[str]:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return []
        path.append(name)
        for imported in sorted(graph[name]):
            found = visit(imported)
            if found:
                return found
        path.pop()
        done.add(name)
        return []

    for name in sorted(graph):
        found = visit(name)
        if found:
            return found
    return []


def test_the_core_has_no_import_circles() -> None:
    graph = import_graph(CORE)
    assert len(graph) > 30 and "proposing" in graph["decide"]  # the graph was read
    assert circle(graph) == [], " → ".join(circle(graph))


def test_a_circle_is_found_even_through_an_import_inside_a_function(tmp_path: Path) -> None:
    # The check itself, on a small made-up core: a circle through three modules,
    # one side hidden in a function, as ``timers`` once imported ``proposing``.
    (tmp_path / "a.py").write_text("from bot.core import b\n")
    (tmp_path / "b.py").write_text("from bot.core.c import thing\n")
    (tmp_path / "c.py").write_text("def thing():\n    from bot.core.a import x\n")
    (tmp_path / "d.py").write_text("import bot.core.a\n")
    graph = import_graph(tmp_path)
    assert graph == {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circle(graph) == ["a", "b", "c", "a"]
    (tmp_path / "c.py").write_text("def thing():\n    import json\n")
    assert circle(import_graph(tmp_path)) == []
