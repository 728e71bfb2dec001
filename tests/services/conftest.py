"""Service tests: the quicker database cleanup and password hashing of tests/api."""

from tests.api.conftest import _clean_database, _quick_password_hashes  # noqa: F401 - fixtures
