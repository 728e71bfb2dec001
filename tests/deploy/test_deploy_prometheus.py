"""Prometheus config, alert rules and their promtool unit tests."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REQUIRED_ALERTS = {
    "InventoryHigh5xxRate",
    "InventoryHighLatencyP95",
    "InventoryCriticalLowStock",
    "InventoryBackupMissing",
    "InventoryCeleryWorkerDown",
    "InventoryCeleryBeatDown",
}
# Metrics Prometheus itself provides next to the app's.
BUILTIN_METRICS = {"up"}


def promtool_run(promtool, *args, cwd=None):
    return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def prom_dir(repo) -> Path:
    return repo / "deploy" / "prometheus"


@pytest.fixture(scope="module")
def rules(prom_dir) -> list[dict]:
    doc = yaml.safe_load((prom_dir / "rules" / "inventory.rules.yml").read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def test_promtool_check_config(promtool, prom_dir):
    result = promtool_run(promtool, "check", "config", str(prom_dir / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    # The glob must really pick the rule file up.
    assert "1 rule files found" in result.stdout + result.stderr


def test_promtool_check_rules(promtool, prom_dir):
    result = promtool_run(promtool, "check", "rules", *map(str, sorted((prom_dir / "rules").glob("*.yml"))))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests(promtool, prom_dir):
    test_files = sorted((prom_dir / "tests").glob("*.yml"))
    assert test_files
    result = promtool_run(promtool, "test", "rules", *map(str, test_files))
    assert result.returncode == 0, result.stdout + result.stderr


def test_unit_tests_cover_firing_and_quiet_cases(prom_dir):
    """The 5xx and backup rules each have a firing and a not-firing case."""
    cases = {}
    for path in (prom_dir / "tests").glob("*.yml"):
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                cases.setdefault(case["alertname"], set()).add(bool(case.get("exp_alerts")))
    for alert in ("InventoryHigh5xxRate", "InventoryBackupMissing"):
        assert cases.get(alert) == {True, False}, alert


def test_unit_tests_fail_against_a_broken_rule(promtool, prom_dir, tmp_path):
    """A wrong threshold must make the unit tests fail, or they prove nothing."""
    work = tmp_path / "prometheus"
    shutil.copytree(prom_dir, work)
    rules_file = work / "rules" / "inventory.rules.yml"
    text = rules_file.read_text()
    broken = text.replace("> 26 * 3600", "> 30 * 3600")
    assert broken != text
    rules_file.write_text(broken)
    result = promtool_run(promtool, "test", "rules", *map(str, sorted((work / "tests").glob("*.yml"))))
    assert result.returncode != 0
    assert "InventoryBackupMissing" in result.stdout + result.stderr


def test_required_alerts_exist_with_severity_and_summary(rules):
    alerts = {rule["alert"]: rule for rule in rules if "alert" in rule}
    assert set(alerts) >= REQUIRED_ALERTS
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in {"warning", "critical"}, name
        assert rule["annotations"]["summary"], name


def test_rules_only_use_contract_metrics(rules, contract_metrics, promql_metric_names):
    recorded = {rule["record"] for rule in rules if "record" in rule}
    for rule in rules:
        names = promql_metric_names(rule["expr"])
        assert names, rule["expr"]
        unknown = names - contract_metrics - BUILTIN_METRICS - recorded
        assert not unknown, (rule.get("alert") or rule.get("record"), unknown)


def test_scrape_config_targets_web(prom_dir):
    config = yaml.safe_load((prom_dir / "prometheus.yml").read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "inventory-web"]
    assert job.get("metrics_path", "/metrics") == "/metrics"
    assert job["static_configs"][0]["targets"] == ["web:8000"]
    assert config["rule_files"] == ["rules/*.yml"]
