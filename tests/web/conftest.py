"""Page test fixtures: a browser-like client, logged in per role (helpers in tests/helpers/pages.py)."""

from __future__ import annotations

import pytest

from tests.helpers.pages import PageClient


@pytest.fixture()
def pages(client):
    return PageClient(client)


@pytest.fixture()
def as_role(app, factory):
    """as_role("staff") -> a logged-in PageClient for a new user of that role."""

    def make(role: str):
        user = factory.user(role)
        page_client = PageClient(app.test_client())
        page_client.login(user)
        page_client.user = user
        return page_client

    return make
