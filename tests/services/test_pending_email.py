"""The sweep's question: which emails are still owed (their enqueue was lost)?"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Alert, Backup
from app.models.base import utcnow
from app.services import notifications, pending_email
from app.services.requests import carts
from app.services.requests import workflow as requests

pytestmark = pytest.mark.core

NOW, HOUR = timedelta(0), timedelta(hours=1)


def _owed_alert(app, client, factory) -> int:
    boss = factory.user("manager", email="boss@example.com")
    item = factory.item(quantity=10, low_stock_threshold=5, actor=boss)
    response = client.post(f"/api/v1/items/{item.id}/withdraw", json={"quantity": 6}, headers=factory.headers("staff"))
    assert response.status_code == 200
    return db.session.scalar(sa.select(Alert.id).where(Alert.item_id == item.id))


def test_unsent_alert_rejection_and_backup_failure_are_owed_until_sent(app, client, factory, ctx):
    alert_id = _owed_alert(app, client, factory)
    author = factory.actor("staff", email="clerk@example.com")
    manager = factory.actor("manager", email="chief@example.com")
    carts.add_line(author, factory.item(quantity=5).id, 2)
    req = requests.submit(author, kind="pick")
    requests.reject(req.id, actor=manager, reason="Out of season")
    factory.user("admin", email="root@example.com")
    db.session.add(
        Backup(file="x.dump", location="/tmp/x.dump", outcome="failure", error="disk full", finished_at=utcnow())
    )
    db.session.commit()
    backup_id = db.session.scalar(sa.select(Backup.id))

    owed = pending_email.pending(grace=NOW, max_age=HOUR)
    assert owed.alert_ids == [alert_id]
    assert owed.request_payloads == [
        {"request_id": req.id, "author_email": "clerk@example.com", "state": "rejected", "reason": "Out of season"}
    ]
    assert owed.backup_ids == [backup_id]
    assert len(pending_email.pending(grace=HOUR, max_age=2 * HOUR)) == 0  # too recent: its own task may still run

    notifications.send_low_stock_alert(alert_id)
    notifications.send_request_decided(owed.request_payloads[0])
    notifications.send_backup_failure(backup_id)
    assert len(pending_email.pending(grace=NOW, max_age=HOUR)) == 0


def test_alerts_older_than_the_maximum_age_or_failed_for_good_are_not_swept(app, client, factory, ctx):
    alert_id = _owed_alert(app, client, factory)
    db.session.get(Alert, alert_id).created_at = utcnow() - 3 * HOUR
    db.session.commit()
    assert pending_email.pending(grace=NOW, max_age=HOUR).alert_ids == []
    alert = db.session.get(Alert, alert_id)
    alert.created_at, alert.send_error = utcnow(), "SendGrid answered 400: bad address"
    db.session.commit()
    assert pending_email.pending(grace=NOW, max_age=HOUR).alert_ids == []


def test_an_alert_resolved_before_its_email_went_out_is_neither_sent_nor_owed(app, client, factory, ctx):
    from app.models import OutboxEmail

    alert_id = _owed_alert(app, client, factory)
    item_id = db.session.get(Alert, alert_id).item_id
    restocked = client.post(f"/api/v1/items/{item_id}/restock", json={"quantity": 6}, headers=factory.headers("staff"))
    assert restocked.status_code == 200
    db.session.expire_all()
    assert db.session.get(Alert, alert_id).resolved_at is not None
    assert pending_email.pending(grace=NOW, max_age=HOUR).alert_ids == []
    assert notifications.send_low_stock_alert(alert_id) == 0  # the queued task, arriving late
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEmail)) == 0
