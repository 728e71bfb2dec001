"""Spreadsheet imports of items and stock: upload, mapping, dry run, run in batches, cancel.

uploaded -> validating -> validated -> running -> done | failed; cancelled from any state
before done. The dry run reads every row and changes nothing. The run applies rows in
batches of IMPORT_BATCH_SIZE, each batch one unit of work that also moves
`applied_through`: a worker killed mid-batch loses only that uncommitted batch, and the
redelivered task resumes after the last committed one, so each row applies exactly once.
Ledger rows written by an import carry request_id "import-<id>" (the ledger filter).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask import current_app, g

from app.errors import DomainError, InvalidState, PayloadTooLarge, QueueUnavailable, ValidationFailed
from app.extensions import db
from app.jobs import RUN_IMPORT, VALIDATE_IMPORT
from app.models import Import, ImportState, User
from app.models.base import utcnow
from app.services.imports import files as import_files
from app.services.imports import rows as import_rows
from app.services.lookup import get_or_404, lock_or_404
from app.services.uow import unit_of_work

PREVIEW_ROWS = 20
CHUNK = 1000  # rows planned per query in the dry run
# Where each row of a run ends up; they add up to the rows planned (checked at the end).
APPLIED = ("created", "updated", "unchanged", "skipped", "failed")
EDITABLE = (ImportState.UPLOADED, ImportState.VALIDATED, ImportState.FAILED)

log = logging.getLogger(__name__)


class CountMismatch(RuntimeError):
    """A batch's rows did not each land in exactly one applied count: a bug, failing the run loudly."""


def ledger_tag(import_id: int) -> str:
    return f"import-{import_id}"


def upload(
    filename: str, content: bytes, *, actor: User, sheet: str | None = None, options: dict | None = None
) -> Import:
    """Store a file and propose a mapping; validate at once when SKU and name are mapped.

    Raises PayloadTooLarge, ValidationFailed (empty, not CSV/XLSX, no header, unknown sheet, zip bomb).
    """
    limit = current_app.config["IMPORT_MAX_BYTES"]
    if len(content) > limit:
        raise PayloadTooLarge(
            f"The file is {len(content):,} bytes; the limit is {limit:,}.", fields={"file": ["The file is too large."]}
        )
    fmt = import_files.file_format(filename, content)
    if fmt == "xlsx":
        import_files.check_archive(content, filename)
    opened = import_files.open_sheet(content, fmt, sheet or None, max_columns=current_app.config["IMPORT_MAX_COLUMNS"])
    with unit_of_work():
        record = Import(
            kind="items",
            state=ImportState.UPLOADED,
            user_id=actor.id,
            filename=filename.replace("\x00", "")[:255] or "upload",
            file_format=fmt,
            sheet=opened.sheet,
            sheets=opened.sheets,
            size=len(content),
            content=content,
            columns=opened.headers,
            mapping=import_rows.propose_mapping(opened.headers),
            options={k: bool(v) for k, v in (options or {}).items()},
            counts={},
            applied={},
            errors={},
            preview=[],
        )
        ready = {"sku", "name"} <= set(record.mapping.values())
        record.message = None if ready else "Map the SKU and Name columns to start the dry run."
        db.session.add(record)
    return begin_validation(record.id) if ready else record


def get_import(import_id: int) -> Import:
    """Raises NotFound."""
    return get_or_404(Import, import_id)


def recent(limit: int = 20) -> list[Import]:
    """The newest imports, for the upload page."""
    return list(db.session.execute(sa.select(Import).order_by(Import.id.desc()).limit(limit)).scalars())


def set_mapping(import_id: int, mapping: dict[str, str | None], options: dict | None = None) -> Import:
    """Save an adjusted mapping ({header: field}) and validate again.

    Raises NotFound, InvalidState (running or finished), ValidationFailed (unknown header or field,
    a field mapped twice, no SKU column).
    """
    with unit_of_work():
        record = _lock(import_id)
        if record.state not in EDITABLE:
            raise InvalidState(f"Import {import_id} is {record.state}; its mapping can no longer change.")
        cleaned = _check_mapping(record, mapping)
        record.mapping = cleaned
        if options is not None:
            record.options = {**record.options, **{k: bool(v) for k, v in options.items()}}
    return begin_validation(import_id)


