"""The house's direction: every import in okrcli/ points down the pipeline, and none circles.

cli → render → services → history → files → core. The test reads the source (every
import statement, at module level or inside a function, since a deferred import is still
a dependency) and fails on an import that points up a layer or on a circle of modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "okrcli"
LAYERS = ("core", "files", "history", "services", "render", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int | None:
    """The layer's rank, or None for the package's face (okrcli, okrcli.__main__)."""
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The okrcli modules that `path` imports (`from okrcli.x import y` counts y when y
    is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("okrcli"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("okrcli"):
                continue
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in modules else node.module)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: imports_of(path, modules) & modules for name, path in paths.items()}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in graph.items():
        own = layer_of(module)
        for target in targets:
            theirs = layer_of(target)
            if own is not None and theirs is not None and theirs > own:
                found.append(f"{module} ({LAYERS[own]}) imports {target} ({LAYERS[theirs]})")
    return sorted(found)


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def test_every_module_lives_in_a_layer() -> None:
    outside = [m for m in import_graph() if layer_of(m) is None]
    assert sorted(outside) == ["okrcli", "okrcli.__main__"]


def test_no_layer_imports_a_higher_one() -> None:
    assert upward_imports(import_graph()) == []


def test_no_module_circles_back_to_itself() -> None:
    assert circles(import_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"okrcli.core.a": {"okrcli.render.b"}, "okrcli.render.b": set()}, 1),
        ({"okrcli.render.b": {"okrcli.core.a"}, "okrcli.core.a": set()}, 0),
    ],
)
def test_the_direction_check_sees_an_upward_import(
    graph: dict[str, set[str]], expected: int
) -> None:
    assert len(upward_imports(graph)) == expected


def test_the_circle_check_sees_a_circle() -> None:
    graph = {
        "okrcli.files.a": {"okrcli.files.b"},
        "okrcli.files.b": {"okrcli.files.c"},
        "okrcli.files.c": {"okrcli.files.a"},
        "okrcli.files.d": {"okrcli.files.a"},
    }
    assert circles(graph) == [["okrcli.files.a", "okrcli.files.b", "okrcli.files.c"]]


def test_the_imports_are_read_inside_functions_too(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from okrcli.render import tables\n")
    assert imports_of(source, {"okrcli.render.tables"}) == {"okrcli.render.tables"}


def test_help_imports_typer_and_nothing_heavy() -> None:
    """`okr --help` runs on every mistyped command: no YAML reader, no pydantic, no rich."""
    import subprocess
    import sys

    probe = (
        "import sys; sys.argv = ['okr', '--help']\n"
        "from okrcli.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('yaml', 'ruamel', 'pydantic', 'rich', 'okrcli.files', 'okrcli.history')\n"
        "print(sorted({m for m in sys.modules if m.startswith(heavy)}), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stderr.strip() == "[]"
