"""The house rules of the layout (docs/architecture.md): short modules, no import cycle anywhere,
a shared core of services that never imports a feature, and services that never enqueue jobs."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ROOT / "app" / "services"
MAX_MODULE_LINES = 400
# Sub-packages of app/services that are not features: the shared core's own packages.
CORE_PACKAGES = {"stock"}
# Services may not enqueue (the caller does, after the commit); each exception says why, here only.
ENQUEUE_EXCEPTIONS = {
    # The queue's refusal must put the import back as it was in the same call, and the dry run of
    # a small file runs inline: upload, set_mapping and start share that hand-off.
    "app.services.imports.runs": "an import goes back to its state when the queue refuses it",
}


def _name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path, *, deferred: bool) -> set[str]:
    """Absolute names a file imports (`from m import n` gives m.n, which may be a module or a name
    in m), at its top level only, or anywhere in it with `deferred`."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):  # imports for type checkers only are never run
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            node.body = []
    found: set[str] = set()
    for node in ast.walk(tree) if deferred else tree.body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _graph(*folders: str, deferred: bool = True) -> dict[str, set[str]]:
    """Which module imports which (an imported name resolves to the module that defines it)."""
    modules = {_name(p): p for folder in folders for p in (ROOT / folder).rglob("*.py")}

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    return {
        name: {m for m in map(resolve, _imports(path, deferred=deferred)) if m and m != name}
        for name, path in modules.items()
    }


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _features() -> set[str]:
    return {p.name for p in SERVICES.iterdir() if (p / "__init__.py").exists()} - CORE_PACKAGES


def _core_modules() -> list[Path]:
    top = [p for p in SERVICES.glob("*.py")]
    return top + [p for pkg in CORE_PACKAGES if (SERVICES / pkg).exists() for p in (SERVICES / pkg).rglob("*.py")]


def test_no_app_module_is_over_the_size_limit():
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "app").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_import_cycle_in_the_app_its_tasks_or_the_bench():
    """Imports inside functions count too: a deferred import that closes a cycle is still one."""
    assert _cycle(_graph("app", "tasks", "bench")) is None


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_the_shared_core_never_imports_a_feature():
    features = tuple(f"app.services.{name}" for name in sorted(_features()))
    assert features, "the feature packages were not found"
    leaks = {
        _name(path): sorted(m for m in _imports(path, deferred=True) if m.startswith(features))
        for path in _core_modules()
    }
    assert {module: found for module, found in leaks.items() if found} == {}


def test_every_feature_package_says_what_it_owns_and_may_call():
    for name in _features():
        doc = ast.get_docstring(ast.parse((SERVICES / name / "__init__.py").read_text())) or ""
        assert "May call" in doc or "a caller of" in doc, name


def test_services_never_enqueue_jobs_but_for_the_recorded_exceptions():
    enqueuing = {
        _name(path)
        for path in SERVICES.rglob("*.py")
        if any(m == "app.jobs" or m.startswith("app.jobs.") for m in _imports(path, deferred=True))
    }
    assert enqueuing == set(ENQUEUE_EXCEPTIONS)


# The tables the maintained figures count, and the modules that may write them: the stock core
# (levels, items' totals) and the counters (their own rows). Each other writer is named with why.
COUNTED_MODELS = {"Item", "StockLevel", "CategoryStat", "LocationStat"}
COUNTED_TABLES = ("items", "stock_levels", "category_stats", "location_stats")
COUNTED_COLUMNS = {"quantity", "price", "low_stock_threshold", "category_id", "is_deleted", "location_id"}
COUNTED_WRITERS = {
    "app.services.stock.write",  # levels, items' totals, the ledger
    "app.services.stock.locks",  # a missing level is created under the item's lock
    "app.services.counters",
    "app.services.location_counters",
    "app.services.location_recount",  # counts again, from the stock, the figures above a moved subtree
    # Lets deleted items go of a category being deleted: deleted items are in no figure.
    "app.services.catalog",
    "app.services.items",  # creates, edits and deletes items, noting each change (counters.note_items)
}


def _counted_writes(source: str) -> list[str]:
    """Writes of the counted tables in a module's source: Core DML on their models or tables,
    a new StockLevel row, and SQL text that inserts, updates or deletes their rows."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0] if node.args else None
        target = getattr(first, "id", None) or getattr(getattr(first, "value", None), "id", None)
        if name in {"update", "delete", "insert"} and target in COUNTED_MODELS:
            found.append(f"{name}({target})")
        owner = func.value if isinstance(func, ast.Attribute) else None
        if (
            name in {"update", "delete", "insert"}
            and isinstance(owner, ast.Attribute)
            and owner.attr == "__table__"
            and getattr(owner.value, "id", None) in COUNTED_MODELS
        ):
            found.append(f"{owner.value.id}.__table__.{name}()")
        if name == "StockLevel":
            found.append("StockLevel(...)")
    for node in ast.walk(ast.parse(source)):  # an ORM item or level given a counted value
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AugAssign) else []
        )
        for target in targets:
            owner = getattr(target, "value", None)
            owner_name = getattr(owner, "id", None) or getattr(getattr(owner, "value", None), "id", "") or ""
            if (
                isinstance(target, ast.Attribute)
                and target.attr in COUNTED_COLUMNS
                and ("item" in owner_name.lower() or "level" in owner_name.lower())
            ):
                found.append(f"{owner_name}.{target.attr} =")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = " ".join(node.value.upper().split())
            for table in COUNTED_TABLES:
                for verb in ("INSERT INTO", "UPDATE", "DELETE FROM"):
                    if f"{verb} {table.upper()} " in text + " ":
                        found.append(f"SQL {verb} {table}")
    return found


def test_only_the_stock_core_and_the_counters_write_the_counted_tables():
    writers = {
        _name(path): writes
        for folder in ("app", "tasks")
        for path in (ROOT / folder).rglob("*.py")
        if (writes := _counted_writes(path.read_text()))
    }
    assert {name: found for name, found in writers.items() if name not in COUNTED_WRITERS} == {}


def test_the_writer_check_sees_each_kind_of_write():
    source = """
db.session.execute(sa.update(StockLevel).values(quantity=0))
connection.execute(Item.__table__.update())
db.session.add(StockLevel(item_id=1, location_id=2, quantity=3))
db.session.execute(sa.text("update stock_levels set quantity = 0"))
item.price = 3
"""
    assert sorted(_counted_writes(source)) == [
        "Item.__table__.update()",
        "SQL UPDATE stock_levels",
        "StockLevel(...)",
        "item.price =",
        "update(StockLevel)",
    ]
