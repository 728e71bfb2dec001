"""Playwright (from PyPI) driving Debian's Chromium against the live_server fixture."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.browser.launch import CHROMIUM, launch, watch_csp


# Module scope: only one Playwright sync driver may be open at a time in a process, and
# other test folders (tests/realtime) start their own.
@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make install-system` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture()
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    violations = watch_csp(context)
    page = context.new_page()
    page.csp_violations = violations
    yield page
    context.close()
    assert violations == [], "the page broke its Content-Security-Policy"


@pytest.fixture()
def tools(factory) -> dict:
    """A Main Warehouse holding two items of the Tools category: 10 claw hammers, 4 rubber mallets."""
    main = factory.location("Main Warehouse")
    category = factory.category("Tools")
    return {
        "main": main,
        "category": category,
        "hammer": factory.item(name="Claw Hammer", category_id=category.id, location=main, quantity=10),
        "mallet": factory.item(name="Rubber Mallet", category_id=category.id, location=main, quantity=4),
    }
