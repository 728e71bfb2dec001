"""docker-compose.yml against the Compose specification, and the Dockerfile's shape."""

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

APP_SERVICES = ("web", "worker", "beat")
REQUIRED_SERVICES = {"web", "worker", "beat", "migrate", "postgres", "redis", "prometheus", "grafana"}
# Secrets the file must demand (${VAR:?...}) instead of defaulting.
REQUIRED_SECRETS = ("POSTGRES_PASSWORD", "SECRET_KEY", "JWT_SECRET", "DEFAULT_ADMIN_PASSWORD", "GRAFANA_ADMIN_PASSWORD")
DUMMY_ENV = {name: f"test-{name.lower()}" for name in REQUIRED_SECRETS}
# Where Debian's docker-compose 1.29 (python3 "compose" package) keeps the Compose spec schema.
SCHEMA_CANDIDATES = [
    Path("/usr/lib/python3/dist-packages/compose/config/compose_spec.json"),
    Path("/usr/local/lib/python3/dist-packages/compose/config/compose_spec.json"),
]


@pytest.fixture(scope="module")
def compose_text(repo) -> str:
    return (repo / "docker-compose.yml").read_text()


@pytest.fixture(scope="module")
def compose(compose_text) -> dict:
    return yaml.safe_load(compose_text)


@pytest.fixture(scope="module")
def compose_schema() -> dict:
    for candidate in SCHEMA_CANDIDATES:
        if candidate.is_file():
            return json.loads(candidate.read_text())
    pytest.skip("Compose spec schema not found (Debian package 'docker-compose' ships compose_spec.json)")


def spec_validator(schema):
    # The spec declares draft 2019-09 under its old URL, which jsonschema does not map.
    return jsonschema.Draft201909Validator(schema)


