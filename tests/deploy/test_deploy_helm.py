"""The Helm chart: lint, render, validate against the Kubernetes schemas, and its rules."""

import copy
import json
import shutil

import pytest
import yaml

helm_python = pytest.importorskip("helm_python")
kubernetes_validate = pytest.importorskip("kubernetes_validate")

# The Kubernetes version every rendered manifest is validated against.
KUBE_VERSION = "1.31.0"
# Custom resources have no schema in kubernetes-validate; only these may lack one.
CUSTOM_API_GROUPS = ("monitoring.coreos.com/",)
APP_SECRET_KEYS = {
    "SECRET_KEY",
    "JWT_SECRET",
    "DEFAULT_ADMIN_PASSWORD",
    "SENDGRID_API_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
}


def by_kind(manifests, kind):
    return [m for m in manifests if m["kind"] == kind]


def one(manifests, kind, name_suffix=""):
    found = [m for m in by_kind(manifests, kind) if m["metadata"]["name"].endswith(name_suffix)]
    assert len(found) == 1, f"expected one {kind} *{name_suffix}, got {[m['metadata']['name'] for m in found]}"
    return found[0]


def containers(workload):
    return workload["spec"]["template"]["spec"]["containers"]


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def validate_all(manifests):
    """Strict schema validation of every manifest; returns the list of failures."""
    failures = []
    for manifest in manifests:
        doc = {k: v for k, v in manifest.items() if k != "_template"}
        try:
            kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            if not doc["apiVersion"].startswith(CUSTOM_API_GROUPS):
                failures.append(f"{doc['kind']}: no schema for {doc['apiVersion']}")
        except kubernetes_validate.ValidationError as exc:
            failures.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}")
    return failures


# --- lint -------------------------------------------------------------------


