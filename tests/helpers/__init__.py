"""Shared test helpers, imported by test modules and conftest files alike (never from a conftest).

api        Api (a JSON client with a bearer token per role), error_of, all_keys, db_scalar, PASSWORD
pages      PageClient (logs in through the form, posts with the page's CSRF token), csrf_from
world      World and build_world: one object of each kind for path templates and bodies
factories  Factory: test data made through the real services (factory.actor, factory.shelf); as_actor
cleanup    empty_database: the one way the database is emptied between tests
database   BACKEND (postgresql or sqlite), pg_admin(), MIGRATIONS, blank_database, app_on
queries    counted_queries: the SQL statements a block runs
tasks      wait_for, alert_for, outbox_rows (the pipeline tests)
concurrency race (callables released together, in threads) and post_together (HTTP requests at once)
http       call, free_port, serving (a server process until it answers)
codes      read_pdf_codes: rasterise a PDF with poppler's pdftoppm, decode every code with zxing-cpp
"""
