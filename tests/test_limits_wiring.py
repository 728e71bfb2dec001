"""Every input limit and pattern lives in app/limits.py: these read app/ with `ast` and name the
line that defines one anywhere else, or writes a bound into a validator as a bare number."""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent.parent / "app"
LIMITS = APP_DIR / "limits.py"
LIMIT_NAME = re.compile(r"^(MAX|MIN)_|_(LENGTH|PATTERN)$")
BOUNDED = {"Length", "Range", "NumberRange"}  # marshmallow's validate.Length/Range, WTForms' Length/NumberRange
HARMLESS = {0, 1}  # "at least one", "not negative": no rule to share


def _modules() -> list[tuple[str, ast.Module]]:
    return [(str(p.relative_to(APP_DIR.parent)), ast.parse(p.read_text())) for p in sorted(APP_DIR.rglob("*.py"))]


def _top_level_names(tree: ast.Module):
    """(name, line) for each name a module binds at its top level, inside if/try blocks too."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If | ast.Try):
            stack += node.body + node.orelse + getattr(node, "finalbody", []) + getattr(node, "handlers", [])
        elif isinstance(node, ast.ExceptHandler):
            stack += node.body
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for target in targets:
            for name in ast.walk(target) if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign) else ():
                if isinstance(name, ast.Name):
                    yield name.id, node.lineno


def _literal_value(node: ast.AST):
    """The value of an expression made of constants only (`500`, `10 * 1024`, `-1`), else None."""
    allowed = (ast.Constant, ast.UnaryOp, ast.BinOp, ast.unaryop, ast.operator)
    if not all(isinstance(part, allowed) for part in ast.walk(node)):
        return None
    return eval(compile(ast.Expression(node), "<bound>", "eval"))  # constants only, checked above


def _called(node: ast.Call) -> str:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")


def limit_names_outside_limits(modules) -> list[str]:
    return [
        f"{path}:{line} {name}"
        for path, tree in modules
        if path != "app/limits.py"
        for name, line in _top_level_names(tree)
        if LIMIT_NAME.search(name.lstrip("_"))
    ]


def literal_bounds(modules) -> list[str]:
    found = []
    for path, tree in modules:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called(node)
            if name in BOUNDED:
                bounds = node.args[:2] + [k.value for k in node.keywords if k.arg in ("min", "max")]
                for bound in bounds:
                    value = _literal_value(bound)
                    if isinstance(value, int | float) and not isinstance(value, bool) and value not in HARMLESS:
                        found.append(f"{path}:{node.lineno} {name}(... {value!r} ...)")
            elif name == "Regexp":
                patterns = node.args[:1] + [k.value for k in node.keywords if k.arg == "regex"]
                found += [f"{path}:{node.lineno} Regexp({p.value!r})" for p in patterns if isinstance(p, ast.Constant)]
    return found


def test_limits_and_patterns_are_defined_only_in_app_limits():
    assert limit_names_outside_limits(_modules()) == [], "define these in app/limits.py and import them"


def test_validators_take_their_bounds_from_app_limits():
    assert literal_bounds(_modules()) == [], "use a name from app/limits.py instead of the literal"


def test_the_checks_see_what_they_look_for():
    """The two checks above pass on app/ only if they would catch a limit put back in place."""
    planted = ast.parse(
        "MAX_LINES = 500\n_NOTE_LENGTH = 9\nif True:\n    CODE_PATTERN = r'x'\n"
        "a = validate.Length(min=1, max=10_000)\nb = NumberRange(0, 5)\nc = Length(max=2 * 100)\n"
        "d = Regexp(r'^x$')\nok = validate.Range(min=1, max=MAX_ID)\n"
    )
    modules = [("app/planted.py", planted)]
    assert sorted(f.split()[1] for f in limit_names_outside_limits(modules)) == [
        "CODE_PATTERN",
        "MAX_LINES",
        "_NOTE_LENGTH",
    ]
    assert sorted(f.split(":")[1].split()[0] for f in literal_bounds(modules)) == ["5", "6", "7", "8"]
    assert limit_names_outside_limits([("app/limits.py", ast.parse(LIMITS.read_text()))]) == []