def _check_mapping(record: Import, mapping: dict[str, str | None]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    cleaned = {header: name for header, name in mapping.items() if name}
    for header, name in cleaned.items():
        if header not in record.columns:
            errors.setdefault("mapping", []).append(f"The file has no column {header!r}.")
        if name not in import_rows.FIELDS:
            errors.setdefault("mapping", []).append(f"{name!r} is not a field ({', '.join(import_rows.FIELDS)}).")
    used = list(cleaned.values())
    for name in sorted({n for n in used if used.count(n) > 1}):
        errors.setdefault("mapping", []).append(f"{import_rows.FIELDS.get(name, name)} is mapped from two columns.")
    if "sku" not in used:
        errors.setdefault("mapping", []).append("Map a column to SKU: rows are matched on it.")
    if errors:
        raise ValidationFailed("The mapping cannot be used. " + " ".join(errors["mapping"]), fields=errors)
    return cleaned


def begin_validation(import_id: int) -> Import:
    """Run the dry run now for a small file, or hand it to a worker. Raises NotFound, QueueUnavailable."""
    with unit_of_work():
        record = _lock(import_id)
        before, record.state = record.state, ImportState.VALIDATING
        record.message = None
        bound = current_app.config["IMPORT_INLINE_BYTES"]
        # Bounded by what is read, not what was sent: a small XLSX can hold a worker's worth of cells.
        inline = record.size <= bound and import_files.unpacked_size(record.content, record.file_format) <= bound
    if inline:
        return validate(import_id)
    _enqueue_or_restore(VALIDATE_IMPORT, import_id, ImportState.VALIDATING, before)
    return get_import(import_id)


def validate(import_id: int) -> Import:
    """The dry run: plan every row, count create/update/unchanged/errors, keep every error. Raises NotFound."""
    record = get_import(import_id)
    if record.state != ImportState.VALIDATING:
        return record
    header, columns = record.columns, _columns(record)
    duplicates = import_files.duplicates(_data_rows(record), columns)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}
    errors: dict[str, list[list[str]]] = {}
    preview: list[dict[str, Any]] = []
    catalogue = import_rows.Catalogue()
    total = 0
    for chunk in import_files.chunks(_data_rows(record), CHUNK):
        parsed = []
        for number, cells in chunk:
            values, cell_errors = import_rows.parse(cells, columns)
            parsed.append((number, values, cell_errors + duplicates.get(number, [])))
            if len(preview) < PREVIEW_ROWS:
                preview.append({"row": number, "cells": cells[: len(header)] + [""] * (len(header) - len(cells))})
        for p in import_rows.plan(parsed, catalogue, record.options):
            total += 1
            key = {"create": "created", "update": "updated", "unchanged": "unchanged", "error": "errors"}[p.action]
            counts[key] += 1
            if p.errors:
                errors[str(p.row)] = [[_header_of(record, name), message] for name, message in p.errors]
        db.session.rollback()  # the dry run only read: release the snapshot between chunks
    with unit_of_work():
        record = _lock(import_id)
        if record.state != ImportState.VALIDATING:
            return record  # cancelled or re-mapped meanwhile
        for entry in preview:
            marks: dict[str, str] = {}
            for column, message in errors.get(str(entry["row"]), []):
                marks[column] = f"{marks[column]} {message}" if column in marks else message
            entry["errors"] = marks
        record.state = ImportState.VALIDATED
        record.total_rows, record.counts, record.errors, record.preview = total, counts, errors, preview
        record.processed_rows = 0
    return record


