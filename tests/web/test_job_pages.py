"""'Back up now' (admins) and 'Generate now' (managers): queued from the page, progress and result live."""

import re
from datetime import UTC, datetime, timedelta

from app.services.backups import readable_age, readable_size
from tests.helpers.events import collecting


def test_back_up_now_is_offered_to_admins_only_and_says_it_is_queued(as_role):
    assert "Back up now" not in as_role("manager").get("/backups").text
    admin = as_role("admin")
    page = admin.get("/backups").text
    assert "Back up now</button>" in page and 'data-job-status="backup"' in page
    started = admin.post("/backups/run", {}, follow_redirects=True)
    assert started.status_code == 200 and started.request.path == "/backups"
    assert "Backup queued: waiting for the worker" in started.text
    assert "js/jobs.js" in started.text  # the script that shows progress and the result live


def test_backup_announces_progress_and_result_and_the_page_shows_size_and_age_not_paths(
    app, as_role, tmp_path, monkeypatch
):
    import tasks.backups

    folder = tmp_path / "secret-server-folder"
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(folder))
    admin = as_role("admin")
    with app.app_context(), collecting(app) as seen:
        outcome = tasks.backups.run_backup.run()  # the task body, in this app (not the current Celery app's)
    assert outcome["outcome"] == "success"
    assert [name for name, _ in seen] == ["backup_started", "backup_finished"]
    finished = seen[1][1]
    assert finished["outcome"] == "success" and finished["stored"] == "the backup folder"
    assert re.fullmatch(r"[\d.,]+ (KB|MB)", finished["size"]) and str(folder) not in str(finished)
    page = admin.get("/backups").text
    assert str(folder) not in page and "secret-server-folder" not in page
    assert "Newest successful backup: <strong>just now</strong>" in page
    assert finished["file"] in page and f"{finished['size']}</td>" in page


def test_generate_now_queues_a_report_then_it_is_announced_and_listed(app, as_role):
    import tasks.reports

    manager = as_role("manager")
    assert "Generate now</button>" in manager.get("/reports").text
    started = manager.post("/reports/generate", {}, follow_redirects=True)
    assert "Report queued: waiting for the worker" in started.text
    with app.app_context(), collecting(app) as seen:
        report_id = tasks.reports.generate_valuation_report.run(datetime.now(UTC).isoformat())
    assert [name for name, _ in seen] == ["report_started", "report_ready"]
    assert seen[1][1]["report_id"] == report_id
    assert f'id="report-{report_id}"' in manager.get("/reports").text


def test_sizes_and_ages_read_like_words():
    assert readable_size(512) == "512 bytes"
    assert readable_size(1536) == "1.5 KB"
    assert readable_size(5 * 1024 * 1024) == "5.0 MB"
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert readable_age(now - timedelta(seconds=20), now) == "just now"
    assert readable_age(now - timedelta(minutes=5), now) == "5 min ago"
    assert readable_age(now - timedelta(hours=3, minutes=10), now) == "3 h 10 min ago"
    assert readable_age(now - timedelta(days=2, hours=1), now) == "2 days ago"
