"""Page titles name the page once; a refused page explains itself in plain words."""

import re


def _title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def test_titles_do_not_repeat_the_app_name(as_role, factory):
    item = factory.item(name="Claw hammer")
    manager = as_role("manager")
    assert _title(manager.get("/items").text) == "Inventory"
    assert _title(manager.get("/dashboard").text) == "Dashboard · Inventory"
    assert _title(manager.get(f"/items/{item.id}").text) == "Claw hammer · Inventory"


def test_refused_page_says_who_you_are_and_what_to_do_once(as_role):
    staff = as_role("staff")
    refused = staff.get("/users")
    assert refused.status_code == 403
    text = refused.text
    assert "You can&#39;t do that here" in text or "You can't do that here" in text
    assert f"You are signed in as {staff.user.full_name} (staff)" in text
    assert "ask a manager or an administrator to change your role" in text
    assert "Your role does not allow this action." not in text  # not the same refusal twice
