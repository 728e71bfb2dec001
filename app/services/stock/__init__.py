"""The stock core: every change of a stock quantity happens in this package.

Layout (the hot path first):
- locks.py: row locks in one order: the item's row, then its levels (a missing level is created
  under the item's lock); batches lock their items in id order, then levels in (item, location) order.
- write.py: `apply_movement`, the one primitive every verb ends in: check the upper limit, write the
  levels, the item's total and one ledger row per level, note the counters' change
  (app/services/counters.py `note_movement`), queue the `stock_changed` events (sent after commit),
  raise or resolve the low-stock alert. It is also the one place that keeps the loaded ORM objects
  in step with the SQL it wrote.
- verbs.py: restock, withdraw, transfer, adjust; each one transaction (app/services/uow.py).
- batches.py: apply_lines (requests, scan batches), add_lines (receipts), count_lines, apply_count; lot_counts.py: apply_lot_count (a count's lot lines).
- ledger.py: every column of a ledger row filled in one place; the `stock_changed` payload.
- reads.py: stock per location (per location and lot for lot items), one level's quantity; nothing there writes.
- tracked.py, lots.py, serials.py: the verbs' work for lot- and serial-tracked items (issue 27,
  docs/lots.md): FEFO picking, a lot's level per place beside the stock level, one ledger row per
  lot or unit. Untracked items never enter them.

Why the hot path is written by hand. A withdrawal is what the floor does all day, so it is written
with Core statements built once instead of the ORM's unit of work (a flush with attribute history
and the counters' flush listeners cost more than the SQL): 5 statements on PostgreSQL (was 9 plus
4 extra round trips): the item's row lock, one statement locking every level of the item (it also
answers the stock per location), one `WITH (UPDATE level), (UPDATE item) INSERT ledger RETURNING id`,
the counter upserts as one statement at commit, and the commit. Measured with `make bench` at
1,000,000 items (bench/results/2026-11-30-1000000.json): withdrawal median 5.9 ms over HTTP (was
8.2), in-process 4.8 ms (was 7.5). Because no flush writes the new quantities, the loaded objects
take them as committed state (write.py `_as_committed`) and a rolled-back savepoint expires them.

Adding a column to a movement (a lot id, a serial): add it to the ledger (ledger.py `LEDGER_REFS`
or a column of its own), pass it through `apply_movement`'s `refs`, and lock what it needs in
locks.py in the same order (item, then level, then the new row); tests/api/test_query_counts.py
counts the statements.
"""

from app.services.stock.batches import add_lines, apply_count, apply_lines, count_lines
from app.services.stock.ledger import ledger_row, record, stock_changed_payload
from app.services.stock.locks import lock_item
from app.services.stock.lot_counts import apply_lot_count
from app.services.stock.reads import item_with_stock, level_quantity, lot_stock, stock_by_location, stock_of
from app.services.stock.verbs import adjust, check_different_places, restock, transfer, withdraw
from app.services.stock.write import Movement, place_initial, place_initial_many

__all__ = [
    "Movement",
    "add_lines",
    "adjust",
    "apply_count",
    "apply_lot_count",
    "apply_lines",
    "check_different_places",
    "count_lines",
    "item_with_stock",
    "ledger_row",
    "level_quantity",
    "lock_item",
    "place_initial",
    "place_initial_many",
    "record",
    "restock",
    "lot_stock",
    "stock_by_location",
    "stock_of",
    "stock_changed_payload",
    "transfer",
    "withdraw",
]
