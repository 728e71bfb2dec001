"""One page of query results, with the total for page links; deep pages by keyset (a cursor)."""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int
    # With a keyset sort: (sort value, id) of the last row when another page follows, and that
    # position as the opaque cursor the caller answers with (item_list.list_items makes it).
    next_key: tuple | None = None
    next_cursor: str | None = None

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0


def page_of(rows: list, *, page: int, per_page: int) -> Page:
    """One page of a list already small enough to hold (a grouped report's rows)."""
    start = (page - 1) * per_page
    return Page(items=rows[start : start + per_page], total=len(rows), page=page, per_page=per_page)


def paginate(query: sa.Select, count_query: sa.Select, *, page: int, per_page: int) -> Page:
    total = db.session.execute(count_query).scalar_one()
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items=list(rows), total=total, page=page, per_page=per_page)


def encode_cursor(position: dict[str, Any]) -> str:
    """A position as an opaque, URL-safe token (base64 of JSON). Not signed: a forged one can only
    name another position in the same list, which the caller may read anyway."""
    return base64.urlsafe_b64encode(json.dumps(position, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(token: str) -> dict[str, Any]:
    """encode_cursor's position back. Raises ValueError for anything else."""
    try:
        position = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("not a cursor") from exc
    if not isinstance(position, dict):
        raise ValueError("not a cursor")
    return position


def paginate_rows(
    model: type,
    conditions: list,
    sort_key: sa.ColumnElement,
    *,
    descending: bool,
    total: int | sa.Select,
    page: int,
    per_page: int,
    after: tuple | None = None,
) -> Page:
    """A page of `model` rows matching `conditions`, ordered by `sort_key` then id.

    With a known `total` (a maintained counter) the page's ids are found first and only
    its rows loaded ("late row lookup"): with a covering index PostgreSQL skips the rows
    before a deep page inside the index (index-only scan) and reads just `per_page` rows.

    Otherwise (`total` is a count query) the matches are collected once, as a
    MATERIALIZED CTE, and both the page and its exact total come from them with
    `count(*) OVER ()`. Materializing keeps PostgreSQL from walking a sort index over
    the whole table when it misjudges how many rows a trigram search matches: the
    window needs every match anyway, so the best plan finds them by the filter's own
    index, then sorts only those.

    `after` (the (sort value, id) of the previous page's last row, for page `page`) starts the
    page there instead of skipping `offset` rows: a row comparison the sort index answers
    directly, so page 100 of a site costs what page 1 costs. `sort_key` must then be a column
    of `model` (the last row's value is read from it).
    """
    offset = 0 if after else (page - 1) * per_page
    direction = (lambda column: column.desc()) if descending else (lambda column: column.asc())

    def beyond(key: sa.ColumnElement, ids: sa.ColumnElement) -> list:
        if after is None:
            return []
        here = sa.tuple_(key, ids)
        there = sa.tuple_(sa.literal(after[0], sort_key.type), sa.literal(after[1], model.id.type))
        return [here < there if descending else here > there]

    if isinstance(total, int):
        if after is None and offset >= total:
            return Page(items=[], total=total, page=page, per_page=per_page)
        ordering = [direction(sort_key), direction(model.id)]
        page_ids = (
            sa.select(model.id)
            .where(*conditions, *beyond(sort_key, model.id))
            .order_by(*ordering)
            .limit(per_page)
            .offset(offset)
        )
        rows = db.session.execute(
            sa.select(model).where(model.id.in_(page_ids.scalar_subquery())).order_by(*ordering)
        ).scalars()
        return _with_next(Page(items=list(rows), total=total, page=page, per_page=per_page), sort_key)
    matches = (
        sa.select(model.id.label("id"), sort_key.label("sort_key"))
        .where(*conditions)
        .cte("matches")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    # The window counts every match before the keyset narrows them: the total stays the list's.
    numbered = sa.select(matches.c.id, matches.c.sort_key, sa.func.count().over().label("total")).subquery()
    found = db.session.execute(
        sa.select(numbered.c.id, numbered.c.total)
        .where(*beyond(numbered.c.sort_key, numbered.c.id))
        .order_by(direction(numbered.c.sort_key), direction(numbered.c.id))
        .limit(per_page)
        .offset(offset)
    ).all()
    if not found:  # past the end (or nothing matches): the window gave no total
        return Page(items=[], total=db.session.execute(total).scalar_one(), page=page, per_page=per_page)
    by_id = {
        row.id: row for row in db.session.execute(sa.select(model).where(model.id.in_([r[0] for r in found]))).scalars()
    }
    return _with_next(
        Page(items=[by_id[r[0]] for r in found], total=found[0][1], page=page, per_page=per_page), sort_key
    )


def _with_next(page: Page, sort_key: sa.ColumnElement) -> Page:
    """Set next_key when rows follow this full page (the exact total says so) and the sort is a
    plain column of the rows."""
    key = getattr(sort_key, "key", None)
    last = page.items[-1] if page.items else None
    full = last is not None and len(page.items) == page.per_page and page.page * page.per_page < page.total
    if full and key is not None and hasattr(last, key):
        page.next_key = (getattr(last, key), last.id)
    return page
