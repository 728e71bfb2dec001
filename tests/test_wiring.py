"""The app's wiring: one blueprint table, no import cycle, the menu reads the views' permissions."""

from __future__ import annotations

import ast
from importlib import import_module
from pathlib import Path

import pytest

APP_DIR = Path(__file__).resolve().parent.parent / "app"


def _module_graph() -> dict[str, set[str]]:
    """Module-level imports between app modules (imports inside functions are deferred on purpose)."""
    modules = {}
    for path in APP_DIR.rglob("*.py"):
        name = ".".join(path.relative_to(APP_DIR.parent).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        graph[name] = {m for m in map(resolve, (t for t in targets if t.startswith("app"))) if m and m != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state, path = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_app_modules_import_without_a_cycle():
    assert _cycles(_module_graph()) == []


def test_extensions_module_imports_nothing_from_the_app():
    assert _module_graph()["app.extensions"] == set()


def test_every_registered_blueprint_comes_from_the_one_table(app):
    from app import BLUEPRINTS

    listed = {getattr(import_module(t.split(":")[0]), t.split(":")[1]).name for _kind, t in BLUEPRINTS}
    assert set(app.blueprints) - {"api-docs"} == listed  # flask-smorest adds its own (the OpenAPI document)


@pytest.mark.parametrize("role", ["staff", "manager", "admin"])
def test_menu_shows_exactly_the_pages_the_role_may_open(app, factory, role):
    from app.extensions import db
    from app.models import User
    from app.permissions import can
    from app.web.nav import NAV, visible_nav

    user = factory.user(role)
    with app.test_request_context():
        user = db.session.get(User, user.id)
        shown = {entry.endpoint for entry in visible_nav(user)}
        allowed = {e.endpoint for e in NAV if can(user, app.view_functions[e.endpoint].required_permission)}
        db.session.remove()
    assert shown == allowed
    assert ("users.index" in shown) == (role != "staff")
    assert ("outbox.index" in shown) == (role == "admin")


def test_every_app_module_says_what_it_is_for():
    missing = [
        str(path.relative_to(APP_DIR.parent))
        for path in sorted(APP_DIR.rglob("*.py"))
        if ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert missing == []