def start(import_id: int, on_error: str = "stop") -> Import:
    """Queue the run. Raises NotFound, InvalidState (not validated; errors with on_error=stop), QueueUnavailable."""
    with unit_of_work():
        record = _lock(import_id)
        if record.state != ImportState.VALIDATED:
            raise InvalidState(f"Import {import_id} is {record.state}; only a validated import can run.")
        if record.counts.get("errors") and on_error == "stop":
            raise InvalidState(
                f"{record.counts['errors']} row(s) have errors: fix them, or run with on_error=skip to import the valid rows."
            )
        record.state, record.on_error, record.started_at = ImportState.RUNNING, on_error, utcnow()
        record.applied = dict.fromkeys(APPLIED, 0)
    _enqueue_or_restore(RUN_IMPORT, import_id, ImportState.RUNNING, ImportState.VALIDATED)
    return record


def _enqueue_or_restore(task_name: str, import_id: int, state: str, before: str) -> None:
    """Hand the import to a worker after its commit; if the queue cannot take it, put the import
    back as it was, so it never waits for a job that was never queued. Raises QueueUnavailable."""
    from app.jobs import enqueue

    try:
        enqueue(task_name, import_id)
    except Exception as exc:  # the broker (Redis) is down or refused the message
        log.warning("could not queue %s for import %s: %s", task_name, import_id, exc)
        with unit_of_work():
            record = _lock(import_id)
            if record.state == state:  # nothing started it meanwhile
                record.state = before
        raise QueueUnavailable(
            "The job queue is not reachable right now; nothing was started. Try again in a minute.",
            retry_after=60,
        ) from exc


def cancel(import_id: int) -> Import:
    """Stop an import; batches already committed stay applied. Raises NotFound, InvalidState (finished)."""
    with unit_of_work():
        record = _lock(import_id)
        if record.state in (ImportState.DONE, ImportState.FAILED, ImportState.CANCELLED):
            raise InvalidState(f"Import {import_id} is already {record.state}.")
        record.state, record.finished_at = ImportState.CANCELLED, utcnow()
    return record


def run(import_id: int) -> Import:
    """The worker's part: apply the rows after `applied_through`, one batch per unit of work. Raises NotFound."""
    record = get_import(import_id)
    if record.state != ImportState.RUNNING:
        return record
    actor = db.session.get(User, record.user_id)
    columns, size, skip = _columns(record), current_app.config["IMPORT_BATCH_SIZE"], record.on_error == "skip"
    bad_rows = {int(n) for n in record.errors}
    catalogue = import_rows.Catalogue()
    catalogue.hold()
    g.request_id = ledger_tag(import_id)  # the ledger rows of this import carry its tag
    done_through = record.applied_through
    rows = ((n, cells) for n, cells in _data_rows(record) if n > done_through)
    try:
        for batch in import_files.chunks(rows, size):
            if not _apply_batch(import_id, batch, columns, bad_rows, catalogue, actor, skip):
                return get_import(import_id)
    except DomainError as exc:
        db.session.rollback()
        return _finish(import_id, ImportState.FAILED, f"Stopped: {exc.message} Nothing of that batch was applied.")
    except CountMismatch as exc:
        db.session.rollback()
        log.error("import %s: %s", import_id, exc)
        return _finish(import_id, ImportState.FAILED, f"Stopped: {exc} Nothing of that batch was applied.")
    except Exception:
        # Anything else would leave the import `running` for good: no task retries it.
        db.session.rollback()
        log.exception("import %s stopped by an unexpected error", import_id)
        return _finish(
            import_id, ImportState.FAILED, "Stopped by an unexpected error; nothing of that batch was applied."
        )
    record = get_import(import_id)
    if sum(record.applied.values()) != record.total_rows:
        log.error("import %s: applied %s does not add up to %s rows", import_id, record.applied, record.total_rows)
        return _finish(
            import_id,
            ImportState.FAILED,
            f"The run's counts ({_said(record.applied)}) do not add up to the {record.total_rows} rows planned.",
        )
    return _finish(import_id, ImportState.DONE, None)


def _said(applied: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in applied.items())


