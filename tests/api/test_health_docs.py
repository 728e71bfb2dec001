"""/health, the OpenAPI document and the interactive docs page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.core


def test_health_is_200_when_database_answers(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["checks"]["database"] == "ok"


def test_health_is_503_naming_the_database_when_unreachable(monkeypatch):
    from app import create_app
    from app.config import TestingConfig

    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = TestingConfig()
    settings.SQLALCHEMY_DATABASE_URI = "postgresql+psycopg2://postgres@127.0.0.1:9/nowhere?connect_timeout=2"
    broken = create_app(settings)
    response = broken.test_client().get("/health")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["down"] == ["database"]
    assert body["checks"]["database"].startswith("down")


def test_openapi_document_lists_every_api_path(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, ops in spec["paths"].items() for method in ops if method != "parameters"
    }
    expected = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api-docs.openapi_json":
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<int:{name}>", "{" + name + "}").replace(f"<{name}>", "{" + name + "}")
            expected |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert expected - documented == set()
    item_schemas = [schema for name, schema in spec["components"]["schemas"].items() if name.startswith("Item")]
    assert any("quantity" in schema.get("properties", {}) for schema in item_schemas)
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_docs_page_is_html_served_from_local_swagger_ui(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "/vendor/swagger-ui-dist/" in page and "/api/v1/openapi.json" in page
    assert "cdn" not in page.lower()


def test_swagger_ui_assets_are_served_but_not_the_rest_of_node_modules(client):
    response = client.get("/vendor/swagger-ui-dist/swagger-ui-bundle.js")
    assert response.status_code == 200
    response.close()
    assert client.get("/vendor/left-pad/index.js").status_code == 404
    assert client.get("/vendor/swagger-ui-dist/../../package.json").status_code == 404
