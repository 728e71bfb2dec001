"""Scanning and labels (a feature): what a scanned text names, a scan session's batch of
movements, and printable QR labels of items and locations.

Owns: nothing stored beyond the ledger rows its batches write through the stock core.
May call: the shared core (stock, items, barcodes, uow) and counts (a Count batch).
"""
