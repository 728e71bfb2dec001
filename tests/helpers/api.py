"""The API tests' client: JSON in and out, a bearer token per role; reading error answers."""

from __future__ import annotations

from typing import Any

PASSWORD = "password123"


class Api:
    """A test client that sends and reads JSON, with a bearer token per role."""

    def __init__(self, client, factory) -> None:
        self.client = client
        self.factory = factory
        self._headers: dict[str, dict[str, str]] = {}
        self.users: dict[str, Any] = {}

    def as_(self, role: str | None) -> dict[str, str]:
        if role is None:
            return {}
        if role not in self._headers:
            self.users[role] = self.factory.user(role)
            self._headers[role] = {"Authorization": f"Bearer {self.factory.token(self.users[role])}"}
        return self._headers[role]

    def call(
        self, method: str, path: str, role: str | None = None, json: Any = None, headers: dict | None = None, **kw
    ):
        all_headers = {**self.as_(role), **(headers or {})}
        return self.client.open(path, method=method.upper(), json=json, headers=all_headers, **kw)

    def get(self, path: str, role: str | None = "manager", **kw):
        return self.call("GET", path, role, **kw)

    def post(self, path: str, json: Any = None, role: str | None = "manager", **kw):
        return self.call("POST", path, role, json=json, **kw)

    def put(self, path: str, json: Any = None, role: str | None = "manager", **kw):
        return self.call("PUT", path, role, json=json, **kw)

    def patch(self, path: str, json: Any = None, role: str | None = "manager", **kw):
        return self.call("PATCH", path, role, json=json, **kw)

    def delete(self, path: str, role: str | None = "manager", **kw):
        return self.call("DELETE", path, role, **kw)


def error_of(response) -> dict:
    """The `error` object of a JSON error answer (asserting the shape)."""
    body = response.get_json()
    assert isinstance(body, dict) and "error" in body, (response.status_code, response.data[:300])
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


def all_keys(value) -> set:
    """Every key of every object inside a JSON value (what a hidden field must be absent from)."""
    if isinstance(value, dict):
        return set(value) | set().union(*(all_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(all_keys(v) for v in value)) if value else set()
    return set()


def db_scalar(app, statement):
    from app.extensions import db

    with app.app_context():
        try:
            return db.session.scalar(statement)
        finally:
            db.session.remove()


def multipart_csv(text: str | bytes, name: str = "items.csv", **form) -> dict:
    """A multipart body for POST /api/v1/imports."""
    import io

    return {"file": (io.BytesIO(text.encode() if isinstance(text, str) else text), name), "kind": "items", **form}
