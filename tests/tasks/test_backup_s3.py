"""Backups to an S3-compatible bucket: real boto3 over HTTP against moto's S3 server on loopback
(a local emulation of the S3 API, not AWS itself)."""

from __future__ import annotations

import boto3
import pytest

from tests.helpers.database import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="pg_dump path")


@pytest.fixture()
def s3_server(monkeypatch):
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    yield f"http://{host}:{port}"
    server.stop()


def test_backup_to_s3_keeps_newest_and_restores_from_bucket(app, factory, s3_server):
    from app.services import backups

    s3 = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    s3.create_bucket(Bucket="inventory-backups")
    boss = factory.user("manager", email="boss@example.com")
    factory.item(quantity=3, actor=boss, sku="S3-ITEM")
    saved = {
        k: app.config[k] for k in ("BACKUP_S3_BUCKET", "BACKUP_S3_ENDPOINT_URL", "BACKUP_S3_PREFIX", "BACKUP_KEEP")
    }
    app.config.update(
        BACKUP_S3_BUCKET="inventory-backups",
        BACKUP_S3_ENDPOINT_URL=s3_server,
        BACKUP_S3_PREFIX="nightly/",
        BACKUP_KEEP=1,
    )
    try:
        with app.app_context():
            first, second = backups.run_backup(), backups.run_backup()
            assert (first.outcome, second.outcome) == ("success", "success"), (first.error, second.error)
            locations = [first.location, second.location]
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket="inventory-backups").get("Contents", [])]
        assert keys == [locations[1].removeprefix("s3://inventory-backups/")]
        assert keys[0].startswith("nightly/inventory-")
        result = app.test_cli_runner().invoke(args=["backup", "restore", locations[1], "--force"])
        assert result.exit_code == 0, result.output
    finally:
        app.config.update(saved)
    items = app.test_client().get("/api/v1/items", headers=factory.headers(user=boss)).get_json()
    assert "S3-ITEM" in str(items)
