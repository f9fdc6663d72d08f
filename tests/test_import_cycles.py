"""No module of the edge imports itself back, not even under TYPE_CHECKING or inside a function
(issue 13: `commands.registry` <-> `context` <-> `services` and `cli` <-> `cli_audit` were)."""

from __future__ import annotations

import grimp


def _cycle(graph: grimp.ImportGraph, package: str) -> list[str] | None:
    """One import cycle among `package`'s modules, or None."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    state: dict[str, int] = {}  # 1 = on the path, 2 = done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for child in sorted(graph.find_modules_directly_imported_by(module)):
            if not child.startswith(package):
                continue
            if state.get(child) == 1:
                return path[path.index(child):] + [child]
            if child not in state and (found := visit(child)):
                return found
        path.pop()
        state[module] = 2
        return None

    for m in modules:
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_edge_has_no_import_cycle() -> None:
    graph = grimp.build_graph("teams_bot", include_external_packages=False)
    # A package's __init__ may re-export its own modules; that is not a cycle of features.
    for parent in ("teams_bot.cli", "teams_bot.botframework", "teams_bot.agents"):
        if parent not in graph.modules:
            continue
        for child in list(graph.find_modules_directly_imported_by(parent)):
            if child.startswith(parent + "."):
                graph.remove_import(importer=parent, imported=child)
    assert _cycle(graph, "teams_bot") is None
