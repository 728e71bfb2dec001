"""The pipeline's pages: outbox for admins, backups and reports for managers."""

from __future__ import annotations


def test_outbox_page_lists_development_emails_for_admins_only(app, factory):
    from app.services.mailer import Email, deliver

    email = Email(to="someone@example.com", subject="Hello there", text="Body text")
    with app.app_context():
        assert deliver("test:1", email)
        assert not deliver("test:1", email)  # once per key and recipient
    client = app.test_client()
    page = client.get("/outbox", headers=factory.headers("admin"))
    assert page.status_code == 200
    assert "someone@example.com" in page.text and "Hello there" in page.text and "outbox only" in page.text
    assert page.text.count("Hello there") == 1
    assert client.get("/outbox", headers=factory.headers("manager")).status_code == 403


def test_backups_page_shows_age_of_newest_backup_to_managers(app, factory, tmp_path):
    from app.services import backups

    app.config["BACKUP_DIR"] = str(tmp_path)
    with app.app_context():
        assert backups.run_backup().outcome == "success"
    client = app.test_client()
    page = client.get("/backups", headers=factory.headers("manager"))
    assert page.status_code == 200
    assert "Newest successful backup: <strong>just now</strong>" in page.text
    assert str(tmp_path) not in page.text and "in the backup folder" in page.text  # where, never the server path
    assert client.get("/backups", headers=factory.headers("staff")).status_code == 403
    assert client.get("/reports", headers=factory.headers("staff")).status_code == 403
