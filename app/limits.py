"""Input limits and patterns, defined once: the API schemas, the page forms and the services import them.

Lengths match the database columns where a column has one (String(n)); free text
(Text columns) gets a generous but finite bound so one request cannot carry megabytes.
"""

from __future__ import annotations

from datetime import timedelta

MAX_QUANTITY = 1_000_000_000  # units of one item at one place, in one movement or one cart line
MAX_DECIMALS = 3  # decimal places a quantity may take; each item allows 0..MAX_DECIMALS (Item.decimals)
MAX_PRICE = MAX_QUANTITY
MAX_ID = 2**31 - 1  # PostgreSQL's integer: every id column, URL converter and scanned code


def _up_to(high: int) -> str:
    """A regular expression for the whole numbers 1..high written in digits 0-9 (leading zeros allowed)."""
    digits = str(high)
    shorter = [rf"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same = [
        digits[:i]
        + f"[{'1' if i == 0 else '0'}-{int(d) - 1}]"
        + (f"[0-9]{{{len(digits) - i - 1}}}" if i < len(digits) - 1 else "")
        for i, d in enumerate(digits)
        if int(d) > (1 if i == 0 else 0)
    ]
    return "0*(" + "|".join([*shorter, *same, digits]) + ")"


# An id in a query string as the server reads it (1..MAX_ID): what the OpenAPI document promises.
ID_TEXT_PATTERN = _up_to(MAX_ID)
MAX_PAGE = 1_000_000
MAX_PER_PAGE = 100
MAX_COUNT_FREQUENCY_DAYS = 3660  # cycle counting: a location counted at least every ten years


def range_message(low: int, high: int, what: str = "a quantity") -> str:
    """A range rule in plain words, the same on pages and in the API: "Enter a quantity from 0 to 1,000,000,000."."""
    return f"Enter {what} from {low:,} to {high:,}."


QUANTITY_MESSAGE = f"Enter a quantity above 0 and at most {MAX_QUANTITY:,}."
QUANTITY_OR_ZERO_MESSAGE = range_message(0, MAX_QUANTITY)
PRICE_MESSAGE = range_message(0, MAX_PRICE, "a price")
SAME_PLACE_MESSAGE = "Choose a different location to move to: this is where the stock comes from."

SKU_LENGTH = 64  # items.sku String(64)
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"
SKU_MESSAGE = "Use letters, digits, '.', '_', '-' or '/'."

ITEM_NAME_LENGTH = 200  # items.name String(200)
CATALOG_NAME_LENGTH = 120  # a category's or a location's name: String(120)
UNIT_LENGTH = 32  # items.unit String(32)
DESCRIPTION_LENGTH = 5000  # an item's, a category's or a location's description
ADDRESS_LENGTH = 5000
SEARCH_LENGTH = 200
SEARCH_WORDS = 8  # a picker's search matches at most this many typed words
LOOKUP_LENGTH = 200  # an item (or order line) typed or scanned into a page's form: a SKU, barcode or short code
LOCATION_PATH_LENGTH = 1000  # a bin typed or scanned into a page's form by its code or path ("Main / Aisle 3 / Bin 7")
SKU_LIST_LENGTH = 5000  # "only these items" when opening a count on a page: SKUs, comma separated
MOVEMENT_NOTE_LENGTH = 1000  # restock, withdraw, transfer, adjust, a scanned batch
REQUEST_NOTE_LENGTH = 2000  # a request's note, a rejection's reason

# Scanning and labels
BARCODE_LENGTH = 64  # item_barcodes.code String(64)
# Code 128 carries printable ASCII; spaces are left out so a code reads the same wherever it is shown.
BARCODE_PATTERN = r"^[\x21-\x7e]+$"
MAX_BARCODES = 50  # per item
MAX_CODE_LENGTH = 2000  # a scanned link with a long base URL; anything longer names nothing of ours
MAX_SCAN_LINES = 500  # lines in one scanned batch
MAX_LABELS = 10_000  # labels in one PDF; larger runs are split by filter
MAX_COPIES = 100  # copies of each label

# Cycle counts
MAX_COUNT_ITEMS = 500  # "only these items" when opening a count
MAX_RECOUNT_LINES = 10_000  # lines sent back for a recount at once

