"""Which pages each role may open, and what each role is shown."""

import pytest

ROLES = ("staff", "manager", "admin")
# path template -> the lowest role that may open it
PAGES = {
    "/dashboard": "staff",
    "/dashboard/figures": "staff",
    "/items": "staff",
    "/items/{item}": "staff",
    "/scan": "staff",
    "/items/new": "manager",
    "/items/{item}/edit": "staff",  # staff get the short form (description, home, unit, threshold)
    "/items/{item}/delete": "manager",
    "/categories": "staff",
    "/categories/{category}/edit": "manager",
    "/locations": "staff",
    "/locations/{location}": "staff",
    "/locations/{location}/edit": "manager",
    "/alerts": "manager",
    "/activity": "manager",
    "/imports": "manager",
    "/users": "manager",
    "/users/{user}": "manager",
}


@pytest.fixture()
def world(factory):
    location = factory.location("Main")
    category = factory.category("Tools")
    item = factory.item(quantity=5, location=location, category_id=category.id, name="Hammer")
    return {"item": item.id, "category": category.id, "location": location.id, "user": factory.user("staff").id}


@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_by_role(as_role, world, role):
    client = as_role(role)
    for template, lowest in PAGES.items():
        response = client.get(template.format(**world))
        allowed = ROLES.index(role) >= ROLES.index(lowest)
        assert response.status_code == (200 if allowed else 403), (template, role)
        if not allowed:
            assert "You can&#39;t do that here" in response.text or "You can't do that here" in response.text


def test_sidebar_shows_only_pages_the_role_may_open(as_role):
    staff_page = as_role("staff").get("/dashboard").text
    manager_page = as_role("manager").get("/dashboard").text
    for label in ("Dashboard", "Inventory", "Categories", "Locations"):
        assert f">{label}</a>" in staff_page
    for label in ("Alerts", "Activity", "Users"):
        assert f">{label}</a>" not in staff_page
        assert f">{label}</a>" in manager_page


def test_staff_sees_no_manager_actions(as_role, world):
    staff = as_role("staff")
    listing = staff.get("/items").text
    assert "New item" not in listing
    detail = staff.get(f"/items/{world['item']}").text
    assert "Restock" in detail and "Withdraw" in detail and "Transfer" in detail
    for manager_only in ("Delete", "Record count"):
        assert manager_only not in detail
    assert ">Edit<" in detail  # the short form: see tests/web/test_item_pages.py
    assert "Rename" not in staff.get("/categories").text


def test_manager_sees_manager_actions(as_role, world):
    manager = as_role("manager")
    assert "New item" in manager.get("/items").text
    detail = manager.get(f"/items/{world['item']}").text
    assert ">Edit<" in detail and "Delete…" in detail and "Record count" in detail


def test_staff_posting_a_manager_action_gets_403_and_nothing_changes(as_role, world):
    staff = as_role("staff")
    response = staff.post(f"/items/{world['item']}/delete")
    assert response.status_code == 403
    assert staff.get(f"/items/{world['item']}").status_code == 200


def test_unknown_page_shows_friendly_404(as_role):
    response = as_role("staff").get("/items/999999")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_layout_carries_the_live_update_hooks(as_role, world):
    client = as_role("staff")
    page = client.get("/dashboard").text
    assert 'id="live-indicator"' in page and 'id="toasts"' in page
    assert f'data-user-email="{client.user.email}"' in page
    for stat in (
        "total_items",
        "low_stock_items",
        "open_alerts",
        "unacknowledged_alerts",
        "total_value",
    ):
        assert f'data-stat="{stat}"' in page
    listing = client.get("/items").text
    assert f'id="item-row-{world["item"]}" data-item-id="{world["item"]}"' in listing
    detail = client.get(f"/items/{world['item']}").text
    assert f'data-item-id="{world["item"]}"' in detail
    assert f'data-location-id="{world["location"]}"' in detail and 'data-field="location-quantity"' in detail
