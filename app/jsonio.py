"""JSON in and out without binary floating point: numbers with a fraction parse to Decimal,
and Decimals are written as JSON numbers (2.25, not "2.25" and not 2.2499999)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import simplejson
from flask.json.provider import DefaultJSONProvider
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request


def loads(text: str | bytes) -> Any:
    """Parse JSON; 0.1 becomes Decimal('0.1')."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return json.loads(text, parse_float=Decimal)


def dumps(obj: Any, **kwargs: Any) -> str:
    """Write JSON; a Decimal becomes a number with exactly its digits."""
    return simplejson.dumps(obj, use_decimal=True, **kwargs)


class ExactJSONProvider(DefaultJSONProvider):
    """Flask's JSON (jsonify, request.get_json) with exact decimals."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return dumps(obj, **kwargs)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)


class ExactParser(FlaskParser):
    """webargs reading request bodies with exact decimals (it parses JSON itself, not through Flask)."""

    def _raw_load_json(self, req) -> Any:
        if not is_json_request(req):
            return core.missing
        return loads(req.get_data(cache=True))


def raw(text: str) -> simplejson.RawJSON:
    """JSON text already encoded (by the database, say), written into an answer as it is."""
    return simplejson.RawJSON(text)
