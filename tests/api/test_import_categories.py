"""Imports that create categories: each new category created once, every row filed under it, and
the run's applied counts adding up to the rows planned (issue 36)."""

from __future__ import annotations

import csv
import io
import threading

import pytest
import sqlalchemy as sa

from tests.api.test_imports import HEADER, item_by_sku, run_now, upload
from tests.helpers.api import db_scalar

pytestmark = pytest.mark.core


@pytest.fixture()
def store(factory):
    return factory.location("Store")


def started(api, content, on_error, **form) -> int:
    body = upload(api, content, **form).get_json()
    assert body["state"] == "validated", body
    assert api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": on_error}).status_code == 202
    return body["id"]


def categorised(app) -> dict[str, str | None]:
    """SKU -> its category's name, for every item."""
    from app.extensions import db

    with app.app_context():
        rows = db.session.execute(
            sa.text("SELECT i.sku, c.name FROM items i LEFT JOIN categories c ON c.id = i.category_id")
        ).all()
        db.session.remove()
    return dict(rows)


def added_up(result) -> bool:
    return sum(result["applied"].values()) == result["total_rows"]


@pytest.mark.parametrize("on_error", ["skip", "stop"])
def test_four_rows_naming_new_categories_are_all_created_and_filed(api, app, store, on_error):
    text = HEADER + (
        "H-1,Hammer,Hardware,Store,1,pcs,1\n"
        "H-2,Nails,Hardware,Store,2,pcs,1\n"
        "H-3,Screws,Hardware,Store,3,pcs,1\n"
        "P-1,Glue,Paint,Store,4,pcs,1\n"
    )
    import_id = started(api, text, on_error, create_categories="true")
    run_now(app, import_id)
    result = api.get(f"/api/v1/imports/{import_id}").get_json()
    assert result["state"] == "done", result
    assert result["counts"]["created"] == 4
    assert result["applied"] == {"created": 4, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 0}
    assert categorised(app) == {"H-1": "Hardware", "H-2": "Hardware", "H-3": "Hardware", "P-1": "Paint"}
    assert db_scalar(app, sa.text("SELECT count(*) FROM categories")) == 2


def test_five_thousand_rows_in_new_categories_all_created_and_categorised(api, app, store):
    rows = "".join(f"B-{n:05d},Part {n},Bulk {n % 3},Store,{n % 7},pcs,1\n" for n in range(5000))
    import_id = started(api, HEADER + rows, "stop", create_categories="true")
    run_now(app, import_id)
    result = api.get(f"/api/v1/imports/{import_id}").get_json()
    assert result["state"] == "done", result
    assert result["applied"]["created"] == 5000 and added_up(result)
    filed = categorised(app)
    assert len(filed) == 5000 and all(filed[f"B-{n:05d}"] == f"Bulk {n % 3}" for n in range(5000))
    assert db_scalar(app, sa.text("SELECT count(*) FROM categories")) == 3


def test_a_row_the_database_refuses_since_the_dry_run_is_skipped_with_its_reason(api, app, factory, store):
    """Planned fine, refused at run time (its location was archived after the dry run): counted,
    its reason in the result and in the errors file; the counts still add up."""
    from app.extensions import db
    from app.services import locations

    annex = factory.location("Annex")
    body = upload(api, HEADER + "T-1,First,,Store,1,pcs,1\nT-2,Second,,Annex,1,pcs,1\n").get_json()
    assert body["counts"]["errors"] == 0, body
    with app.app_context():
        locations.delete_location(annex.id)
        db.session.remove()
    assert api.post(f"/api/v1/imports/{body['id']}/run", {"on_error": "skip"}).status_code == 202
    run_now(app, body["id"])
    result = api.get(f"/api/v1/imports/{body['id']}").get_json()
    assert result["state"] == "done", result
    assert result["applied"]["created"] == 1 and result["applied"]["skipped"] == 1 and added_up(result)
    text = api.get(f"/api/v1/imports/{body['id']}/errors.csv").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert [line[0] for line in lines[1:]] == ["3"] and "Annex" in lines[1][-1]


def test_two_imports_naming_the_same_new_category_both_finish(api, app, store):
    from app.extensions import db
    from app.services.imports import runs as imports

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("two transactions creating one category at once: PostgreSQL only")
    ids = [
        started(
            api,
            HEADER + "".join(f"{prefix}-{n},Part {n},Hardware,Store,1,pcs,1\n" for n in range(50)),
            "stop",
            create_categories="true",
        )
        for prefix in ("A", "B")
    ]
    barrier, failures = threading.Barrier(2), []

    def one_run(import_id: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                imports.run(import_id)
            except Exception as exc:  # a crash is the test's failure, not a hang
                failures.append(exc)
            finally:
                db.session.remove()

    runs = [threading.Thread(target=one_run, args=(import_id,)) for import_id in ids]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=120)
    assert failures == []
    for import_id in ids:
        result = api.get(f"/api/v1/imports/{import_id}").get_json()
        assert result["state"] == "done", result
        assert result["applied"]["created"] == 50
    assert db_scalar(app, sa.text("SELECT count(*) FROM categories")) == 1
    assert set(categorised(app).values()) == {"Hardware"}
    assert item_by_sku(api, "B-49")["category_id"] is not None
