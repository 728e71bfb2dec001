"""fly.toml and the CI workflow."""

import tomllib

import pytest
import yaml


@pytest.fixture(scope="module")
def fly(repo) -> dict:
    return tomllib.loads((repo / "fly.toml").read_text())


@pytest.fixture(scope="module")
def workflow(repo) -> dict:
    # PyYAML reads the bare key `on` as True.
    doc = yaml.safe_load((repo / ".github/workflows/ci.yml").read_text())
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc


def test_fly_app_and_region(fly):
    assert fly["app"] == "inventory"
    assert fly["primary_region"] == fly["env"]["PRIMARY_REGION"]
    assert fly["env"]["APP_ENV"] == "production"


def test_fly_processes(fly):
    processes = fly["processes"]
    assert processes["web"] == "gunicorn -c gunicorn.conf.py wsgi:app"
    assert processes["worker"].startswith("celery -A celery_worker.celery worker")
    assert processes.get("beat", "celery -A celery_worker.celery beat").startswith(
        "celery -A celery_worker.celery beat"
    )


def test_fly_migrates_in_the_release_step(fly):
    assert fly["deploy"]["release_command"] == "flask --app wsgi db upgrade"
    assert all("db upgrade" not in command for command in fly["processes"].values())


def test_fly_http_service_checks_health(fly):
    service = fly["http_service"]
    assert service["internal_port"] == 8000
    assert service["processes"] == ["web"]
    checks = service["checks"]
    assert checks and all(c["path"] == "/health" and c["method"] == "GET" for c in checks)


def test_fly_sets_no_secrets(fly):
    for secret in ("SECRET_KEY", "JWT_SECRET", "DEFAULT_ADMIN_PASSWORD", "SENDGRID_API_KEY", "DATABASE_URL", "REDIS_URL",
                   "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):  # fmt: skip
        assert secret not in fly["env"]


def test_ci_runs_on_push_and_pull_request(workflow):
    assert {"push", "pull_request"} <= set(workflow["on"])


def test_ci_job_services_and_toolchain(workflow):
    (job,) = workflow["jobs"].values()
    assert job["runs-on"].startswith("ubuntu-")
    services = job["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for service in services.values():
        assert "--health-cmd" in service["options"]
    steps = job["steps"]
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    node = next(s for s in steps if s.get("uses", "").startswith("actions/setup-node@"))
    assert str(python["with"]["python-version"]) == "3.11"
    assert str(node["with"]["node-version"]) == "20"
    assert any(s.get("run", "").strip() == "make test" for s in steps)
    assert "127.0.0.1" in job["env"]["DATABASE_URL"]


def test_fly_trusts_its_proxy_as_one_hop(fly):
    assert fly["env"]["TRUSTED_PROXY_HOPS"] == "1"