# Spreadsheet imports
SHEET_NAME_LENGTH = 255  # imports.sheet String(255) (Excel itself stops at 31)
MAX_XLSX_UNCOMPRESSED = 1024 * 1024 * 1024  # an XLSX inflating past this is refused
MAX_XLSX_RATIO = 200  # nor may one member inflate more than this many times its packed size ...
XLSX_RATIO_FROM = 10 * 1024 * 1024  # ... once it is this large (small members compress well legitimately)

# Any request
MAX_JSON_DEPTH = 32  # our deepest body (a request with lines) is 3 levels
# gunicorn's own defaults, now answered by the app (app/input_guard.py) so the refusal carries
# the security headers; gunicorn.conf.py lets through twice these and refuses beyond them itself.
MAX_REQUEST_LINE = 4094  # bytes of "GET /path?query HTTP/1.1": 414
MAX_HEADER_FIELD = 8190  # bytes of one "Name: value" header line: 431
MAX_HEADER_FIELDS = 100  # header lines in one request: 431
MAX_OFFSET = timedelta(hours=15, minutes=59)  # PostgreSQL: "time zone displacement out of range"
# An offset as a clock shows it, within MAX_OFFSET: the parsers read +00:60 as +01:00 and +16:00 as
# given; a lowercase z is refused.
OFFSET_PATTERN = r"(Z|[+-](0[0-9]|1[0-5]):?[0-5][0-9])"
OFFSET_MESSAGE = "The time-zone offset must be a time from -15:59 to +15:59 (minutes 00 to 59)."
# What the OpenAPI document promises of a date or a date-time parameter (the server reads a
# little more: Python's ISO forms, a time without seconds). Months, days, hours, minutes and
# seconds in range, as RFC 3339 writes them, so a generated example is a real moment; the
# format (date, date-time) leaves out the 30th of February.
_DAY = r"[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
DATE_PATTERN = "^" + _DAY + "$"
DATE_TIME_PATTERN = "^" + _DAY + r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?" + OFFSET_PATTERN + "$"
NO_NUL_PATTERN = r"^[^\x00]*$"  # what the OpenAPI document promises of every string without its own pattern
NOT_BLANK_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"  # a required text: something besides whitespace, no NUL
REQUEST_ID_PATTERN = r"^[A-Za-z0-9._\-]{1,64}$"  # an X-Request-ID we echo; any other gets a fresh one

EMAIL_LENGTH = 254  # users.email, suppliers.email: String(254), the longest address RFC 5321 allows
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"  # the user page's check; the API uses marshmallow's Email
# What marshmallow's Email (the suppliers service's check) accepts, written so the document says it:
# dot-separated words before the @, and a domain whose last label has two letters or more
# ("0@0.a" is an address to JSON Schema's "email" format, not to that check).
SUPPLIER_EMAIL_PATTERN = (
    r"^[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
FULL_NAME_LENGTH = 120  # users.full_name String(120)
PASSWORD_LENGTH = 256
MIN_PASSWORD_LENGTH = 8
TOKEN_LENGTH = 4096  # a refresh token in the API's body: ours are far shorter, anything longer is not one

# Purchasing (issue 21)
SUPPLIER_NAME_LENGTH = 120
CONTACT_LENGTH = 120
PHONE_LENGTH = 40
SUPPLIER_SKU_LENGTH = 64  # items.sku String(64)
NOTES_LENGTH = 5000
MAX_LEAD_TIME_DAYS = 3650
MAX_ORDER_LINES = 500
UNIT_PRICE_PLACES = 4  # a supplier's price per unit may carry fractions of a cent
LEAD_TIME_MESSAGE = range_message(0, MAX_LEAD_TIME_DAYS, "a lead time in days")
# A list cursor (base64 of a sort value and an id): a name or SKU is at most a few hundred bytes.
CURSOR_LENGTH = 1024

# Traceability (issue 27)
LOT_CODE_LENGTH = 64  # lots.code String(64)
SERIAL_LENGTH = 64  # serials.serial String(64)
# A lot code or serial: 1-64 printable characters (no control characters).
TRACE_CODE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]+$"
TRACE_CODE_MESSAGE = "Use printable characters only (no control characters)."
MAX_SHELF_LIFE_DAYS = 36500
MAX_SERIALS = 500  # units named in one movement
# The serials box of a page: every unit of one movement, one per line (a serial and its line break).
SERIALS_TEXT_LENGTH = MAX_SERIALS * (SERIAL_LENGTH + 2)
