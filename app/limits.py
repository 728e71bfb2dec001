"""Input limits and patterns, defined once: the API schemas, the page forms and the services import them.

Lengths match the database columns where a column has one (String(n)); free text
(Text columns) gets a generous but finite bound so one request cannot carry megabytes.
"""

from __future__ import annotations

MAX_QUANTITY = 1_000_000_000  # units of one item at one place, in one movement or one cart line
MAX_DECIMALS = 3  # decimal places a quantity may take; each item allows 0..MAX_DECIMALS (Item.decimals)
MAX_PRICE = MAX_QUANTITY
MAX_ID = 2**31 - 1  # PostgreSQL's integer
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

SKU_LENGTH = 64
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._\-/]*$"
SKU_MESSAGE = "Use letters, digits, '.', '_', '-' or '/'."

ITEM_NAME_LENGTH = 200
CATALOG_NAME_LENGTH = 120  # a category's or a location's name
UNIT_LENGTH = 32
DESCRIPTION_LENGTH = 5000  # an item's, a category's or a location's description
ADDRESS_LENGTH = 5000
SEARCH_LENGTH = 200
MOVEMENT_NOTE_LENGTH = 1000  # restock, withdraw, transfer, adjust
REQUEST_NOTE_LENGTH = 2000  # a request's note, a rejection's reason

EMAIL_LENGTH = 254
FULL_NAME_LENGTH = 120
PASSWORD_LENGTH = 256

# Purchasing (issue 21)
SUPPLIER_NAME_LENGTH = 120
CONTACT_LENGTH = 120
PHONE_LENGTH = 40
SUPPLIER_SKU_LENGTH = 64
NOTES_LENGTH = 5000
MAX_LEAD_TIME_DAYS = 3650
MAX_ORDER_LINES = 500
UNIT_PRICE_PLACES = 4  # a supplier's price per unit may carry fractions of a cent
LEAD_TIME_MESSAGE = range_message(0, MAX_LEAD_TIME_DAYS, "a lead time in days")
