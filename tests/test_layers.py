"""The packages' layering, read from the source: what may import what (issue 26).

Every module under tracker/ is parsed with ``ast`` and each of its imports - at the top or
inside a function, where a late import usually hides a cycle - is mapped to the top-level
package (or root module) it names. The rules:

* ``tracker.models`` builds on the basic helpers only, never on the domain that uses it;
* domain packages know nothing of the web pages, the API or the commands, nor of flask's
  per-request globals: they take what a request holds as parameters;
* the packages form no cycle, so each can be read and tested on top of the ones below it;
* the .docx engine (``tracker.documents.engine``) knows Word and Jinja, nothing of the tracker.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parents[1] / "tracker"
# Leaf modules of tracker/ that anything may use: no domain knowledge, no import of a package above.
BASICS = {"database", "extensions", "timeutil", "errors", "text_rules", "i18n", "config", "transaction", "addresses",
          "recent"}
DOMAIN = {"contracts", "people", "pipeline", "stages", "sla", "alerts", "documents", "signing", "metrics",
          "notices", "portal", "webhooks", "demo", "mail", "audit"}
ENTRY_POINTS = {"web", "api", "cli"}
REQUEST_GLOBALS = {"request", "session", "g"}
# Package cycles not broken yet, each with the import that closes it and why it is still there.
# Remove an entry once its import is gone (test_known_cycles_are_still_real insists on it).
KNOWN_CYCLES: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = path.relative_to(TRACKER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """Every import of the module: (module imported, names taken from it, line), relative ones resolved."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join([*base, target] if target else base)
            names = [alias.name for alias in node.names]
            found.append((target, names, node.lineno))
            # ``from tracker.documents import engine`` names a submodule: count it as imported.
            found += [(f"{target}.{name}", [], node.lineno) for name in names]
    return found


def _top(module: str) -> str | None:
    """The top-level package or root module of tracker that ``module`` belongs to (None: not tracker's)."""
    parts = module.split(".")
    if parts[0] != "tracker" or len(parts) < 2:
        return None
    if not ((TRACKER / parts[1]).is_dir() or (TRACKER / f"{parts[1]}.py").exists()):
        return None  # ``from tracker import audit`` also yields "tracker.audit"; a name that is no module is dropped
    return parts[1]


MODULES = {_module_name(path): path for path in sorted(TRACKER.rglob("*.py"))}
IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _graph() -> dict[str, dict[str, list[str]]]:
    """Top-level package -> package it imports -> the importing modules and lines."""
    graph: dict[str, dict[str, list[str]]] = {}
    for module, imports in IMPORTS.items():
        source = _top(module)
        if source is None:
            continue  # tracker/__init__.py assembles the application from every package
        for target, _names, line in imports:
            top = _top(target)
            if top is not None and top != source:
                graph.setdefault(source, {}).setdefault(top, []).append(f"{module}:{line}")
    return graph


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one package (Tarjan)."""
    index, low, stack, on_stack, result, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, {}):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def test_the_parser_sees_imports_at_the_top_and_inside_functions():
    """A guard on the guard: the graph holds edges known to exist, including a late import."""
    graph = _graph()
    assert "models" in graph["audit"]
    assert any(target == "tracker.alerts.sweep" for target, _, _ in IMPORTS["tracker.demo.seed"])  # in seed()
    assert "alerts" in graph["demo"]


def test_models_build_on_the_basic_helpers_only():
    graph = _graph()
    wrong = {target: where for target, where in graph.get("models", {}).items() if target not in BASICS}
    assert not wrong, f"tracker.models imports domain code: {wrong}"


@pytest.mark.parametrize("package", sorted(DOMAIN))
def test_domain_packages_know_nothing_of_requests_pages_api_or_commands(package):
    wrong = []
    for module, imports in IMPORTS.items():
        if _top(module) != package:
            continue
        for target, names, line in imports:
            if _top(target) in ENTRY_POINTS:
                wrong.append(f"{module}:{line} imports {target}")
            if target == "flask" and REQUEST_GLOBALS & set(names):
                wrong.append(f"{module}:{line} imports flask's {sorted(REQUEST_GLOBALS & set(names))}")
            if target.startswith("flask.") and target.rpartition(".")[2] in REQUEST_GLOBALS:
                wrong.append(f"{module}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_no_cycle_between_packages():
    graph = _graph()
    for (source, target), _why in KNOWN_CYCLES.items():
        graph.get(source, {}).pop(target, None)  # an edge accepted for now, see KNOWN_CYCLES
    cycles = _cycles(graph)
    detail = []
    for component in cycles:
        for source in component:
            for target, where in sorted(graph[source].items()):
                if target in component:
                    detail.append(f"{source} -> {target}: {', '.join(where[:3])}")
    assert not cycles, f"packages importing each other: {cycles}\n" + "\n".join(detail)


def test_known_cycles_are_still_real():
    """An accepted edge that no longer exists must leave the list, so the list never hides a new one."""
    graph = _graph()
    stale = [edge for edge in KNOWN_CYCLES if edge[1] not in graph.get(edge[0], {})]
    assert not stale, f"no longer imported, remove from KNOWN_CYCLES: {stale}"


def test_the_docx_engine_knows_nothing_of_the_tracker():
    wrong = []
    for module, imports in IMPORTS.items():
        if not (module == "tracker.documents.engine" or module.startswith("tracker.documents.engine.")):
            continue
        for target, _names, line in imports:
            if target == "tracker" or (target.startswith("tracker.") and not target.startswith(
                    "tracker.documents.engine") and _top(target) not in BASICS):
                wrong.append(f"{module}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)
