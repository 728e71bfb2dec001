"""GS1 element strings, read through biip: the GTIN, lot, expiry, serial and count a scan carries.

Accepted forms: GS1-128, GS1 DataMatrix and GS1 QR content with or without the symbology
identifier (`]C1`, `]d2`, `]Q3`, `]e0`), variable-length fields ended by a group separator
(ASCII 29, or the visible ␝ some keyboard-wedge scanners type), and the bracketed
human-readable form `(01)09506000134352(17)271231(10)AB-12`, and GS1 Digital Link URIs
(`https://id.gs1.org/01/09506000134352/10/AB-12?17=271231`, the web address a GS1 QR carries). The parsing itself is biip's
(a maintained implementation of the GS1 General Specifications' AI table); this module only
turns its answer into plain values and our errors. Labels of lots print the other way round:
an element string of 01, 17 and 10, encoded as a GS1 DataMatrix by pystrich.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.errors import ValidationFailed
from app.services.barcodes import gtin_check_digit

GROUP_SEPARATOR = "\x1d"
# Symbology identifiers (ISO/IEC 15424) that say the content is a GS1 element string.
GS1_PREFIXES = ("]C1", "]d2", "]Q3", "]e0", "]J1")
BRACKETED = re.compile(r"^\(\d{2,4}\)")
GTIN_LENGTHS = (8, 12, 13, 14)
# Plain codes of these lengths are GTINs whose check digit is checked (barcodes.py refuses a wrong
# one on a UPC-A or EAN-13; 8 digits stay free for internal codes).
CHECKED_LENGTHS = (12, 13, 14)
# AI 10's characters (the GS1 General Specifications' "character set 82"), at most 20 of them.
GS1_LOT = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")


class InvalidGtin(ValidationFailed):
    code = "invalid_gtin"


class InvalidGS1(ValidationFailed):
    code = "invalid_gs1"


@dataclass(frozen=True)
class GS1Data:
    """What a GS1 element string says about one trade item; None where it says nothing."""

    gtin: str | None  # always as GTIN-14
    lot: str | None = None
    expires_on: date | None = None
    serial: str | None = None
    quantity: int | None = None

    def as_dict(self) -> dict:
        return {
            "gtin": self.gtin,
            "lot": self.lot,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "serial": self.serial,
            "quantity": self.quantity,
        }


def is_marked(text: str) -> bool:
    """Whether the text says it is a GS1 element string (prefix, separator or brackets)."""
    return text.startswith(GS1_PREFIXES) or GROUP_SEPARATOR in text or BRACKETED.match(text) is not None


def parse(text: str) -> GS1Data | None:
    """The GS1 data of a scanned text, or None when it is not a GS1 element string.

    Raises InvalidGtin (a GTIN whose check digit is wrong) and InvalidGS1 (a text marked as
    GS1 with an unknown or truncated application identifier).
    """
    text = (text or "").strip().replace("\u241d", GROUP_SEPARATOR)
    marked = is_marked(text)
    elements, problem, link = _elements(text)
    if elements is None:
        if marked:
            problem = plain_problem(problem)
            raise InvalidGS1(f"This GS1 code cannot be read: {problem}", fields={"code": [problem]})
        return None
    marked = marked or link
    values = {element.ai.ai: element for element in elements}
    clash = next((e.ai.ai for e in elements if values[e.ai.ai].value != e.value), None)
    if clash is not None:  # the General Specifications forbid one AI with two values in a message
        problem = f"it gives AI {clash} twice with different values."
        raise InvalidGS1(f"This GS1 code cannot be read: {problem}", fields={"code": [problem]})
    product = values.get("01") or values.get("02")  # 02: the items inside a logistic unit (with 37)
    if product is not None and product.gtin is None:
        detail = plain_problem(product.gtin_error or "")
        raise InvalidGtin(f"The GTIN {product.value} is not valid: {detail}", fields={"code": [detail]})
    if product is None and not marked:
        return None  # digits that happen to read as some AI (an SKU such as "1012") are not a GS1 code
    expiry = values.get("17")
    count = values.get("30") or values.get("37")
    if count is not None and not count.value.isdigit():  # "]d230": the AI with nothing after it
        problem = f"AI {count.ai.ai} (count) is cut short: it carries no digits."
        raise InvalidGS1(f"This GS1 code cannot be read: {problem}", fields={"code": [problem]})
    return GS1Data(
        gtin=product.value if product is not None else None,
        lot=_text(values.get("10")),
        expires_on=expiry.date if expiry is not None else None,
        serial=_text(values.get("21")),
        quantity=int(count.value) if count is not None else None,
    )


def _elements(text: str) -> tuple[list | None, str, bool]:
    """(the element strings or None, why not, whether it was a GS1 Digital Link URI)."""
    import biip  # here, not at start: its GS1 prefix tables are ~16 MB a web worker needs only once it scans
    from biip.gs1_messages import GS1Message

    try:
        if BRACKETED.match(text):
            return GS1Message.parse_hri(text).element_strings, "", False
        result = biip.parse(text)
    except biip.ParseError as exc:
        return None, str(exc), False
    if result.gs1_message is not None and result.gs1_message.element_strings:
        return result.gs1_message.element_strings, "", False
    if result.gs1_digital_link_uri is not None and result.gs1_digital_link_uri.element_strings:
        return result.gs1_digital_link_uri.element_strings, "", True  # a GS1 QR of a product's web address
    return None, result.gs1_message_error or "no application identifier.", False


_CHECK_DIGIT = re.compile(r"check digit for '(\d+)': Expected (\d), got (\d)")
_NO_MATCH = re.compile(r"Failed to match '.*' with GS1 AI \((\d{2,4})\) pattern")
_BAD_DATE = re.compile(r"GS1 AI \((\d{2,4})\) date")
_UNKNOWN_AI = re.compile(r"Unknown GS1 Application Identifier '(\d+)'")
_NO_AI = re.compile(r"Failed to get GS1 Application Identifier from '(.*)'", re.DOTALL)


def plain_problem(problem: str) -> str:
    """biip's reason in the words a person at a scanner needs (no patterns, no internals)."""
    if match := _CHECK_DIGIT.search(problem):
        return f"the check digit should be {match.group(2)}, not {match.group(3)}: misread or mistyped."
    if match := _NO_MATCH.search(problem):
        import biip

        try:
            name = biip.gs1_application_identifiers.GS1ApplicationIdentifier.extract(match.group(1)).description
        except biip.ParseError:
            name = "value"
        return f"the {name} field (AI {match.group(1)}) is cut short or malformed."
    if match := _BAD_DATE.search(problem):
        return f"the date in AI {match.group(1)} does not exist."
    if match := _UNKNOWN_AI.search(problem):
        return f"({match.group(1)}) is not a GS1 application identifier."
    if match := _NO_AI.search(problem):
        rest = match.group(1).replace(GROUP_SEPARATOR, "")[:20]
        return f"{rest!r} does not start with a GS1 application identifier (cut short?)." if rest else "it is empty."
    return "it holds no GS1 data."


