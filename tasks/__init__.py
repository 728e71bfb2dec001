"""Celery tasks: thin wrappers that call app.services. Tasks take ids, never ORM objects."""