@pytest.mark.parametrize("values_name", ["default", "production"])
def test_chart_lints_clean(chart_dir, production_values, values_name):
    values = production_values if values_name == "production" else None
    report = helm_python.lint(str(chart_dir), values, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"] == []
    # Severity 1 is informational (e.g. "icon is recommended"); warnings and errors are not allowed.
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_chart_is_api_v2(chart_dir):
    meta = yaml.safe_load((chart_dir / "Chart.yaml").read_text())
    assert meta["apiVersion"] == "v2"
    assert (chart_dir / "templates" / "NOTES.txt").is_file()
    assert (chart_dir / "templates" / "_helpers.tpl").is_file()


# --- schema validation of the rendered manifests -------------------------------


def test_default_render_is_valid_kubernetes(default_manifests):
    assert validate_all(default_manifests) == []


def test_production_render_is_valid_kubernetes(production_manifests):
    assert validate_all(production_manifests) == []


def test_polling_sticky_render_is_valid_kubernetes(render):
    manifests = render({"socketio": {"transport": "polling-sticky"}, "ingress": {"enabled": True}})
    assert validate_all(manifests) == []


def test_validation_catches_a_broken_manifest(production_manifests):
    broken = copy.deepcopy(one(production_manifests, "Deployment", "-web"))
    containers(broken)[0]["livenessProbe"]["httpGett"] = containers(broken)[0]["livenessProbe"].pop("httpGet")
    assert validate_all([broken]) != []


# --- the chart's rules ----------------------------------------------------------


def test_beat_is_one_replica_with_recreate(default_manifests):
    beat = one(default_manifests, "Deployment", "-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    assert containers(beat)[0]["command"][:4] == ["celery", "-A", "celery_worker.celery", "beat"]


BEAT_OVERRIDES = [
    {"beat": {"replicas": 3}},
    {"replicas": 3},
    {"beat": {"strategy": {"type": "RollingUpdate"}}},
    {"beat": {"autoscaling": {"enabled": True}}},
]


@pytest.mark.parametrize("override", BEAT_OVERRIDES)
def test_schema_refuses_beat_replica_settings(render, override):
    with pytest.raises(helm_python.HelmError):
        render(override)


@pytest.mark.parametrize("override", BEAT_OVERRIDES)
def test_beat_stays_single_even_without_the_schema(chart_dir, tmp_path, override):
    # Without values.schema.json nothing refuses the keys; the template must still ignore them.
    copy_dir = tmp_path / "inventory"
    shutil.copytree(chart_dir, copy_dir)
    (copy_dir / "values.schema.json").unlink()
    values = {**override, "web": {"replicas": 5}, "worker": {"replicas": 4}}
    with helm_python.Chart.load(str(copy_dir)) as chart:
        rendered = chart.render(values, name="inventory", namespace="inventory")
    beat = yaml.safe_load(rendered["inventory/templates/beat-deployment.yaml"])
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}


def test_web_has_probes_port_and_resources(production_manifests):
    web = one(production_manifests, "Deployment", "-web")
    (container,) = containers(web)
    assert container["command"] == ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
    assert {"name": "http", "containerPort": 8000, "protocol": "TCP"} in container["ports"]
    # Liveness asks only whether the process answers, so a database outage does not restart
    # every web pod; readiness takes the pod out of the Service while a dependency is down.
    assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["resources"]["requests"] and container["resources"]["limits"]


def test_web_replicas_from_values_without_autoscaler(render):
    web = one(render({"web": {"replicas": 4}}), "Deployment", "-web")
    assert web["spec"]["replicas"] == 4


def test_pods_run_as_non_root(production_manifests):
    for workload in by_kind(production_manifests, "Deployment") + by_kind(production_manifests, "Job"):
        assert workload["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True


def test_socketio_transport_defaults_to_websocket(default_manifests):
    config = one(default_manifests, "ConfigMap")
    assert config["data"]["SOCKETIO_TRANSPORT"] == "websocket"
    service = one(default_manifests, "Service", "-web")
    assert "sessionAffinity" not in service["spec"]


def test_socketio_polling_sticky_pins_clients(render):
    manifests = render({"socketio": {"transport": "polling-sticky"}, "ingress": {"enabled": True}})
    assert one(manifests, "ConfigMap")["data"]["SOCKETIO_TRANSPORT"] == "polling-sticky"
    assert one(manifests, "Service", "-web")["spec"]["sessionAffinity"] == "ClientIP"
    annotations = one(manifests, "Ingress")["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert annotations["nginx.ingress.kubernetes.io/session-cookie-name"]


def test_configmap_covers_the_app_settings(default_manifests):
    data = one(default_manifests, "ConfigMap")["data"]
    expected = {
        "APP_ENV",
        "APP_BASE_URL",
        "PRIMARY_REGION",
        "ACCESS_TOKEN_EXPIRE_MINUTES",
        "REFRESH_TOKEN_EXPIRE_DAYS",
        "DEFAULT_ADMIN_EMAIL",
        "DEFAULT_ADMIN_NAME",
        "ALERT_FROM_EMAIL",
        "SOCKETIO_TRANSPORT",
        "METRICS_ALLOWED_NETWORKS",
        "PROMETHEUS_MULTIPROC_DIR",
        "BACKUP_DIR",
        "BACKUP_KEEP",
        "BACKUP_SCHEDULE",
    }
    assert expected <= set(data)
    assert data["APP_ENV"] == "production"
    assert not (APP_SECRET_KEYS - {"REDIS_URL"}) & set(data), "a secret ended up in the ConfigMap"


# --- secrets --------------------------------------------------------------------


def test_existing_secret_means_no_secret_values_in_the_render(production_manifests, production_values):
    assert by_kind(production_manifests, "Secret") == []
    for config in by_kind(production_manifests, "ConfigMap"):
        assert not APP_SECRET_KEYS & set(config["data"]), config["data"]
    secret_name = production_values["secrets"]["existingSecret"]
    for workload in by_kind(production_manifests, "Deployment") + by_kind(production_manifests, "Job"):
        for container in containers(workload):
            env = env_of(container)
            for key in APP_SECRET_KEYS:
                assert key in env, f"{workload['metadata']['name']} lacks {key}"
                assert "value" not in env[key], f"{key} inlined in {workload['metadata']['name']}"
                assert env[key]["valueFrom"]["secretKeyRef"]["name"] == secret_name


def test_external_database_requires_a_secret_name(render):
    with pytest.raises(helm_python.HelmError):
        render({"postgresql": {"enabled": False}})


def test_chart_secret_exists_only_without_existing_secret(default_manifests):
    (secret,) = [s for s in by_kind(default_manifests, "Secret") if s["metadata"]["name"] == "inventory"]
    assert {"SECRET_KEY", "JWT_SECRET", "DEFAULT_ADMIN_PASSWORD"} <= set(secret["stringData"])
    assert all(len(secret["stringData"][k]) >= 32 for k in ("SECRET_KEY", "JWT_SECRET"))


def test_bundled_services_use_statefulsets_with_claims(default_manifests):
    statefulsets = {s["metadata"]["name"]: s for s in by_kind(default_manifests, "StatefulSet")}
    assert set(statefulsets) == {"inventory-postgresql", "inventory-redis"}
    for sts in statefulsets.values():
        assert sts["spec"]["volumeClaimTemplates"]
    service_names = {s["metadata"]["name"] for s in by_kind(default_manifests, "Service")}
    assert {"inventory-postgresql", "inventory-redis", "inventory-web"} <= service_names
    web_env = env_of(containers(one(default_manifests, "Deployment", "-web"))[0])
    assert web_env["DATABASE_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "inventory-postgresql"
    assert "$(DATABASE_PASSWORD)@inventory-postgresql:5432" in web_env["DATABASE_URL"]["value"]


def test_production_has_no_bundled_database_or_redis(production_manifests):
    assert by_kind(production_manifests, "StatefulSet") == []


# --- migrations, backups ----------------------------------------------------------


def test_migration_job_is_a_pre_install_pre_upgrade_hook(production_manifests):
    job = one(production_manifests, "Job", "-migrate")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert containers(job)[0]["command"] == ["flask", "--app", "wsgi", "db", "upgrade"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_migration_job_with_bundled_database_runs_after_install(default_manifests):
    # The bundled StatefulSet does not exist yet during pre-install hooks.
    job = one(default_manifests, "Job", "-migrate")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,pre-upgrade"


def test_no_process_runs_migrations_on_start(production_manifests):
    for deployment in by_kind(production_manifests, "Deployment"):
        assert "upgrade" not in containers(deployment)[0]["command"]


def test_backups_on_a_claim_mounted_at_backup_dir(default_manifests):
    claim = one(default_manifests, "PersistentVolumeClaim", "-backups")
    worker = one(default_manifests, "Deployment", "-worker")
    backup_dir = one(default_manifests, "ConfigMap")["data"]["BACKUP_DIR"]
    volumes = {v["name"]: v for v in worker["spec"]["template"]["spec"]["volumes"]}
    assert volumes["backups"]["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    mounts = {m["name"]: m["mountPath"] for m in containers(worker)[0]["volumeMounts"]}
    assert mounts["backups"] == backup_dir


def test_backups_to_s3_in_production(production_manifests, production_values):
    assert by_kind(production_manifests, "PersistentVolumeClaim") == []
    data = one(production_manifests, "ConfigMap")["data"]
    assert data["BACKUP_S3_BUCKET"] == production_values["backup"]["s3"]["bucket"]
    assert "BACKUP_S3_ENDPOINT_URL" in data and "BACKUP_S3_PREFIX" in data


# --- production extras -------------------------------------------------------------


def test_autoscaler_only_in_production(default_manifests, production_manifests):
    assert by_kind(default_manifests, "HorizontalPodAutoscaler") == []
    hpa = one(production_manifests, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"]["name"] == one(production_manifests, "Deployment", "-web")["metadata"]["name"]
    assert hpa["spec"]["minReplicas"] == 3
    # The HPA owns the replica count; a fixed one would fight it on every upgrade.
    assert "replicas" not in one(production_manifests, "Deployment", "-web")["spec"]


def test_production_ingress_supports_websockets(default_manifests, production_manifests):
    assert by_kind(default_manifests, "Ingress") == []
    ingress = one(production_manifests, "Ingress")
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    assert ingress["spec"]["ingressClassName"] == "nginx"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == one(production_manifests, "Service", "-web")["metadata"]["name"]


def test_production_service_monitor_scrapes_metrics(production_manifests):
    monitor = one(production_manifests, "ServiceMonitor")
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert monitor["spec"]["endpoints"][0]["port"] == "http"


def test_production_values_file_matches_the_brief(production_values):
    assert production_values["postgresql"]["enabled"] is False
    assert production_values["redis"]["enabled"] is False
    assert production_values["secrets"]["existingSecret"]
    assert production_values["web"]["replicas"] == 3
    assert production_values["ingress"]["enabled"] is True
    assert production_values["web"]["autoscaling"]["enabled"] is True


# --- values.schema.json ---------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_values",
    [
        {"webb": {"replicas": 2}},
        {"web": {"replica": 2}},
        {"web": {"replicas": "two"}},
        {"ingress": {"enabld": True}},
        {"socketio": {"transport": "polling"}},
        {"backup": {"storage": "s3"}},
        {"postgresql": {"enabled": False}, "externalDatabase": {"existingSecret": ""}},
        {"metrics": {"serviceMonitor": {"enabled": "yes"}}},
    ],
    ids=lambda v: json.dumps(v, sort_keys=True),
)
def test_schema_rejects_typos_and_wrong_types(chart_dir, render, bad_values):
    with helm_python.Chart.load(str(chart_dir)) as chart, pytest.raises(helm_python.HelmError):
        chart.validate_schema(bad_values)
    with pytest.raises(helm_python.HelmError):
        render(bad_values)


def test_schema_accepts_defaults_and_production(chart_dir, production_values):
    with helm_python.Chart.load(str(chart_dir)) as chart:
        chart.validate_schema({})
        chart.validate_schema(production_values)


def test_chart_trusts_the_ingress_as_one_proxy_hop(default_manifests):
    # The client address for login limits, logs and /metrics is the one the Ingress reports.
    assert one(default_manifests, "ConfigMap")["data"]["TRUSTED_PROXY_HOPS"] == "1"
