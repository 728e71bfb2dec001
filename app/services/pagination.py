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


def paginate(query: sa.Select, count_query: sa.Select, *, page: int, per_page: int) -> Page:
    total = db.session.execute(count_query).scalar_one()
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return Page(items=list(rows), total=total, page=page, per_page=per_page)


def paginate_rows(
    model: type, ids_query: sa.Select, ordering: list, total: int | sa.Select, *, page: int, per_page: int
) -> Page:
    """A page found on ids first, then only its rows loaded ("late row lookup").

    `ids_query` selects the ordered primary keys; with a covering index PostgreSQL skips
    the rows before a deep page inside the index (index-only scan) and reads just
    `per_page` rows from the table. `total` is a number known already (a maintained
    counter), or a count query: then the ids come with `count(*) OVER ()`, so the
    matches (a search's, say) are found once for both the page and its total.
    """
    offset = (page - 1) * per_page
    if isinstance(total, int):
        if offset >= total:
            return Page(items=[], total=total, page=page, per_page=per_page)
        page_ids = ids_query.limit(per_page).offset(offset).scalar_subquery()
        rows = db.session.execute(sa.select(model).where(model.id.in_(page_ids)).order_by(*ordering)).scalars().all()
        return Page(items=list(rows), total=total, page=page, per_page=per_page)
    found = db.session.execute(ids_query.add_columns(sa.func.count().over()).limit(per_page).offset(offset)).all()
    if not found:  # past the end (or nothing matches): the window gave no total
        return Page(items=[], total=db.session.execute(total).scalar_one(), page=page, per_page=per_page)
    by_id = {
        row.id: row for row in db.session.execute(sa.select(model).where(model.id.in_([r[0] for r in found]))).scalars()
    }
    return Page(items=[by_id[r[0]] for r in found], total=found[0][1], page=page, per_page=per_page)
