"""Scheduled reports: the daily low-stock digest and the weekly inventory valuation (CSV)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app import events
from app.extensions import db
from app.models import Category, InventoryLog, Item, Location, LogAction, Report, StockLevel
from app.models.base import normalise, utcnow
from app.money import format_money
from app.services.lookup import get_or_404
from app.services.mailer import Email, deliver
from app.services.notifications import item_link, recipients
from app.services.quantities import show
from app.services.spreadsheets import csv_writer, neutralise_csv
from app.services.uow import unit_of_work

TOP_MOVERS = 10
MOVES = (LogAction.RESTOCK, LogAction.WITHDRAW, LogAction.TRANSFER, LogAction.ADJUST)

SectionRow = tuple[str, str, Decimal, Decimal]  # sku, name, units, value


@dataclass(frozen=True)
class ValuationSection:
    """Rows a feature adds to the weekly valuation, and the words its total takes in the summary."""

    rows: Callable[[], list[SectionRow]]
    summary: str  # "on order": "...; $1,234.00 on order"


# Features add sections here without the core importing them (purchasing adds "on_order",
# app/services/purchasing/reports.py); create_app imports the features that register.
SECTIONS: dict[str, ValuationSection] = {}


def calendar_month(column: sa.ColumnElement) -> sa.ColumnElement[str]:
    """A timestamp's calendar month in UTC as "2026-11", in the database's own words (for the
    reports grouped by month in SQL)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)  # SQLite keeps UTC


def add_valuation_section(name: str, rows: Callable[[], list[SectionRow]], summary: str) -> None:
    """Register a section of the weekly valuation (its CSV rows are named `name`)."""
    SECTIONS[name] = ValuationSection(rows, summary)


def low_stock_items() -> list[Item]:
    return list(
        db.session.execute(
            sa.select(Item)
            .where(Item.is_deleted.is_(False), Item.quantity < Item.low_stock_threshold)
            .order_by(Item.quantity - Item.low_stock_threshold, Item.sku)
        ).scalars()
    )


def send_low_stock_digest(today: str | None = None) -> int:
    """Email managers and admins the items below threshold (once a day; nothing when none is low). Raises SendError."""
    items = low_stock_items()
    if not items:
        return 0
    day = today or f"{utcnow():%Y-%m-%d}"
    lines = [
        f"- {i.name} ({i.sku}): {show(i.quantity, i.unit)}, threshold {show(i.low_stock_threshold)}  {item_link(i.id)}"
        for i in items
    ]
    text = f"{len(items)} item(s) are below their low-stock threshold on {day}:\n\n" + "\n".join(lines) + "\n"
    subject = f"Low-stock digest {day}: {len(items)} item(s)"
    return sum(deliver(f"digest:{day}", Email(to=to, subject=subject, text=text)) for to in recipients())


@dataclass
class Valuation:
    period_start: datetime
    period_end: datetime
    by_category: list[tuple[str, int, int, Decimal]] = field(default_factory=list)  # name, items, units, value
    by_location: list[tuple[str, int, int, Decimal]] = field(default_factory=list)
    top_movers: list[tuple[str, str, int, int]] = field(default_factory=list)  # sku, name, units moved, movements
    below_threshold: list[tuple[str, str, int, int]] = field(default_factory=list)  # sku, name, quantity, threshold
    # Sections features add (SECTIONS), by name: rows of sku, name, units, value.
    sections: dict[str, list[SectionRow]] = field(default_factory=dict)

    @property
    def on_order(self) -> list[SectionRow]:
        """Stock on order (sent purchase orders, not yet received), when purchasing is installed."""
        return self.sections.get("on_order", [])

    def section_value(self, name: str) -> Decimal:
        return sum((row[3] for row in self.sections.get(name, [])), Decimal("0"))

    @property
    def on_order_value(self) -> Decimal:
        return self.section_value("on_order")

    @property
    def total_value(self) -> Decimal:
        return sum((row[3] for row in self.by_category), Decimal("0"))

    @property
    def total_units(self) -> int:
        return sum(row[2] for row in self.by_category)


