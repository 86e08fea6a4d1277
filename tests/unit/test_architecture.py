"""The layout's rules, read from the source (no database): domain packages leave aiohttp's web
to alerts/web; the packages import one another without a cycle; only the publication pipeline
changes a case's state; no module is over 400 lines.

A package is `alerts.<first level>` (a folder, or a module such as alerts/config.py), or the
top-level `sandbox`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ("alerts.web", "alerts.app", "alerts.cli", "alerts.__main__")  # may import aiohttp.web
PIPELINE = "alerts.outbox.pipeline"
MAX_LINES = 400


@cache
def modules() -> dict[str, ast.Module]:
    """Every module of alerts/ and sandbox/, parsed, by dotted name."""
    found = {}
    for top in ("alerts", "sandbox"):
        for path in sorted((ROOT / top).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return found


def imported(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """The modules `tree` imports (at the top, in functions, under TYPE_CHECKING), with lines;
    `from a import b` yields both a and a.b, since b may be a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, node.lineno
            yield from ((f"{node.module}.{alias.name}", node.lineno) for alias in node.names)


def package(module: str) -> str | None:
    """The package `module` belongs to: alerts.<first level>, sandbox, or None (outside)."""
    parts = module.split(".")
    if parts[0] == "sandbox":
        return "sandbox"
    if parts[0] == "alerts" and len(parts) > 1 and f"alerts.{parts[1]}" in packages():
        return f"alerts.{parts[1]}"
    return None


@cache
def packages() -> frozenset[str]:
    return frozenset(".".join(name.split(".")[:2]) for name in modules() if name != "alerts")


def package_graph() -> dict[str, dict[str, list[str]]]:
    """For each package, the packages it imports, each with where (module:line)."""
    graph: dict[str, dict[str, list[str]]] = {}
    for name, tree in modules().items():
        source = package(name)
        if source is None:
            continue
        edges = graph.setdefault(source, {})
        for target, line in imported(tree):
            other = package(target)
            if other is not None and other != source:
                edges.setdefault(other, []).append(f"{name}:{line}")
    return graph


def cycle(graph: dict[str, dict[str, list[str]]]) -> list[str]:
    """One cycle of `graph` as a path (first package repeated at the end), or []."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        path.pop()
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def is_domain(module: str) -> bool:
    return package(module) not in (None, "sandbox", *WEB)


def test_no_domain_module_imports_aiohttp_web_or_the_web_packages() -> None:
    offenders = [
        f"{name}:{line} imports {target}"
        for name, tree in modules().items()
        if is_domain(name)
        for target, line in imported(tree)
        if target == "aiohttp.web"
        or target.startswith(("aiohttp.web.", "aiohttp.web_"))
        or package(target) in WEB
    ]
    assert offenders == []


def test_the_packages_import_one_another_without_a_cycle() -> None:
    graph = package_graph()
    found = cycle(graph)
    where = [graph[a][b][0] for a, b in zip(found, found[1:], strict=False)]
    assert found == [], f"{' -> '.join(found)} ({', '.join(where)})"


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b": ["a:1"]}, "b": {"c": ["b:1"]}, "c": {"a": ["c:1"]}, "d": {"a": ["d:1"]}}
    assert cycle(graph) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b": []}, "b": {}}) == []


STATE_MODULES = ("alerts.cases.lifecycle", "alerts.cases.proposals", "alerts.cases.levels")


def state_changes() -> set[str]:
    """The functions of the lifecycle and of the proposals that change a case's state inside the
    caller's transaction."""
    return {
        node.name
        for module in STATE_MODULES
        for node in modules()[module].body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.endswith("_in")
    }


def test_only_the_pipeline_changes_a_case_state() -> None:
    names = state_changes()
    assert {"approve_in", "edit_in", "record_consent_in", "revoke_consent_in", "close_in",
            "propose_in", "decide_in"} <= names  # fmt: skip
    trees = dict(modules())
    for extra in [ROOT / "run.py", *sorted((ROOT / "bench").glob("*.py"))]:
        trees[extra.stem] = ast.parse(extra.read_text(encoding="utf-8"))
    offenders = [
        f"{module}:{node.lineno} uses {used}"
        for module, tree in trees.items()
        if module not in STATE_MODULES and module.split(".")[:3] != PIPELINE.split(".")
        for node in ast.walk(tree)
        if (used := _name(node)) in names
    ]
    assert offenders == []


def _name(node: ast.AST) -> str | None:
    """The name `node` reads or imports, when it is one."""
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.alias):
        return node.name.rsplit(".", 1)[-1]
    return None


def too_long() -> list[str]:
    """The modules of alerts/ and sandbox/ over MAX_LINES lines."""
    return sorted(
        str(path.relative_to(ROOT))
        for top in ("alerts", "sandbox")
        for path in (ROOT / top).rglob("*.py")
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_LINES
    )


def test_no_module_is_over_400_lines() -> None:
    assert too_long() == []
