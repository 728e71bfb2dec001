"""The page packages' shape: forms live in a package's forms.py and are the only readers of a post."""

from __future__ import annotations

import ast
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parents[2] / "app" / "web"


def _modules() -> list[Path]:
    return sorted(WEB_DIR.rglob("*.py"))


def test_page_handlers_define_no_forms():
    """A form class is in its package's forms.py (or app/web/forms.py), never next to the routes."""
    misplaced = [
        f"{path.relative_to(WEB_DIR)}: {node.name}"
        for path in _modules()
        if path.name != "forms.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and any(getattr(base, "id", getattr(base, "attr", "")).endswith("Form") for base in node.bases)
    ]
    assert misplaced == []


def test_page_handlers_read_posted_fields_only_through_forms():
    """No `request.form` in app/web: a field the handler needs is a field of its form."""
    readers = [
        f"{path.relative_to(WEB_DIR)}:{node.lineno}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute)
        and node.attr == "form"
        and isinstance(node.value, ast.Name)
        and node.value.id == "request"
    ]
    assert readers == []
