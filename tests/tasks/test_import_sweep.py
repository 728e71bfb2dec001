"""The beat's sweep resumes an import whose worker died mid-run (issue 35, finding 6).

The dead worker is simulated in process: the run is stopped after its first committed batch
(what a SIGKILL between batches leaves), its progress made old, then the sweep task runs and
the run it hands out is done as the worker would. tests/tasks/test_imports.py kills a real one.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import jobs
from tests.api.test_imports import HEADER, item_by_sku, run_now, upload
from tests.helpers.api import Api, db_scalar


class WorkerKilled(BaseException):
    """Raised where the worker's process would have died (not an Exception: nothing catches it)."""


def test_beat_schedules_the_sweep(app):
    entry = jobs.beat_schedule(app.config)["import-sweep"]
    assert entry["task"] == jobs.SWEEP_STALLED_IMPORTS == "tasks.imports.sweep_stalled_imports"
    assert app.config["IMPORT_STALL_SECONDS"] == 120


def test_a_stalled_import_is_resumed_by_the_sweep_with_every_row_once(app, client, factory, monkeypatch):
    from app.extensions import db
    from app.services.imports import runs
    from tasks.imports import sweep_stalled_imports

    api = Api(client, factory)
    factory.location("Store")
    rows = "".join(f"SW-{n},Swept {n},,Store,{n + 1},pcs,1\n" for n in range(7))
    body = upload(api, HEADER + rows).get_json()
    monkeypatch.setitem(app.config, "IMPORT_BATCH_SIZE", 2)
    assert api.post(f"/api/v1/imports/{body['id']}/run").status_code == 202

    applied = runs._apply_batch

    def dies_after_one_batch(import_id, batch, *rest):
        if db.session.scalar(sa.select(runs.Import.applied_through).where(runs.Import.id == import_id)):
            raise WorkerKilled
        return applied(import_id, batch, *rest)

    monkeypatch.setattr(runs, "_apply_batch", dies_after_one_batch)
    with app.app_context():
        with pytest.raises(WorkerKilled):
            runs.run(body["id"])
        db.session.remove()  # the process is gone: so is its connection
    monkeypatch.setattr(runs, "_apply_batch", applied)
    left = api.get(f"/api/v1/imports/{body['id']}").get_json()
    assert left["state"] == "running" and left["applied"]["created"] == 2

    # .run(): the task's body in this test's app (calling the task pushes the app its Celery
    # instance was made with, another test's app when the suite runs whole).
    sent: list[tuple] = []
    monkeypatch.setattr(jobs, "enqueue", lambda name, *args: sent.append((name, *args)))
    with app.app_context():
        assert sweep_stalled_imports.run() == []  # progress is recent: a live run is left alone
        db.session.execute(sa.text("UPDATE imports SET updated_at = updated_at - interval '10 minutes'")) if (
            db.engine.dialect.name == "postgresql"
        ) else db.session.execute(sa.text("UPDATE imports SET updated_at = datetime(updated_at, '-10 minutes')"))
        db.session.commit()
        assert sweep_stalled_imports.run() == [body["id"]]
        assert sweep_stalled_imports.run() == []  # marked as swept: not handed out twice in a row
        db.session.remove()
    assert sent == [(runs.RUN_IMPORT, body["id"])]
    run_now(app, body["id"])  # what the worker does with the task the sweep sent

    done = api.get(f"/api/v1/imports/{body['id']}").get_json()
    assert done["state"] == "done" and done["applied"]["created"] == 7
    assert [item_by_sku(api, f"SW-{n}")["quantity"] for n in range(7)] == [n + 1 for n in range(7)]
    tag = runs.ledger_tag(body["id"])
    ledger = db_scalar(app, sa.text("SELECT count(*) FROM inventory_logs WHERE request_id = :t").bindparams(t=tag))
    assert ledger == 7  # every row once (one creation each)
