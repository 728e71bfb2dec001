"""Idempotency-Key bookkeeping: a retried movement returns the first answer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa

from app.errors import ValidationFailed
from app.extensions import db
from app.models import IdempotencyRecord


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
    """Remember the answer given to the first request under this key."""
    db.session.execute(
        sa.update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key.key)
        .values(status_code=status_code, response=body)
    )
    db.session.commit()
