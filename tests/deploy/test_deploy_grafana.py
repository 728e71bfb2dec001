"""Grafana provisioning and dashboards: they query only the metrics the app exports."""

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

DASHBOARDS = ("system-health.json", "inventory-overview.json", "api-performance.json")

# Grafana's interval macros, replaced by a fixed duration so promtool can parse the query.
GRAFANA_MACROS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def load_dashboard(path: Path) -> dict:
    return json.loads(path.read_text())


def all_panels(dashboard: dict):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # collapsed rows


def exprs_of(dashboard: dict):
    for panel in all_panels(dashboard):
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]


def label_names(expr: str) -> set[str]:
    labels = set()
    for matchers in re.findall(r"\{([^}]*)\}", expr):
        labels |= set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", matchers))
    for grouping in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", expr):
        labels |= {label.strip() for label in grouping.split(",") if label.strip()}
    return labels


@pytest.fixture(scope="module")
def grafana_dir(repo) -> Path:
    return repo / "deploy" / "grafana"


@pytest.fixture(scope="module")
def dashboards(grafana_dir) -> dict[str, dict]:
    return {name: load_dashboard(grafana_dir / "dashboards" / name) for name in DASHBOARDS}


def test_the_extractor_finds_metric_names(promql_metric_names):
    expr = 'sum by (le, endpoint) (rate(flask_http_request_duration_seconds_bucket{status=~"5.."}[5m])) / on(job) bogus_metric'
    assert promql_metric_names(expr) == {"flask_http_request_duration_seconds_bucket", "bogus_metric"}
    assert label_names(expr) == {"le", "endpoint", "status", "job"}


def test_three_dashboards_with_unique_uids(dashboards):
    uids = [d["uid"] for d in dashboards.values()]
    assert len(set(uids)) == 3
    for dashboard in dashboards.values():
        assert dashboard["title"] and list(all_panels(dashboard))


@pytest.mark.parametrize("name", DASHBOARDS)
def test_panels_query_only_contract_metrics(dashboards, contract_metrics, promql_metric_names, name):
    seen = set()
    for title, expr in exprs_of(dashboards[name]):
        names = promql_metric_names(expr)
        assert names, f"{title}: no metric in {expr!r}"
        assert names <= contract_metrics, f"{title}: unknown metric(s) {names - contract_metrics}"
        seen |= names
    assert seen


@pytest.mark.parametrize("name", DASHBOARDS)
def test_panels_use_only_contract_labels(dashboards, contract_labels, name):
    for title, expr in exprs_of(dashboards[name]):
        assert label_names(expr) <= contract_labels, f"{title}: {label_names(expr) - contract_labels}"


def test_dashboards_cover_the_main_signals(dashboards, promql_metric_names):
    used = set()
    for dashboard in dashboards.values():
        for _, expr in exprs_of(dashboard):
            used |= promql_metric_names(expr)
    for metric in (
        "inventory_critical_stock_items",
        "inventory_backup_last_success_timestamp_seconds",
        "inventory_celery_workers_online",
        "inventory_beat_last_tick_timestamp_seconds",
        "flask_http_request_duration_seconds_bucket",
        "inventory_value",
    ):
        assert metric in used


@pytest.mark.parametrize("name", DASHBOARDS)
def test_panels_use_the_provisioned_datasource(dashboards, grafana_dir, name):
    provisioning = yaml.safe_load((grafana_dir / "provisioning/datasources/prometheus.yml").read_text())
    (datasource,) = provisioning["datasources"]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    for panel in all_panels(dashboards[name]):
        for ref in [panel.get("datasource")] + [t.get("datasource") for t in panel.get("targets", [])]:
            if ref is not None:
                assert ref == {"type": "prometheus", "uid": datasource["uid"]}, panel["title"]


@pytest.mark.parametrize("name", DASHBOARDS)
def test_panel_ids_unique_and_targets_have_ref_ids(dashboards, name):
    panels = list(all_panels(dashboards[name]))
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(set(ref_ids)) == len(ref_ids)


def test_dashboard_queries_parse_as_promql(dashboards, promtool, tmp_path):
    """Every query, macros replaced, goes through promtool's PromQL parser as a recording rule."""
    rules = []
    for name, dashboard in dashboards.items():
        for index, (_, expr) in enumerate(exprs_of(dashboard)):
            for macro, value in GRAFANA_MACROS.items():
                expr = expr.replace(macro, value)
            rules.append({"record": f"dashboard:{Path(name).stem.replace('-', '_')}:{index}", "expr": expr})
    rule_file = tmp_path / "dashboards.rules.yml"
    rule_file.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    result = subprocess.run([promtool, "check", "rules", str(rule_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_provider_points_at_the_dashboards(grafana_dir):
    provider = yaml.safe_load((grafana_dir / "provisioning/dashboards/inventory.yml").read_text())
    (entry,) = provider["providers"]
    assert entry["type"] == "file" and entry["options"]["path"]


@pytest.mark.parametrize("name", DASHBOARDS)
def test_dashboards_load_with_the_foundation_sdk(dashboards, name):
    sdk = pytest.importorskip("grafana_foundation_sdk.models.dashboard")
    encoder = pytest.importorskip("grafana_foundation_sdk.cog.encoder")
    dashboard = sdk.Dashboard.from_json(dashboards[name])
    assert dashboard.uid == dashboards[name]["uid"]
    assert len(dashboard.panels) == len(dashboards[name]["panels"])
    # A round trip through the SDK's model keeps the panels and their queries.
    round_trip = json.loads(json.dumps(dashboard, cls=encoder.JSONEncoder))
    assert round_trip["title"] == dashboards[name]["title"]
    assert [p["title"] for p in round_trip["panels"]] == [p["title"] for p in dashboards[name]["panels"]]
