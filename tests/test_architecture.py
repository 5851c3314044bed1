"""The shape of the code: packages that import each other one way, shared code that imports no
feature, services that a command line or an API can call, modules a newcomer can read.

Imports are read from the source (inside functions too, but not those under
`if TYPE_CHECKING:`, which never run).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# Shared code: it serves every feature and may import none (portal/features.py says which
# packages are features; these are the others).
SHARED = {"web", "desk"}
# What shared code may import besides the top-level modules of portal/: identity and the
# services every feature uses.
SHARED_MAY_IMPORT = {"web", "desk", "audit", "notifications", "jobs", "migrations"}
LONGEST_MODULE = 600
# Seed data and migrations are long lists, not code to read.
LONG_BY_NATURE = re.compile(r"(^migrations/|/data\.py$|catalogue_data\.py$)")


def _unit(module: str) -> str:
    """The package a module belongs to ("appeals"), or the top-level module ("portal.db")."""
    parts = module.split(".")
    if len(parts) == 1:
        return "portal"
    return parts[1] if (PORTAL / parts[1]).is_dir() else f"portal.{parts[1]}"


def _module_name(path: Path) -> str:
    relative = path.relative_to(PORTAL.parent).with_suffix("")
    name = ".".join(relative.parts)
    return name.removesuffix(".__init__")


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _package_of(path: Path) -> str:
    if not path.is_relative_to(PORTAL):
        return ""
    return _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)


def imports_of(path: Path) -> list[tuple[str, int]]:
    """The portal modules `path` imports, with the line of each import."""
    tree = ast.parse(path.read_text())
    skipped = _type_checking_lines(tree)
    package = _package_of(path)
    found = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
            found.append((base, node.lineno))
    return [(name, line) for name, line in found if name.startswith("portal.")]


def _sources() -> list[Path]:
    return sorted(PORTAL.rglob("*.py"))


def package_graph() -> dict[str, dict[str, list[str]]]:
    """unit → unit it imports → where ("portal/x/y.py:12")."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in _sources():
        if "migrations" in path.parts:
            continue
        source = _unit(_module_name(path))
        for name, line in imports_of(path):
            target = _unit(name)
            if target != source:
                graph[source][target].append(f"{path.relative_to(PORTAL.parent)}:{line}")
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """Every strongly connected group of more than one unit (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _explain(graph, group: list[str]) -> str:
    lines = []
    for source in group:
        for target in group:
            for where in graph[source].get(target, [])[:3]:
                lines.append(f"  {source} → {target}  ({where})")
    return "\n".join(lines)


def test_no_package_imports_another_that_imports_it_back():
    graph = package_graph()
    found = cycles(graph)
    assert not found, "Packages import each other in a circle:\n" + "\n\n".join(
        _explain(graph, group) for group in found
    )


def test_shared_code_imports_no_feature():
    graph = package_graph()
    wrong = [
        f"{source} → {target} ({', '.join(places[:3])})"
        for source in SHARED
        for target, places in graph.get(source, {}).items()
        if not target.startswith("portal") and target not in SHARED_MAY_IMPORT
    ]
    assert not wrong, "Shared code imports a feature:\n" + "\n".join(wrong)


def _services_modules() -> list[Path]:
    return [
        path for path in _sources() if path.name == "services.py" or path.parent.name == "services"
    ]


def test_services_never_reach_for_the_request_the_app_or_the_signed_in_user():
    forbidden = re.compile(r"\b(current_app|request|current_user|session)\b")
    wrong = []
    for path in _services_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
                names = [alias.name for alias in node.names if forbidden.fullmatch(alias.name)]
                if names:
                    wrong.append(f"{path.relative_to(PORTAL.parent)}:{node.lineno} {names}")
    assert not wrong, "A service imports what only a request has:\n" + "\n".join(wrong)


def test_services_name_the_actor_they_take():
    wrong = [
        f"{path.relative_to(PORTAL.parent)}:{number}"
        for path in _sources()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bactor: Any\b", line)
    ]
    assert not wrong, "Say what acts (portal.permissions.Actor), not Any:\n" + "\n".join(wrong)


def test_every_form_is_a_portal_form():
    # PortalForm (portal/web/forms.py) refuses control characters on every field.
    wrong = [
        f"{path.relative_to(PORTAL.parent)}:{node.lineno} {node.name}"
        for path in _sources()
        if path != PORTAL / "web" / "forms.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(base).endswith(("FlaskForm", "wtforms.Form")) for base in node.bases)
    ]
    assert not wrong, "Make these forms PortalForms:\n" + "\n".join(wrong)


def test_numbers_that_arrive_as_text_are_read_by_one_parser():
    # int() takes "²" and "99999999999999999999999"; portal/numbers.py takes neither.
    by_hand = re.compile(r"\b(type|coerce)=int\b|int\((request|form|raw|value)\b|\bIntegerField\(")
    wrong = [
        f"{path.relative_to(PORTAL.parent)}:{number}: {line.strip()}"
        for path in _sources()
        if path.name != "cli.py"  # click reads its own arguments, from an administrator
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if by_hand.search(line)
    ]
    assert not wrong, "Read these with portal.numbers:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(PORTAL)))
def test_no_module_is_too_long_to_read(path):
    relative = str(path.relative_to(PORTAL))
    if LONG_BY_NATURE.search(relative):
        return
    lines = len(path.read_text().splitlines())
    assert lines <= LONGEST_MODULE, f"{relative} has {lines} lines: split it by what it does"


def test_the_walker_sees_imports_inside_functions_and_skips_type_checking(tmp_path):
    module = PORTAL / "desk" / "views.py"
    names = {name for name, _line in imports_of(module)}
    assert "portal.features" in names
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from portal.appeals import models\n"
        "def f():\n    from portal.doors import services\n"
    )
    found = {name for name, _line in imports_of(sample)}
    assert "portal.doors.services" in found and "portal.appeals.models" not in found


def test_a_circle_is_found():
    graph = {"a": {"b": ["x:1"]}, "b": {"c": ["x:2"]}, "c": {"a": ["x:3"]}, "d": {"a": ["x:4"]}}
    assert cycles(graph) == [["a", "b", "c"]]
