"""Query parameters of the label PDFs: ids, list filters, layout, skip, copies."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from app.limits import ID_TEXT_PATTERN, MAX_COPIES, MAX_ID, MAX_LABELS, SEARCH_LENGTH
from app.schemas.common import Count, QueryId, QuerySchema
from app.services.scanning.labels import DEFAULT_LAYOUT, LAYOUTS


class IdList(fields.List):
    """Ids in a query string: comma-separated (`ids=1,2,3`), repeated (`ids=1&ids=2`), or both.

    Given, it names at least one id: `ids=` or `ids=,,,` is a mistake, not "every item"."""

    def __init__(self, **kwargs) -> None:
        # Each value: ids separated by commas, spaces and empty places around them ignored.
        one = rf"^(\s*,)*\s*{ID_TEXT_PATTERN}\s*(,\s*({ID_TEXT_PATTERN}\s*)?)*$"
        metadata = {"description": "Comma-separated ids (at least one).", "minItems": 1}
        super().__init__(fields.String(metadata={"pattern": one}), metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[override]
        texts = value if isinstance(value, list) else [value]
        ids: list[int] = []
        for text in texts:
            for part in str(text).split(","):
                part = part.strip()
                if not part:
                    continue
                if not part.isdigit() or not 1 <= int(part) <= MAX_ID:
                    raise ValidationError(f"{part!r} is not an id.")
                ids.append(int(part))
        if not ids:
            raise ValidationError("Name at least one id (ids=1,2,3).")
        if len(ids) > MAX_LABELS:
            raise ValidationError(f"At most {MAX_LABELS:,} ids.")
        return ids


class _LabelOptions(QuerySchema):
    ids = IdList()
    layout = fields.String(load_default=DEFAULT_LAYOUT, validate=validate.OneOf(sorted(LAYOUTS)))
    skip = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=max(layout.per_page for layout in LAYOUTS.values()) - 1),
        metadata={
            "description": "Places left blank on the first sheet: fewer than the layout's own (per layout: "
            + ", ".join(f"{name} {layout.per_page}" for name, layout in sorted(LAYOUTS.items()))
            + "); 422 beyond."
        },
    )
    copies = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_COPIES))


class ItemLabelQuerySchema(_LabelOptions):
    """`ids`, or the inventory list's filters (every active item when none is given)."""

    price = fields.Boolean(load_default=False, metadata={"description": "Print the price on each label."})
    search = fields.String(validate=validate.Length(max=SEARCH_LENGTH))
    category_id = QueryId()
    location_id = QueryId()
    cascade = fields.Boolean(load_default=True)
    min_quantity = Count()
    max_quantity = Count()
    below_threshold = fields.Boolean()


class LocationLabelQuerySchema(_LabelOptions):
    ids = IdList(required=True)
    subtree = fields.Boolean(load_default=False, metadata={"description": "Each location and everything inside it."})
