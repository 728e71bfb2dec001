"""Spreadsheet imports (a feature): reading CSV/XLSX files, the mapping, the dry run, the run in
committed batches and its cancel.

Owns: Import rows and their files. May call: the shared core (items, catalog, barcodes,
locations, stock for first stock levels, uow). The one service that enqueues (recorded in
tests/test_layout.py): when the queue refuses the dry run or the run, the import must go back
to its state in the same call, so the hand-off lives with the state change.
"""
