"""The page tests' client: logs in through the real form and posts with the page's CSRF token."""

from __future__ import annotations

import re

TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_from(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


class PageClient:
    """A test client that logs in through the real form and posts with the page's CSRF token."""

    def __init__(self, client) -> None:
        self.client = client
        self.token = None

    def login(self, user, password: str = "password123"):
        page = self.client.get("/login")
        response = self.client.post(
            "/login", data={"email": user.email, "password": password, "csrf_token": csrf_from(page.text)}
        )
        self.token = csrf_from(self.client.get("/login", follow_redirects=True).text)
        return response

    def get(self, *args, **kwargs):
        return self.client.get(*args, **kwargs)

    def post(self, url: str, data: dict | None = None, *, csrf: bool = True, htmx: bool = False, **kwargs):
        data = dict(data or {})
        headers = kwargs.pop("headers", {})
        if csrf and htmx:
            headers["X-CSRFToken"] = self.token
        elif csrf:
            data.setdefault("csrf_token", self.token)
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(url, data=data, headers=headers, **kwargs)
