"""Spreadsheet imports (managers): upload, adjust the mapping, dry-run results, run, cancel."""

from __future__ import annotations

from flask import Response, current_app, jsonify, request, stream_with_context

from app.api.blueprint import Blueprint
from app.auth import current_actor
from app.errors import ValidationFailed
from app.permissions import Permission, require
from app.schemas.imports import ImportSchema, MappingSchema, RunSchema, dump_import
from app.services import exports
from app.services.imports import runs as imports

bp = Blueprint(
    "api_imports", __name__, url_prefix="/api/v1/imports", description="Spreadsheet imports of items and stock."
)

UPLOAD_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "kind": {"type": "string", "enum": ["items"]},
                        "sheet": {"type": "string"},
                        "create_categories": {"type": "boolean"},
                        "create_locations": {"type": "boolean"},
                    },
                },
                # What the file may be; the service reads the bytes, not this label (docs/api-rules.md).
                "encoding": {
                    "file": {"contentType": ", ".join(exports.MIME[fmt].split(";")[0] for fmt in exports.FORMATS)}
                },
            }
        }
    }
}
FORM_FIELDS = ("kind", "sheet", "create_categories", "create_locations")


@bp.url_value_preprocessor
def _allow_spreadsheets(_endpoint, _values) -> None:
    # Before every before_request hook: the upload limit, not the app's 1 MB for JSON bodies.
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + 64 * 1024


def read_upload() -> tuple[str, bytes, dict]:
    """The multipart upload (each field at most once; booleans "true"/"false"). Raises ValidationFailed."""
    errors = {name: ["Give this field once."] for name in (*FORM_FIELDS, "file") if len(_all(name)) > 1}
    upload = request.files.get("file")
    if upload is None:
        errors["file"] = ["Missing file."]
    if request.form.get("kind", "items") != "items":
        errors["kind"] = ["Must be 'items'."]
    options: dict = {}
    for name in ("create_categories", "create_locations"):
        value = request.form.get(name, "false").strip().lower()
        if value not in ("true", "false"):
            errors[name] = ["Must be true or false."]
        options[name] = value == "true"
    if errors:
        raise ValidationFailed("The upload has invalid fields.", fields=errors)
    options["sheet"] = request.form.get("sheet") or None
    return upload.filename or "upload", upload.read(), options


def _all(name: str) -> list:
    return request.files.getlist(name) if name == "file" else request.form.getlist(name)


@bp.post("")
@require(Permission.DATA_IMPORT)
@bp.doc(**UPLOAD_DOC)
@bp.response(201, ImportSchema)
def create_import():
    """Upload a CSV or XLSX; answers the headers found and the proposed mapping."""
    filename, content, options = read_upload()
    sheet = options.pop("sheet")
    record = imports.upload(filename, content, actor=current_actor(), sheet=sheet, options=options)
    return jsonify(dump_import(record)), 201


@bp.get("/<int:import_id>")
@require(Permission.DATA_IMPORT)
@bp.response(200, ImportSchema)
def get_import(import_id: int):
    """State, mapping, counts and progress."""
    return jsonify(dump_import(imports.get_import(import_id)))


@bp.put("/<int:import_id>/mapping")
@require(Permission.DATA_IMPORT)
@bp.arguments(MappingSchema)
@bp.response(200, ImportSchema)
def put_mapping(body: dict, import_id: int):
    """Save the mapping ({header: field}) and validate every row again."""
    return jsonify(dump_import(imports.set_mapping(import_id, body["mapping"], body.get("options"))))


@bp.get("/<int:import_id>/errors.csv")
@require(Permission.DATA_IMPORT)
@bp.doc(
    responses={
        "200": {
            "description": "Every row with an error, its row number and why (CSV).",
            "content": {exports.MIME["csv"].split(";")[0]: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
def errors_csv(import_id: int):
    """Every row with an error, as read, with why: fix it and upload again."""
    header, rows = imports.error_rows(import_id)
    return Response(
        stream_with_context(exports.render("csv", header, rows)),
        content_type=exports.MIME["csv"],
        headers={"Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'},
    )


@bp.post("/<int:import_id>/run")
@require(Permission.DATA_IMPORT)
@bp.arguments(RunSchema, required=False)
@bp.response(202, ImportSchema)
def run_import(body: dict, import_id: int):
    """Start applying a validated import; on_error "stop" (default) refuses while any row has an error."""
    return jsonify(dump_import(imports.start(import_id, (body or {}).get("on_error", "stop")))), 202


@bp.post("/<int:import_id>/cancel")
@require(Permission.DATA_IMPORT)
@bp.response(200, ImportSchema)
def cancel_import(import_id: int):
    """Stop an import; batches already applied stay applied."""
    return jsonify(dump_import(imports.cancel(import_id)))
