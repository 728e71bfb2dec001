"""Spreadsheet import pages (managers): upload -> mapping -> preview -> run with progress -> result."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from app.auth import current_actor
from app.permissions import Permission, require
from app.services.imports import rows as import_rows
from app.services.imports import runs as imports
from app.web.common import attempt
from app.web.imports.forms import ButtonForm, MappingForm, RunForm, UploadForm

bp = Blueprint("imports", __name__, url_prefix="/imports")


@bp.url_value_preprocessor
def _allow_spreadsheets(_endpoint, _values) -> None:
    # Before every before_request hook (CSRF reads the form): the upload limit, not the app's 1 MB.
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + 64 * 1024


@bp.route("", methods=["GET", "POST"])
@require(Permission.DATA_IMPORT)
def index():
    form = UploadForm()
    outcome = None
    if form.validate_on_submit():
        upload = form.file.data
        options = {"create_categories": form.create_categories.data, "create_locations": form.create_locations.data}
        outcome = attempt(
            lambda: imports.upload(
                upload.filename or "upload",
                upload.read(),
                actor=current_actor(),
                sheet=form.sheet.data or None,
                options=options,
            ),
            form,
            fallback_field="file",
        )
        if outcome.ok:
            return redirect(url_for("imports.show", import_id=outcome.value.id))
    status = 200 if request.method == "GET" else (outcome.status if outcome and not outcome.ok else 422)
    return render_template("imports/index.html", form=form, recent=imports.recent()), status


@bp.get("/<int:import_id>")
@require(Permission.DATA_IMPORT)
def show(import_id: int):
    return _render(imports.get_import(import_id))


def _render(record, status: int = 200, mapping_form=None, run_form=None):
    mapping_form = mapping_form or MappingForm.for_import(record)
    return (
        render_template(
            "imports/show.html",
            record=record,
            fields=import_rows.FIELDS,
            mapping_form=mapping_form,
            mapping_rows=mapping_form.fit(record.columns),
            run_form=run_form or RunForm(),
            button=ButtonForm(),
            progress=imports.progress(record),
        ),
        status,
    )


@bp.post("/<int:import_id>/mapping")
@require(Permission.DATA_IMPORT)
def mapping(import_id: int):
    record = imports.get_import(import_id)
    form = MappingForm()
    if not form.validate_on_submit():
        return _render(record, 400, mapping_form=form)
    chosen = form.mapping(record.columns)
    options = {"create_categories": form.create_categories.data, "create_locations": form.create_locations.data}
    saved = attempt(lambda: imports.set_mapping(import_id, chosen, options))
    if not saved.ok:
        return _render(imports.get_import(import_id), saved.status, mapping_form=form)
    return redirect(url_for("imports.show", import_id=import_id))


@bp.post("/<int:import_id>/run")
@require(Permission.DATA_IMPORT)
def run(import_id: int):
    imports.get_import(import_id)
    form = RunForm()
    if form.validate_on_submit():
        attempt(lambda: imports.start(import_id, form.on_error.data))
    return redirect(url_for("imports.show", import_id=import_id))


@bp.post("/<int:import_id>/cancel")
@require(Permission.DATA_IMPORT)
def cancel(import_id: int):
    imports.get_import(import_id)
    if ButtonForm().validate_on_submit() and attempt(lambda: imports.cancel(import_id)).ok:
        flash("Import cancelled; batches already applied stay applied.", "success")
    return redirect(url_for("imports.show", import_id=import_id))
