"""A real worker killed mid-import: the redelivered task resumes after the last committed batch,
and every row is applied exactly once."""

from __future__ import annotations

import io

import sqlalchemy as sa

from tests.helpers.tasks import wait_for

ROWS = 600


def _import_state(app, import_id: int) -> tuple[str, int]:
    from app.extensions import db

    with app.app_context():
        try:
            return db.session.execute(
                sa.text("SELECT state, processed_rows FROM imports WHERE id = :id"), {"id": import_id}
            ).one()
        finally:
            db.session.remove()


def _scalar(app, sql: str, **params):
    from app.extensions import db

    with app.app_context():
        try:
            return db.session.execute(sa.text(sql), params).scalar()
        finally:
            db.session.remove()


def test_killed_worker_resumes_and_applies_each_row_once(app, web_app, factory, processes, queue_env):
    factory.location("Store")
    env = {**queue_env, "IMPORT_BATCH_SIZE": "20"}
    web_app.config["IMPORT_BATCH_SIZE"] = 20
    lines = ["SKU,Name,Location,Quantity"] + [f"KW-{n:04d},Thing {n},Store,{n % 7 + 1}" for n in range(ROWS)]
    client = web_app.test_client()
    headers = factory.headers("manager")
    created = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO("\n".join(lines).encode()), "big.csv"), "kind": "items"},
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    import_id = created.get_json()["id"]
    assert created.get_json()["counts"]["created"] == ROWS

    first = processes.worker(env, queue_env["CELERY_TASK_DEFAULT_QUEUE"], "first")
    assert (
        client.post(f"/api/v1/imports/{import_id}/run", json={"on_error": "stop"}, headers=headers).status_code == 202
    )
    wait_for(lambda: _import_state(app, import_id)[1] >= 60, timeout=120, what="the first batches")
    processes.kill(first)
    state, processed = _import_state(app, import_id)
    assert state == "running" and processed < ROWS, (state, processed)  # killed mid-import

    processes.worker(env, queue_env["CELERY_TASK_DEFAULT_QUEUE"], "second")
    wait_for(lambda: _import_state(app, import_id)[0] == "done", timeout=240, what="the import to finish")

    body = client.get(f"/api/v1/imports/{import_id}", headers=headers).get_json()
    assert body["processed_rows"] == ROWS and body["applied"]["created"] == ROWS
    tag = f"import-{import_id}"
    assert _scalar(app, "SELECT count(*) FROM items WHERE sku LIKE 'KW-%'") == ROWS
    assert _scalar(app, "SELECT count(*) FROM inventory_logs WHERE request_id = :tag", tag=tag) == ROWS
    assert _scalar(app, "SELECT count(DISTINCT item_id) FROM inventory_logs WHERE request_id = :tag", tag=tag) == ROWS
    expected = sum(n % 7 + 1 for n in range(ROWS))
    assert _scalar(app, "SELECT sum(quantity) FROM stock_levels") == expected
