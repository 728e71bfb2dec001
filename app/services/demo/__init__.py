"""Demo data (a caller of the other services, used by `flask seed-demo` and `make run`): a
realistic data set made through the same services as real use, never direct writes.
"""