def run_compose_config(docker_compose, repo, env_overrides, tmp_path):
    # A clean environment and an empty env file: a developer's .env does not leak in.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **env_overrides}
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    return subprocess.run(
        [docker_compose, "--env-file", str(empty_env_file), "-f", str(repo / "docker-compose.yml"), "config", "-q"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- schema ---------------------------------------------------------------------


def test_compose_file_matches_the_compose_spec(compose, compose_schema):
    errors = sorted(spec_validator(compose_schema).iter_errors(compose), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []


def test_schema_check_catches_a_broken_file(compose, compose_schema):
    broken = json.loads(json.dumps(compose))
    broken["services"]["web"]["depends_on"]["migrate"]["condition"] = "service_finished"
    assert list(spec_validator(compose_schema).iter_errors(broken))


def test_docker_compose_config_accepts_the_file(docker_compose, repo, tmp_path):
    result = run_compose_config(docker_compose, repo, DUMMY_ENV, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", REQUIRED_SECRETS)
def test_docker_compose_config_demands_each_secret(docker_compose, repo, missing, tmp_path):
    env = {k: v for k, v in DUMMY_ENV.items() if k != missing}
    result = run_compose_config(docker_compose, repo, env, tmp_path)
    assert result.returncode != 0
    assert missing in result.stderr


# --- services -------------------------------------------------------------------


def test_required_services_exist(compose):
    assert set(compose["services"]) >= REQUIRED_SERVICES


def test_images_are_pinned(compose):
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in ("prometheus", "grafana"):
        assert not services[name]["image"].endswith(":latest") and ":" in services[name]["image"]


def test_postgres_data_on_a_named_volume(compose):
    volumes = compose["services"]["postgres"]["volumes"]
    source, target = volumes[0].split(":")[:2]
    assert target == "/var/lib/postgresql/data"
    assert source in compose["volumes"], "postgres data must live on a top-level named volume"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_app_processes_wait_for_migrations_and_healthy_stores(compose, service):
    depends = compose["services"][service]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"


def test_migrate_runs_once(compose):
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for service in APP_SERVICES:
        assert "db upgrade" not in " ".join(compose["services"][service]["command"])


def test_process_commands(compose):
    services = compose["services"]
    assert services["web"]["command"] == ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "celery_worker.celery", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "celery_worker.celery", "beat"]


@pytest.mark.parametrize("service", ["web", "postgres", "redis"])
def test_healthchecks(compose, service):
    check = compose["services"][service]["healthcheck"]
    assert check["test"] and check["interval"] and check["retries"]


def test_web_healthcheck_hits_health(compose):
    assert "/health" in " ".join(compose["services"]["web"]["healthcheck"]["test"])


def test_app_env_covers_the_settings_and_demands_secrets(compose, compose_text):
    env = compose["services"]["web"]["environment"]
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "JWT_SECRET",
        "DEFAULT_ADMIN_PASSWORD",
        "APP_ENV",
        "METRICS_ALLOWED_NETWORKS",
        "PROMETHEUS_MULTIPROC_DIR",
        "BACKUP_DIR",
        "BACKUP_SCHEDULE",
        "SOCKETIO_TRANSPORT",
    ):
        assert name in env, name
    assert env["APP_ENV"] == "production"
    for secret in ("SECRET_KEY", "JWT_SECRET", "DEFAULT_ADMIN_PASSWORD"):
        assert re.fullmatch(rf"\$\{{{secret}:\?[^}}]+\}}", env[secret]), f"{secret} must be required, not defaulted"
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]


def test_metrics_network_covers_the_compose_subnet(compose):
    subnet = compose["networks"]["default"]["ipam"]["config"][0]["subnet"]
    allowed = compose["services"]["web"]["environment"]["METRICS_ALLOWED_NETWORKS"]
    assert subnet in allowed


def test_monitoring_mounts_the_deploy_files(compose, repo):
    prometheus_mounts = compose["services"]["prometheus"]["volumes"]
    grafana_mounts = compose["services"]["grafana"]["volumes"]
    assert any(m.startswith("./deploy/prometheus:") for m in prometheus_mounts)
    assert any(m.startswith("./deploy/grafana/provisioning:/etc/grafana/provisioning") for m in grafana_mounts)
    dashboards_mount = next(m for m in grafana_mounts if m.startswith("./deploy/grafana/dashboards:"))
    provider = yaml.safe_load((repo / "deploy/grafana/provisioning/dashboards/inventory.yml").read_text())
    assert dashboards_mount.split(":")[1] == provider["providers"][0]["options"]["path"]
    config_flag = next(a for a in compose["services"]["prometheus"]["command"] if a.startswith("--config.file="))
    assert config_flag == "--config.file=/etc/prometheus/prometheus.yml"


def test_worker_keeps_backups_on_a_named_volume(compose):
    worker = compose["services"]["worker"]
    mounts = [m.split(":") for m in worker["volumes"]]
    assert [src for src, dst in mounts if dst == worker["environment"]["BACKUP_DIR"]] == ["backups"]
    assert "backups" in compose["volumes"]


# --- Dockerfile -------------------------------------------------------------------


@pytest.fixture(scope="module")
def dockerfile(repo):
    parser = pytest.importorskip("dockerfile")
    return parser.parse_file(str(repo / "Dockerfile"))


def stages(commands):
    """Split the instructions into stages, one list per FROM."""
    result = []
    for command in commands:
        if command.cmd.upper() == "FROM":
            result.append([])
        if result:
            result[-1].append(command)
    return result


def _default_bases(dockerfile) -> list[str]:
    """Each FROM's image, with the base-image build arguments at their defaults."""
    defaults = {}
    for c in dockerfile:
        if c.cmd.upper() == "FROM":
            break
        if c.cmd.upper() == "ARG" and "=" in c.value[0]:
            name, value = c.value[0].split("=", 1)
            defaults[name] = value
    bases = []
    for c in dockerfile:
        if c.cmd.upper() == "FROM":
            image = c.value[0]
            for name, value in defaults.items():
                image = image.replace("${" + name + "}", value)
            bases.append(image)
    return bases


def test_dockerfile_is_multi_stage_on_python_slim(dockerfile):
    froms = _default_bases(dockerfile)
    assert len(froms) >= 2
    python_bases = [image for image in froms if image.startswith("python:")]
    assert python_bases and set(python_bases) == {"python:3.11-slim"}
    assert froms[-1] == "python:3.11-slim"


def test_dockerfile_builder_installs_requirements_and_npm(dockerfile):
    runs = " ".join(" ".join(c.value) for c in dockerfile if c.cmd.upper() == "RUN")
    assert "python3 -m venv" in runs
    assert "pip install --only-binary=:all: -r" in runs and "requirements.txt" in runs
    assert "npm ci" in runs


def test_dockerfile_final_stage_is_non_root(dockerfile):
    final = stages(dockerfile)[-1]
    users = [c.value[0] for c in final if c.cmd.upper() == "USER"]
    assert users, "the final stage must set USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")


def test_dockerfile_exposes_8000_with_healthcheck_and_web_cmd(dockerfile):
    final = stages(dockerfile)[-1]
    by_cmd = {}
    for c in final:
        by_cmd.setdefault(c.cmd.upper(), []).append(c)
    assert "8000" in by_cmd["EXPOSE"][-1].value
    healthcheck = " ".join(by_cmd["HEALTHCHECK"][-1].value)
    # The port gunicorn binds (PORT), 8000 when unset; tests/image runs it on another port.
    assert "/health" in healthcheck and "PORT" in healthcheck and "8000" in healthcheck
    assert list(by_cmd["CMD"][-1].value) == ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    # Compilers stay in the builder.
    final_runs = " ".join(" ".join(c.value) for c in by_cmd.get("RUN", []))
    assert "build-essential" not in final_runs


def test_dockerignore_keeps_secrets_and_local_state_out(repo):
    patterns = {line.strip() for line in (repo / ".dockerignore").read_text().splitlines()}
    assert {".git", ".env", ".venv", "node_modules"} <= patterns
