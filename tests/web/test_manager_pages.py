"""Categories, locations, alerts, activity, users and the dashboard partials."""

from app.extensions import db
from app.models import Category, User


def test_category_create_rename_and_in_use_delete_explains(app, as_role, factory):
    client = as_role("manager")
    assert client.post("/categories", {"name": "Tools"}).status_code == 302
    with app.app_context():
        category_id = db.session.query(Category).filter_by(name="Tools").one().id
    factory.item(category_id=category_id)
    page = client.get("/categories").text
    assert "Tools" in page and '<td class="num">1</td>' in page
    refused = client.post(f"/categories/{category_id}/delete", follow_redirects=True)
    assert "Cannot delete" in refused.text and "still holds 1 active item" in refused.text
    assert client.post(f"/categories/{category_id}/edit", {"name": "Hand tools"}).status_code == 302
    assert "Hand tools" in client.get("/categories").text


def test_duplicate_category_name_shows_error_next_to_name(app, as_role, factory):
    factory.category("Tools")
    response = as_role("manager").post("/categories", {"name": "tools"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.text and "Already in use." in response.text
    with app.app_context():
        assert db.session.query(Category).count() == 1


def test_location_create_and_delete_empty(as_role):
    client = as_role("manager")
    client.post("/locations", {"name": "Annex", "address": "1 Road"})
    page = client.get("/locations").text
    assert "Annex" in page and "1 Road" in page
    location_id = int(page.split('id="location-')[1].split('"')[0])
    assert "archived" in client.post(f"/locations/{location_id}/delete", follow_redirects=True).text
    assert "Annex" not in client.get("/locations").text


def test_staff_cannot_create_categories(as_role, app):
    assert as_role("staff").post("/categories", {"name": "Nope"}).status_code == 403
    with app.app_context():
        assert db.session.query(Category).count() == 0


def test_alert_acknowledge_by_manager(as_role, factory):
    item = factory.item(quantity=10, low_stock_threshold=5, name="Glue")
    staff = as_role("staff")
    staff.post(f"/items/{item.id}/withdraw", {"withdraw-quantity": "8", "withdraw-location_id": item.location_id})
    manager = as_role("manager")
    page = manager.get("/alerts").text
    assert "Glue" in page and "Acknowledge</button>" in page
    alert_id = int(page.split('id="alert-')[1].split('"')[0])
    done = manager.post(f"/alerts/{alert_id}/acknowledge", follow_redirects=True)
    assert "Alert acknowledged." in done.text
    assert "Glue" in manager.get("/alerts?show=acknowledged").text
    still_open = manager.get("/alerts").text  # seen, but the item is still low: open until restocked
    assert "Glue" in still_open and "Acknowledge</button>" not in still_open
    assert "Glue" not in manager.get("/alerts?show=resolved").text


def test_activity_filters_by_user_and_action(as_role, factory):
    item = factory.item(quantity=10, name="Tape")
    staff = as_role("staff")
    staff.post(f"/items/{item.id}/withdraw", {"withdraw-quantity": "1", "withdraw-location_id": item.location_id})
    manager = as_role("manager")
    by_staff = manager.get(f"/activity?user={staff.user.id}").text
    assert "action-withdraw" in by_staff and "action-create" not in by_staff
    creates = manager.get("/activity?action=create").text
    assert "action-create" in creates and "action-withdraw" not in creates
    assert manager.get("/activity?since=2000-01-01&until=bad").status_code == 200


def test_users_create_change_role_deactivate_and_activity(app, as_role):
    manager = as_role("manager")
    bad = manager.post("/users", {"full_name": "Pat", "email": "pat@example.com", "password": "short", "role": "staff"})
    assert bad.status_code == 422 and 'id="password-error"' in bad.text and 'value="pat@example.com"' in bad.text
    with app.app_context():
        assert db.session.query(User).filter_by(email="pat@example.com").count() == 0
    assert (
        manager.post(
            "/users", {"full_name": "Pat", "email": "pat@example.com", "password": "long-enough", "role": "staff"}
        ).status_code
        == 302
    )
    with app.app_context():
        pat_id = db.session.query(User).filter_by(email="pat@example.com").one().id
    odd = manager.post(f"/users/{pat_id}/role", {"role": "owner"})
    assert odd.headers["Location"].endswith("/users") and "Choose a valid role." in manager.get("/users").text
    to_manager = manager.post(f"/users/{pat_id}/role", {"role": "manager", "back": f"/users/{pat_id}"})
    assert to_manager.headers["Location"].endswith(f"/users/{pat_id}")
    elsewhere = manager.post(f"/users/{pat_id}/active", {"active": "1", "back": "/items"})
    assert elsewhere.headers["Location"].endswith("/users")
    asked = manager.post(f"/users/{pat_id}/active", {"active": "0", "back": "/users"})
    assert asked.status_code == 200 and "Deactivate Pat?" in asked.text and "Yes, deactivate</button>" in asked.text
    assert 'name="confirmed" value="1"' in asked.text
    with app.app_context():
        assert db.session.get(User, pat_id).is_active  # asking changed nothing
    done = manager.post(f"/users/{pat_id}/active", {"active": "0", "confirmed": "1", "back": "/users"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/users")
    with app.app_context():
        pat = db.session.get(User, pat_id)
        assert pat.role == "manager" and not pat.is_active
    assert "Pat" in manager.get(f"/users/{pat_id}").text


def test_manager_cannot_offer_or_grant_admin_role(app, as_role):
    manager = as_role("manager")
    assert '<option value="admin"' not in manager.get("/users").text
    response = manager.post(
        "/users", {"full_name": "Eve", "email": "eve@example.com", "password": "long-enough", "role": "admin"}
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(User).filter_by(email="eve@example.com").count() == 0


def test_dashboard_figures_partial_and_chart_data(as_role, factory):
    factory.item(quantity=7, name="Glue")
    client = as_role("staff")
    figures = client.get("/dashboard/figures").text
    assert 'hx-trigger="every 30s"' in figures and 'data-stat-list="units_by_unit"><li>7 pcs</li>' in figures
    charts = client.get("/dashboard/charts").get_json()
    assert len(charts["movements"]) == 30 and charts["movements"][-1]["units_in"] == 7
    assert charts["categories"][0]["total_units"] == 7
