"""Stock counts (a feature): opening a count of a location's subtree, counting, the review and
its approval, cycle-count schedules, and what a count shows to whom.

Owns: StockCount, StockCountLine and the locations' count schedules.
May call: the shared core (stock verbs for the approval's adjustments, locations, items, uow,
pagination, quantities) and scanning.codes (a scanned code in a count line).
"""
