"""Fixtures for the deployment-artefact tests: no app, no database, no network."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "inventory"

# The names the app exports at /metrics (the monitoring contract).
HISTOGRAM_METRICS = {"flask_http_request_duration_seconds"}
CONTRACT_METRICS = {
    "flask_http_request_total",
    "inventory_active_items",
    "inventory_units",
    "inventory_value",
    "inventory_low_stock_items",
    "inventory_critical_stock_items",
    "inventory_unacknowledged_alerts",
    "inventory_stock_movements_total",
    "inventory_socketio_clients",
    "inventory_celery_tasks_total",
    "inventory_celery_workers_online",
    "inventory_beat_last_tick_timestamp_seconds",
    "inventory_backup_last_success_timestamp_seconds",
} | {f"{name}{suffix}" for name in HISTOGRAM_METRICS for suffix in ("_bucket", "_sum", "_count")}
# Labels the contract gives, plus the ones Prometheus or a histogram adds.
CONTRACT_LABELS = {
    "method",
    "status",
    "endpoint",
    "category",
    "action",
    "task",
    "outcome",
    "le",
    "job",
    "instance",
    "pod",
}

PROMQL_FUNCTIONS_AND_KEYWORDS = {
    # aggregations and their modifiers
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "group", "by", "without", "on", "ignoring", "group_left", "group_right",
    # binary operators and modifiers
    "and", "or", "unless", "bool", "offset", "atan2",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    """Series names in a PromQL expression: identifiers not called as functions and
    not keywords, after removing strings, label matchers, ranges and grouping clauses."""
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "{}", text)
    text = re.sub(r"\[[^\]]*\]", "[]", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?", text):
        name, called = match.group(1), match.group(2)
        if called or name in PROMQL_FUNCTIONS_AND_KEYWORDS:
            continue
        names.add(name)
    return names


@pytest.fixture(scope="session")
def promql_metric_names():
    return metric_names


@pytest.fixture(scope="session")
def contract_metrics() -> set[str]:
    return CONTRACT_METRICS


@pytest.fixture(scope="session")
def contract_labels() -> set[str]:
    return CONTRACT_LABELS


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def chart_dir() -> Path:
    return CHART


@pytest.fixture(scope="session")
def production_values() -> dict:
    return yaml.safe_load((CHART / "values-production.yaml").read_text())


def _render(values: dict, name: str = "inventory", namespace: str = "inventory") -> dict:
    helm_python = pytest.importorskip("helm_python")
    with helm_python.Chart.load(str(CHART)) as chart:
        return chart.render(values, name=name, namespace=namespace)


def _manifests(rendered: dict) -> list[dict]:
    docs = []
    for path, text in sorted(rendered.items()):
        if not path.endswith(".yaml"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                doc.setdefault("_template", path)
                docs.append(doc)
    return docs


@pytest.fixture(scope="session")
def render():
    """render(values) -> list of manifests (dicts, with the source under "_template")."""

    def _do(values: dict | None = None, **kwargs) -> list[dict]:
        return _manifests(_render(values or {}, **kwargs))

    return _do


@pytest.fixture(scope="session")
def default_manifests(render) -> list[dict]:
    return render({})


@pytest.fixture(scope="session")
def production_manifests(render, production_values) -> list[dict]:
    return render(production_values)


@pytest.fixture(scope="session")
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip("promtool not installed (Debian package 'prometheus')")
    return path


@pytest.fixture(scope="session")
def docker_compose() -> str:
    path = shutil.which("docker-compose")
    if path is None:
        pytest.skip("docker-compose not installed (Debian package 'docker-compose')")
    probe = subprocess.run([path, "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"docker-compose is installed but does not run: {probe.stderr.strip()[:200]}")
    return path
