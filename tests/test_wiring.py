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


TASKS_DIR = APP_DIR.parent / "tasks"


def _task_table() -> dict[str, str]:
    """The task-name table: app/jobs.py's constants naming a task ("tasks.<module>.<function>")."""
    from app import jobs

    return {k: v for k, v in vars(jobs).items() if k.isupper() and isinstance(v, str) and v.startswith("tasks.")}


def _shared_task_names(sources: dict[str, str], table: dict[str, str]) -> tuple[list[str], set[str]]:
    """(what is wrong, the names used) for every @shared_task: its name must be jobs.<a constant of the table>."""
    problems, used = [], set()
    for path, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            for decorator in getattr(node, "decorator_list", []):
                call = decorator if isinstance(decorator, ast.Call) else None
                target = call.func if call else decorator
                if getattr(target, "id", getattr(target, "attr", None)) != "shared_task":
                    continue
                name = next((k.value for k in call.keywords if k.arg == "name"), None) if call else None
                where = f"{path}:{node.lineno} {node.name}"
                if not (isinstance(name, ast.Attribute) and getattr(name.value, "id", None) == "jobs"):
                    problems.append(f"{where}: name it with a constant of app/jobs.py (name=jobs.X)")
                elif name.attr not in table:
                    problems.append(f"{where}: jobs.{name.attr} is not in the task-name table")
                else:
                    used.add(table[name.attr])
    return problems, used


def test_every_task_is_named_from_the_one_table_and_every_entry_has_a_task(app):
    import tasks  # noqa: F401  (registers them)

    table = _task_table()
    sources = {str(p.relative_to(TASKS_DIR.parent)): p.read_text() for p in sorted(TASKS_DIR.glob("*.py"))}
    problems, used = _shared_task_names(sources, table)
    assert problems == []
    assert sorted(set(table.values()) - used) == [], "a table entry without a task"
    assert len(set(table.values())) == len(table), "two constants name the same task"
    assert set(table.values()) <= set(app.extensions["celery"].tasks), "a task module tasks/__init__.py does not import"


def test_the_task_name_check_sees_a_literal_or_unknown_name():
    planted = (
        "@shared_task(name='tasks.x.y')\ndef literal(): ...\n"
        "@shared_task(bind=True, name=jobs.NOT_A_TASK)\ndef unknown(self): ...\n"
        "@celery.shared_task\ndef unnamed(): ...\n"
        "@shared_task(name=jobs.RUN_BACKUP)\ndef fine(): ...\n"
    )
    problems, used = _shared_task_names({"tasks/planted.py": planted}, _task_table())
    assert [p.split(":")[1].split()[1] for p in problems] == ["literal", "unknown", "unnamed"]
    assert used == {"tasks.backups.run_backup"}
