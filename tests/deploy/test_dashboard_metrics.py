"""Every metric the Grafana dashboards and Prometheus rules query is one the app really exports.

Unlike the static checks against the contract list, this scrapes the running app.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from tests.deploy.promtext import exported_names, scrape

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# Our series: flask_* and inventory_*, not part of a recording rule's name (job:flask_...:rate5m).
OUR_METRIC = re.compile(r"(?<![\w:])((?:flask|inventory)_[A-Za-z0-9_]*)(?![\w:])")


def names_in(expr: str) -> set[str]:
    without_strings = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', '""', expr)
    return set(OUR_METRIC.findall(without_strings))


def dashboard_exprs() -> list[tuple[str, str]]:
    found = []
    for path in sorted((DEPLOY / "grafana" / "dashboards").glob("*.json")):
        dashboard = json.loads(path.read_text())
        panels = list(dashboard.get("panels", []))
        panels += [inner for panel in panels for inner in panel.get("panels", [])]  # collapsed rows
        for panel in panels:
            for target in panel.get("targets", []):
                if target.get("expr"):
                    found.append((f"{path.name}: {panel.get('title')}", target["expr"]))
        for variable in dashboard.get("templating", {}).get("list", []):
            query = variable.get("query")
            query = query.get("query") if isinstance(query, dict) else query
            if isinstance(query, str) and query:
                found.append((f"{path.name}: ${variable.get('name')}", query))
    return found


def rule_exprs() -> list[tuple[str, str]]:
    found = []
    for path in sorted((DEPLOY / "prometheus" / "rules").glob("*.y*ml")):
        for group in (yaml.safe_load(path.read_text()) or {}).get("groups", []):
            for rule in group.get("rules", []):
                found.append((f"{path.name}: {rule.get('alert') or rule.get('record')}", str(rule["expr"])))
    return found


def test_extractor_finds_our_names_and_skips_strings_and_recording_rules():
    expr = 'sum(rate(flask_http_request_total{job="inventory_web"}[5m])) / job:flask_http_request_total:rate5m + inventory_units'
    assert names_in(expr) == {"flask_http_request_total", "inventory_units"}


@pytest.mark.parametrize("source", ["dashboards", "rules"])
def test_queried_metrics_are_exported_by_the_app(app, client, monkeypatch, source):
    exprs = dashboard_exprs() if source == "dashboards" else rule_exprs()
    if not exprs:
        pytest.skip(f"no {source} under deploy/")
    monkeypatch.setitem(app.config, "METRICS_CACHE_SECONDS", 0)
    client.get("/health")  # so the request metrics have samples too
    exported = exported_names(scrape(client))
    referenced = {(where, name) for where, expr in exprs for name in names_in(expr)}
    assert referenced, f"the {source} name no flask_/inventory_ metric at all"
    missing = sorted(f"{where}: {name}" for where, name in referenced if name not in exported)
    assert not missing, "queried but not exported:\n" + "\n".join(missing)
