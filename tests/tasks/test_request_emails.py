"""The request-decided email works from the event's payload alone, once per request and state."""

from __future__ import annotations

from tests.helpers.tasks import outbox_rows


def test_request_decided_email_goes_to_author_once_from_payload(app):
    import tasks  # noqa: F401

    task = app.extensions["celery"].tasks["tasks.email.send_request_decided"]
    payload = {"request_id": 41, "author_email": "clerk@example.com", "state": "rejected", "reason": "Out of budget"}
    assert task.apply(args=[payload]).get() == 1
    assert task.apply(args=[payload]).get() == 0  # a redelivery sends nothing
    rows = outbox_rows(app, "request:")
    assert [(r.recipient, r.subject) for r in rows] == [("clerk@example.com", "Your request #41 was rejected")]
    assert "Reason: Out of budget" in rows[0].body and "/requests/41" in rows[0].body
