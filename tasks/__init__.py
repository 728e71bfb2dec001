"""Celery tasks: thin wrappers that call app.services. Tasks take ids, never ORM objects."""

from tasks import backups, counts, email, imports, locations, reports  # noqa: F401  (registers the tasks with Celery)
