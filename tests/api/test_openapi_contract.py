"""The OpenAPI document is true: numeric bounds are numbers, and every operation documents its
error answers with the body the API really sends (`{"error": {...}}`)."""

from __future__ import annotations

import jsonschema
import pytest

pytestmark = pytest.mark.core


@pytest.fixture()
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_numeric_bounds_and_defaults_are_numbers_not_strings(spec):
    price = spec["components"]["schemas"]["ItemCreate"]["properties"]["price"]
    assert price["type"] == "number" and price["minimum"] == 0 and price["maximum"] == 1_000_000_000
    wrong = [
        f"{path}/{key}"
        for path, node in _walk(spec)
        if node.get("type") in ("number", "integer")
        for key in ("minimum", "maximum", "default")
        if key in node and not isinstance(node[key], int | float)
    ]
    assert wrong == []


def test_every_operation_documents_its_error_answers_with_the_real_body(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert {"401", "403", "422", "default"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert "409" in codes, (method, path)
    for name in ("UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "CONFLICT", "UNPROCESSABLE_ENTITY", "DEFAULT_ERROR"):
        ref = spec["components"]["responses"][name]["content"]["application/json"]["schema"]["$ref"]
        assert ref == "#/components/schemas/Error"


def test_real_error_bodies_match_the_documented_error_schema(spec, api, factory):
    schema = {"$ref": "#/components/schemas/Error", "components": spec["components"]}
    item = factory.item(quantity=1)
    answers = {
        401: api.get("/api/v1/items", role=None),
        403: api.delete(f"/api/v1/items/{item.id}", role="staff"),
        404: api.get("/api/v1/items/999999"),
        409: api.post(f"/api/v1/items/{item.id}/withdraw", {"quantity": 5}),
        422: api.post("/api/v1/items", {"name": 5}),
    }
    for status, response in answers.items():
        assert response.status_code == status
        jsonschema.validate(response.get_json(), schema)
    # flask-smorest's own shape ({"code", "status", "errors"}) is gone from the document.
    assert "errors" not in spec["components"]["schemas"]["Error"]["properties"]


def test_label_skip_is_bounded_by_the_largest_layout_not_the_quantity_limit(spec):
    from app.services.scanning.labels import LAYOUTS

    parameters = spec["paths"]["/api/v1/labels/items.pdf"]["get"]["parameters"]
    skip = next(p for p in parameters if p["name"] == "skip")
    assert skip["schema"]["maximum"] == max(layout.per_page for layout in LAYOUTS.values()) - 1
    assert "per layout" in skip.get("description", "")
