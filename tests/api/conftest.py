"""API test fixtures: a JSON client per role and a world of objects (helpers in tests/helpers/)."""

from __future__ import annotations

import pytest

from tests.helpers.api import Api
from tests.helpers.world import World, build_world


@pytest.fixture()
def api(client, factory) -> Api:
    return Api(client, factory)


@pytest.fixture()
def world(app, factory) -> World:
    return build_world(app, factory)
