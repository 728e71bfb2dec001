"""The docs stay true: a short README, every relative link and image pointing at a file (and
heading) that exists, and docs/jobs.md naming every Celery task and beat entry. No database."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from importlib import import_module
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
README_MAX_LINES = 250

# [text](target) and ![alt](target "title"); <img src="target">. Text may hold one level of
# brackets (an image inside a link).
MARKDOWN_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def _prose(text: str) -> str:
    """The text without fenced code blocks and code spans, where a link is only an example."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading keeps its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    seen: dict[str, int] = defaultdict(int)
    found = set()
    for heading in HEADING.findall(FENCE.sub("", path.read_text())):
        base = _anchor(heading)
        found.add(f"{base}-{seen[base]}" if seen[base] else base)
        seen[base] += 1
    return found


def _relative_links(path: Path) -> list[str]:
    prose = _prose(path.read_text())
    targets = MARKDOWN_LINK.findall(prose) + HTML_IMAGE.findall(prose)
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.IGNORECASE)]  # no http:, mailto:


def _broken(path: Path) -> dict[str, str]:
    """Each relative link of `path` whose file or heading does not exist, with what is wrong."""
    problems = {}
    for target in _relative_links(path):
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            problems[target] = "no such file"
        elif anchor and linked.suffix == ".md" and anchor.lower() not in _anchors(linked):
            problems[target] = f"no heading #{anchor} in {linked.name}"
    return problems


def test_readme_stays_short():
    lines = len(README.read_text().splitlines())
    assert lines <= README_MAX_LINES, (
        f"README.md has {lines} lines (at most {README_MAX_LINES}): a feature gets a few lines and a "
        "picture in the tour; its detail belongs on its page in docs/"
    )


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_a_file_that_exists(path):
    assert _broken(path) == {}


def test_the_link_check_sees_links_images_and_anchors(tmp_path):
    (tmp_path / "there.md").write_text("# A page\n\n## Settings: the `X` table\n\n## Settings: the `X` table\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md) [ok](there.md#settings-the-x-table-1) [ok](#a-heading) ![pic](gone.png)\n"
        '[gone](missing.md) <img src="nope.png" width="3"> [web](https://example.com)\n'
        "[bad](there.md#nothing) `[in code](not-checked.md)`\n```\n[in a block](not-checked.md)\n```\n"
        "## A heading\n"
    )
    assert set(_broken(page)) == {"gone.png", "missing.md", "nope.png", "there.md#nothing"}


def _value(node: ast.expr, namespace: dict) -> object:
    """A decorator argument's value: a string, or a constant named in the module (`imports.RUN_IMPORT`)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return namespace[node.id]
    if isinstance(node, ast.Attribute):
        return getattr(_value(node.value, namespace), node.attr)
    raise AssertionError(f"cannot read a task name from {ast.dump(node)}")


def _task_names() -> set[str]:
    """Every @shared_task's name, read from tasks/*.py."""
    names, decorated = set(), 0
    for source in sorted((ROOT / "tasks").glob("*.py")):
        text = source.read_text()
        decorated += text.count("@shared_task")
        namespace = vars(import_module(f"tasks.{source.stem}"))
        for node in ast.walk(ast.parse(text)):
            for decorator in getattr(node, "decorator_list", []):
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "shared_task":
                    name = next((k.value for k in decorator.keywords if k.arg == "name"), None)
                    assert name is not None, f"{source.name}: {node.name} has no explicit task name"
                    names.add(_value(name, namespace))
    assert len(names) == decorated, "a @shared_task was not read (bare decorator, or two tasks with one name)"
    return names


def test_jobs_doc_names_every_task_and_beat_entry():
    from app.jobs import beat_schedule

    text = (ROOT / "docs" / "jobs.md").read_text()
    tasks = _task_names()
    beat = beat_schedule(defaultdict(lambda: "60"))  # every schedule setting: 60 seconds
    missing = sorted(f"task {name}" for name in tasks if f"`{name}`" not in text)
    missing += sorted(f"beat entry {entry}" for entry in beat if f"`{entry}`" not in text)
    assert missing == [], "docs/jobs.md does not name: " + ", ".join(missing)
    assert {entry["task"] for entry in beat.values()} <= tasks