def _text(element) -> str | None:
    return element.value if element is not None and element.value else None


def gtin14(code: str) -> str | None:
    """A GTIN-8/12/13/14 with a right check digit as GTIN-14, else None."""
    if not code.isdigit() or len(code) not in GTIN_LENGTHS:
        return None
    padded = code.zfill(14)
    return padded if int(padded[-1]) == gtin_check_digit(padded[:-1]) else None


def expected_check_digit(code: str) -> int:
    """The check digit a GTIN's other digits call for."""
    return gtin_check_digit(code[:-1])


def gtin_forms(gtin: str) -> list[str]:
    """Every way a GTIN-14 can be written as a GTIN-8/12/13/14 (its leading zeros dropped)."""
    return [gtin[14 - length :] for length in GTIN_LENGTHS[::-1] if set(gtin[: 14 - length]) <= {"0"}]


def element_string(gtin: str, lot: str | None = None, expires_on: date | None = None) -> str:
    """The GS1 element string (without FNC1) of a trade item's lot: 01, then 17, then 10.

    Fixed-length fields first, so only the lot (variable length, last) needs no separator.
    Raises InvalidGtin, and ValidationFailed naming `lot` (a lot AI 10 cannot carry).
    """
    normal = gtin14(gtin)
    if normal is None:
        raise InvalidGtin(f"{gtin} is not a valid GTIN.", fields={"gtin": ["Not a valid GTIN-8/12/13/14."]})
    parts = [f"01{normal}"]
    if expires_on is not None:
        parts.append(f"17{expires_on:%y%m%d}")
    if lot:
        if GS1_LOT.match(lot) is None:
            problem = "A GS1 code carries a lot of at most 20 letters, digits and !\"%&'()*+,-./:;<=>?_ only."
            raise ValidationFailed(f"The lot {lot!r} cannot be printed as a GS1 code.", fields={"lot": [problem]})
        parts.append(f"10{lot}")
    return "".join(parts)


def datamatrix_modules(text: str, quiet_zone: int = 2) -> list[list[int]]:
    """The modules (1 dark, 0 light) of a GS1 DataMatrix of an element string, quiet zone included.

    The element string is split into its fields by biip's AI table (which fields end with a
    separator); pystrich encodes them with the leading FNC1 that makes the symbol GS1.
    """
    from biip.gs1_messages import GS1Message
    from pystrich.datamatrix import DataMatrixData, DataMatrixEncoder
    from pystrich.gs1 import GS1Fixed, GS1Variable

    fields = [
        (GS1Variable if element.ai.separator_required else GS1Fixed)(element.ai.ai, element.value)
        for element in GS1Message.parse(text).element_strings
    ]
    renderer = DataMatrixEncoder(DataMatrixData.gs1(*fields), quiet_zone=quiet_zone).init_renderer()
    return [[1 if cell else 0 for cell in row] for row in renderer.matrix]
