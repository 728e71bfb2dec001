"""One page of query results, with the total for page links."""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

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


def paginate_rows(
    model: type,
    conditions: list,
    sort_key: sa.ColumnElement,
    *,
    descending: bool,
    total: int | sa.Select,
    page: int,
    per_page: int,
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
    """
    offset = (page - 1) * per_page
    direction = (lambda column: column.desc()) if descending else (lambda column: column.asc())
    if isinstance(total, int):
        if offset >= total:
            return Page(items=[], total=total, page=page, per_page=per_page)
        ordering = [direction(sort_key), direction(model.id)]
        page_ids = sa.select(model.id).where(*conditions).order_by(*ordering).limit(per_page).offset(offset)
        rows = db.session.execute(
            sa.select(model).where(model.id.in_(page_ids.scalar_subquery())).order_by(*ordering)
        ).scalars()
        return Page(items=list(rows), total=total, page=page, per_page=per_page)
    matches = (
        sa.select(model.id.label("id"), sort_key.label("sort_key"))
        .where(*conditions)
        .cte("matches")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    found = db.session.execute(
        sa.select(matches.c.id, sa.func.count().over())
        .order_by(direction(matches.c.sort_key), direction(matches.c.id))
        .limit(per_page)
        .offset(offset)
    ).all()
    if not found:  # past the end (or nothing matches): the window gave no total
        return Page(items=[], total=db.session.execute(total).scalar_one(), page=page, per_page=per_page)
    by_id = {
        row.id: row for row in db.session.execute(sa.select(model).where(model.id.in_([r[0] for r in found]))).scalars()
    }
    return Page(items=[by_id[r[0]] for r in found], total=found[0][1], page=page, per_page=per_page)