def _apply_batch(import_id, batch, columns, bad_rows, catalogue, actor, skip) -> bool:
    """One batch in one transaction, `applied_through` included; False when the import was cancelled.

    Every row of the batch lands in exactly one of the applied counts, and every row not
    applied (skipped: its errors; failed: refused while applying) has its reason in `errors`.
    """
    with unit_of_work():
        record = _lock(import_id)
        if record.state != ImportState.RUNNING:
            return False
        # A redelivered task can run beside the first one: rows a twin applied meanwhile are
        # known only under the lock, so each row is applied exactly once whichever run gets it.
        batch = [(number, cells) for number, cells in batch if number > record.applied_through]
        if not batch:
            return True
        parsed = []
        applied = {**dict.fromkeys(APPLIED, 0), **record.applied}
        before = sum(applied.values())
        errors = dict(record.errors)
        for number, cells in batch:
            if number in bad_rows:
                applied["skipped"] += 1
                continue
            values, cell_errors = import_rows.parse(cells, columns)
            parsed.append((number, values, cell_errors))
        plans = import_rows.plan(parsed, catalogue, record.options)
        if not skip:
            for p in plans:
                if p.action == "error":
                    raise ValidationFailed(f"Row {p.row}: {p.errors[0][1]}")
            # The whole batch at once; any refusal rolls it back and stops the import.
            import_rows.apply_many(plans, catalogue, actor=actor, note=f"Import #{import_id}")
        for p in plans:
            if p.action == "error":  # the database changed since the dry run
                errors[str(p.row)] = [[_header_of(record, name), message] for name, message in p.errors]
                applied["skipped"] += 1
                continue
            if skip and p.action != "unchanged":
                refused = import_rows.apply_alone(p, catalogue, actor=actor, note=f"Import #{import_id}, row {p.row}")
                if refused is not None:
                    errors[str(p.row)] = [_reason(record, refused)]
                    applied["failed"] += 1
                    continue
            applied[{"create": "created", "update": "updated", "unchanged": "unchanged"}[p.action]] += 1
        if sum(applied.values()) - before != len(batch):
            raise CountMismatch(f"A batch of {len(batch)} rows was counted as {sum(applied.values()) - before}.")
        record.applied, record.errors = applied, errors
        record.applied_through = batch[-1][0]
        record.processed_rows += len(batch)
    return True


def _reason(record: Import, exc: DomainError) -> list[str]:
    fields = exc.fields or {}
    name = next(iter(fields), None)
    column = _header_of(record, name) if name in import_rows.FIELDS else "Row"
    return [column, exc.message]


def _finish(import_id: int, state: str, message: str | None) -> Import:
    with unit_of_work():
        record = _lock(import_id)
        if record.state == ImportState.RUNNING:
            record.state, record.message, record.finished_at = state, message, utcnow()
    return record


def error_rows(import_id: int) -> tuple[list[str], Iterator[list[str]]]:
    """The header and every row with an error, as read, with the row number and why. Raises NotFound."""
    record = get_import(import_id)
    errors, width = record.errors, len(record.columns)
    numbered = import_files.numbered(
        record.content, record.file_format, record.sheet
    )  # read now: the rows stream later

    def rows() -> Iterator[list[str]]:
        for number, cells in numbered:
            found = errors.get(str(number))
            if found:
                why = "; ".join(f"{column}: {message}" for column, message in found)
                yield [str(number), *cells[:width], why]

    return ["Row", *record.columns, "Errors"], rows()


def progress(record: Import) -> dict[str, Any]:
    """Rows per second and seconds left, from the run's start."""
    if record.state != ImportState.RUNNING or not record.started_at or not record.processed_rows:
        return {"rate": None, "seconds_left": None}
    elapsed = max((utcnow() - record.started_at).total_seconds(), 0.001)
    rate = record.processed_rows / elapsed
    return {"rate": round(rate, 1), "seconds_left": round((record.total_rows - record.processed_rows) / rate, 1)}


def _lock(import_id: int) -> Import:
    return lock_or_404(Import, import_id)


def _columns(record: Import) -> dict[str, int]:
    return {name: record.columns.index(header) for header, name in record.mapping.items() if header in record.columns}


def _header_of(record: Import, name: str) -> str:
    return next((h for h, n in record.mapping.items() if n == name), import_rows.FIELDS.get(name, name))


def _data_rows(record: Import) -> Iterator[tuple[int, list[str]]]:
    return import_files.numbered(record.content, record.file_format, record.sheet)