def valuation(period_end: datetime | None = None, days: int = 7) -> Valuation:
    """Stock value per category and per location now, and the movements of the `days` before `period_end`."""
    end = period_end or utcnow()
    result = Valuation(period_start=end - timedelta(days=days), period_end=end)
    live = Item.is_deleted.is_(False)
    value = sa.func.coalesce(sa.func.sum(Item.quantity * Item.price), 0)
    rows = db.session.execute(
        sa.select(
            sa.func.coalesce(Category.name, "(uncategorised)"),
            sa.func.count(Item.id),
            sa.func.coalesce(sa.func.sum(Item.quantity), 0),
            value,
        )
        .select_from(Item)
        .outerjoin(Category, Category.id == Item.category_id)
        .where(live)
        .group_by(Category.name)
        .order_by(Category.name)
    ).all()
    result.by_category = [(name, int(n), normalise(Decimal(units)), Decimal(v)) for name, n, units, v in rows]
    rows = db.session.execute(
        sa.select(
            Location.path,
            sa.func.count(sa.distinct(StockLevel.item_id)).filter(StockLevel.quantity > 0),
            sa.func.coalesce(sa.func.sum(StockLevel.quantity), 0),
            sa.func.coalesce(sa.func.sum(StockLevel.quantity * Item.price), 0),
        )
        .select_from(StockLevel)
        .join(Item, Item.id == StockLevel.item_id)
        .join(Location, Location.id == StockLevel.location_id)
        .where(live)
        .group_by(Location.path)
        .order_by(Location.path)
    ).all()
    result.by_location = [(name, int(n), normalise(Decimal(units)), Decimal(v)) for name, n, units, v in rows]
    # A transfer writes two ledger rows (-q, +q); count the units once, on the leaving side.
    counted = sa.or_(InventoryLog.action != LogAction.TRANSFER.value, InventoryLog.delta < 0)
    moved = sa.func.sum(sa.func.abs(InventoryLog.delta))
    rows = db.session.execute(
        sa.select(Item.sku, Item.name, moved, sa.func.count(InventoryLog.id))
        .join(Item, Item.id == InventoryLog.item_id)
        .where(
            InventoryLog.created_at >= result.period_start,
            InventoryLog.created_at < end,
            InventoryLog.action.in_([m.value for m in MOVES]),
            counted,
        )
        .group_by(Item.id, Item.sku, Item.name)
        .order_by(moved.desc(), Item.sku)
        .limit(TOP_MOVERS)
    ).all()
    result.top_movers = [(sku, name, normalise(Decimal(units)), int(n)) for sku, name, units, n in rows]
    result.below_threshold = [(i.sku, i.name, i.quantity, i.low_stock_threshold) for i in low_stock_items()]
    result.sections = {name: section.rows() for name, section in SECTIONS.items()}
    return result


def to_csv(report: Valuation) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["section", "name", "sku", "items", "units", "value", "movements", "threshold"])
    for name, n, units, value in report.by_category:
        writer.writerow(["category", name, "", n, units, f"{value:.2f}", "", ""])
    for name, n, units, value in report.by_location:
        writer.writerow(["location", name, "", n, units, f"{value:.2f}", "", ""])
    for sku, name, units, moves in report.top_movers:
        writer.writerow(["top_mover", name, sku, "", units, "", moves, ""])
    for sku, name, quantity, threshold in report.below_threshold:
        writer.writerow(["below_threshold", name, sku, "", quantity, "", "", threshold])
    for section, rows in report.sections.items():
        for sku, name, units, value in rows:
            writer.writerow([section, name, sku, "", units, f"{value:.2f}", "", ""])
    writer.writerow(
        [
            "total",
            "",
            "",
            sum(r[1] for r in report.by_category),
            report.total_units,
            f"{report.total_value:.2f}",
            "",
            "",
        ]
    )
    return out.getvalue()


def create_valuation_report(period_end: datetime | None = None, *, announce: bool = False) -> Report:
    """Build and store the valuation for the 7 days up to `period_end` (default: the end of today, UTC).

    One report per period: a second run (a retry, a redelivery) gets the stored one.
    announce: tell the Reports page live ("report_started", then "report_ready" after the commit).
    """
    end = period_end or utcnow().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    if announce:
        events.announce("report_started", {"period_end": end.isoformat()})
    existing = db.session.execute(
        sa.select(Report).where(Report.kind == "valuation", Report.period_end == end)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    data = valuation(end)
    extra = "".join(
        f"; {format_money(data.section_value(name))} {SECTIONS[name].summary}"
        for name, rows in data.sections.items()
        if rows and name in SECTIONS
    )
    report = Report(
        kind="valuation",
        period_start=data.period_start,
        period_end=end,
        filename=f"valuation-{data.period_start:%Y-%m-%d}-to-{end - timedelta(seconds=1):%Y-%m-%d}.csv",
        content=to_csv(data),
        summary=f"{data.total_units:,} units worth {format_money(data.total_value)}; {len(data.below_threshold)} item(s) below threshold{extra}",
        created_at=utcnow(),
    )
    try:
        with unit_of_work():
            db.session.add(report)
            db.session.flush()
            if announce:
                events.publish("report_ready", report_payload(report))
    except IntegrityError:  # a twin task stored it first
        return db.session.execute(
            sa.select(Report).where(Report.kind == "valuation", Report.period_end == end)
        ).scalar_one()
    return report


def send_valuation_report(report_id: int) -> int:
    """Email the stored report as a CSV attachment to managers and admins. Raises NotFound, SendError."""
    report = get_report(report_id)
    subject = f"Weekly inventory valuation {report.period_end:%Y-%m-%d}"
    text = f"{report.summary}.\n\nThe full report is attached ({report.filename}) and on the Reports page.\n"
    content, filename = neutralise_csv(report.content).encode("utf-8"), report.filename
    emails = [
        Email(to=to, subject=subject, text=text, attachment_name=filename, attachment=content) for to in recipients()
    ]
    return sum(deliver(f"report:{report_id}", email) for email in emails)


def report_payload(report: Report) -> dict:
    return {
        "report_id": report.id,
        "filename": report.filename,
        "summary": report.summary,
        "period_end": report.period_end.isoformat(),
    }


def list_reports(limit: int = 100) -> list[Report]:
    return list(db.session.execute(sa.select(Report).order_by(Report.period_end.desc()).limit(limit)).scalars())


def get_report(report_id: int) -> Report:
    """Raises NotFound."""
    return get_or_404(Report, report_id)
