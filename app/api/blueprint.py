"""The API's Blueprint: flask-smorest's, with a JSON body that is required when documented so.

webargs reads a missing body as `{}`, so `PATCH /users/{id}` with nothing would pass a schema
whose fields are all optional and answer 200 having done nothing. Here a route whose body is
required (flask-smorest's default) answers 422 naming `body` when none arrives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import flask_smorest
from flask import request

from app.errors import ValidationFailed

BODY_MESSAGE = "A JSON body is required (Content-Type: application/json)."


class Blueprint(flask_smorest.Blueprint):
    def arguments(self, schema, *, location: str = "json", required: bool = True, **kwargs) -> Callable:
        parse = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return parse

        def decorator(func: Callable) -> Callable:
            parsed = parse(func)

            @functools.wraps(parsed)
            def wrapper(*args, **kw):
                if not request.is_json or not request.get_data(cache=True).strip():
                    raise ValidationFailed(BODY_MESSAGE, fields={"body": [BODY_MESSAGE]})
                return parsed(*args, **kw)

            return wrapper

        return decorator
