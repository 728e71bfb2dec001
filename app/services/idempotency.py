"""Idempotency-Key: a retried movement gets the first answer, and moves nothing again.

run_once() is the whole flow: look the key up, run the work, store the answer. The
key's claim, the work and the stored answer commit in one transaction, so a twin
request either sees the finished answer or runs itself; never half of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.models import IdempotencyRecord
from app.services.uow import unit_of_work

T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """What to answer a movement request with; `replayed` when it is an earlier request's answer."""

    body: dict[str, Any]
    status_code: int = 200
    replayed: bool = False


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str

    @classmethod
    def from_request(cls, key: str | None, method: str, path: str, body: object) -> IdempotencyKey | None:
        if key is None:
            return None
        key = key.strip()
        if not key or len(key) > 255:
            raise ValidationFailed(
                "Idempotency-Key must be 1 to 255 characters.", fields={"Idempotency-Key": ["Invalid length."]}
            )
        raw = json.dumps([method, path, body], sort_keys=True, default=str)
        return cls(key, hashlib.sha256(raw.encode()).hexdigest())


def find(user_id: int, key: IdempotencyKey) -> IdempotencyRecord | None:
    """The earlier request under this key; ValidationFailed if it was a different request."""
    record = db.session.execute(
        sa.select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key.key)
    ).scalar_one_or_none()
    if record is not None and record.fingerprint != key.fingerprint:
        raise ValidationFailed(
            "This Idempotency-Key was already used for a different request.",
            fields={"Idempotency-Key": ["Already used for a different request."]},
        )
    return record


def claim(user_id: int, key: IdempotencyKey) -> None:
    """Insert the key inside the caller's transaction; a duplicate fails at flush."""
    db.session.add(IdempotencyRecord(user_id=user_id, key=key.key, fingerprint=key.fingerprint))
    db.session.flush()


def save_response(user_id: int, key: IdempotencyKey, status_code: int, body: dict) -> None:
    """Remember, in the caller's transaction, the answer given to the first request under this key."""
    db.session.execute(
        sa.update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key.key)
        .values(status_code=status_code, response=body)
    )


def run_once(user_id: int, key: IdempotencyKey | None, work: Callable[[], T], answer: Callable[[T], dict]) -> Answer:
    """Run `work` (a service call) once per key and answer with `answer(result)`.

    A retry under the same key gets the stored answer (replayed=True). Raises
    ValidationFailed (the key was used for a different request), Conflict (an answer
    stored by an older release is missing), and whatever `work` raises; a refused
    movement stores nothing, so it may be retried.
    """
    if key is None:
        return Answer(answer(work()))
    earlier = find(user_id, key)
    if earlier is not None:
        return _replay(earlier)
    try:
        with unit_of_work(keep_loaded=True):
            claim(user_id, key)  # first: a concurrent twin waits on the unique key, then fails
            body = answer(work())
            save_response(user_id, key, 200, body)
    except IntegrityError as exc:
        if "idempotency" not in str(exc.orig).lower():
            raise
        return _replay(find(user_id, key))  # the twin committed its movement and answer together
    return Answer(body)


def _replay(record: IdempotencyRecord | None) -> Answer:
    if record is None or record.response is None:
        raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
    return Answer(record.response, record.status_code or 200, replayed=True)
