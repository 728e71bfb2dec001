"""GS1 element strings read through the adapter (app/services/scanning/gs1.py).

The examples are the GS1 General Specifications' and the GS1 DataMatrix Guideline's own:
GTIN 09506000134352 (the GS1 Global Office's example item), 09501101020917 with expiry
190508, lot ABCD1234 and serial 10, and the SSCC 106141411234567897 with GTIN 10614141000415.
"""

from __future__ import annotations

from datetime import date

import pytest

from app.errors import ValidationFailed
from app.services.scanning import gs1
from app.services.scanning.gs1 import GS1Data, InvalidGS1, InvalidGtin

GS = "\x1d"
GTIN = "09506000134352"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The bracketed human-readable form, as printed under the symbol.
        (f"(01){GTIN}(17)271231(10)AB-12", GS1Data(GTIN, "AB-12", date(2027, 12, 31))),
        # GS1 DataMatrix, GS1-128 and GS1 QR: symbology identifier, then FNC1 as ASCII 29 between fields.
        (f"]d201{GTIN}17271231" + "10AB-12", GS1Data(GTIN, "AB-12", date(2027, 12, 31))),
        (f"]C101{GTIN}10AB-12{GS}17271231", GS1Data(GTIN, "AB-12", date(2027, 12, 31))),
        (f"]Q301{GTIN}10AB-12{GS}2112345", GS1Data(GTIN, "AB-12", serial="12345")),
        # No symbology identifier (a scanner's default), a leading FNC1 sent as a group separator.
        (f"{GS}01{GTIN}10AB-12{GS}2112345", GS1Data(GTIN, "AB-12", serial="12345")),
        (f"01{GTIN}10AB-12{GS}2112345", GS1Data(GTIN, "AB-12", serial="12345")),
        # The DataMatrix Guideline's example; a superfluous separator after a fixed-length field is harmless.
        (
            f"]d2010950110102091717190508{GS}10ABCD1234{GS}2110",
            GS1Data("09501101020917", "ABCD1234", date(2019, 5, 8), "10"),
        ),
        (
            "(01)09501101020917(17)190508(10)ABCD1234(21)10",
            GS1Data("09501101020917", "ABCD1234", date(2019, 5, 8), "10"),
        ),
        # Day 00: the last day of the month (a leap year's February too).
        (f"01{GTIN}17270200", GS1Data(GTIN, expires_on=date(2027, 2, 28))),
        (f"01{GTIN}17280200", GS1Data(GTIN, expires_on=date(2028, 2, 29))),
        (f"(01){GTIN}(17)271100", GS1Data(GTIN, expires_on=date(2027, 11, 30))),
        # A variable-length lot ended by a separator, then a count (30) with leading zeros.
        (f"01{GTIN}10L-7{GS}3000000012", GS1Data(GTIN, "L-7", quantity=12)),
        (f"(01){GTIN}(30)5(10)X", GS1Data(GTIN, "X", quantity=5)),
        # GS1 Digital Link URIs (a GS1 QR carrying a web address): any host, AIs in the path and query.
        (
            f"https://id.gs1.org/01/{GTIN}/10/AB-12/21/S1?17=271231",
            GS1Data(GTIN, "AB-12", date(2027, 12, 31), "S1"),
        ),
        (f"https://brand.example/01/{GTIN}", GS1Data(GTIN)),
        # A logistic unit: SSCC, the GTIN of the contained items (02) and their count (37).
        ("(00)106141411234567897(02)10614141000415(37)40", GS1Data("10614141000415", quantity=40)),
    ],
)
def test_gs1_element_strings_give_the_gtin_lot_expiry_serial_and_count(text, expected):
    assert gs1.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "(01)09506000134353(17)271231",  # check digit 3, should be 2
        "0109506000134353",
        f"]d20109506000134350{GS}10AB",
        "(02)10614141000416(37)40",
        "https://id.gs1.org/01/09506000134353/10/AB",
    ],
)
def test_a_gtin_with_a_wrong_check_digit_is_invalid_gtin(text):
    with pytest.raises(InvalidGtin) as caught:
        gs1.parse(text)
    assert caught.value.status == 422 and caught.value.code == "invalid_gtin"
    assert "check digit" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "(23)123",  # no such AI
        f"(01){GTIN}(17)2712",  # expiry cut short
        "(01)0950600013435",  # GTIN cut short
        "]d223123",
        f"]C101{GTIN}1",  # a lone digit where the next AI should be
        f"]Q301{GTIN}17271332",  # month 13
        f"01{GTIN}{GS}9",
        f"(01){GTIN}(10)A(10)B",  # one AI, two values
        "]d230",  # a count AI with no digits after it (found by the API's hypothesis test)
        f"]d201{GTIN}37",
    ],
)
def test_an_unknown_or_truncated_ai_in_a_gs1_marked_text_is_invalid_gs1(text):
    with pytest.raises(InvalidGS1) as caught:
        gs1.parse(text)
    assert caught.value.status == 422 and caught.value.code == "invalid_gs1"


@pytest.mark.parametrize(
    "text",
    ["", "NOPE-1", "I12", "1012", "9912345", GTIN, "4006381333931", "012345", "(hello)", "https://example.com/s/I12"],
)
def test_texts_that_are_not_gs1_element_strings_are_none(text):
    """SKUs and plain barcodes that happen to read as some AI are left to the other look-ups."""
    assert gs1.parse(text) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("95012346", "00000095012346"),  # GTIN-8
        ("036000291452", "00036000291452"),  # UPC-A (GTIN-12)
        ("4006381333931", "04006381333931"),  # EAN-13
        (GTIN, GTIN),
        ("4006381333932", None),
        ("400638133393", None),  # 12 digits, wrong check digit
        ("1234567", None),
        ("ABCDEFGH", None),
    ],
)
def test_gtins_compare_as_gtin_14(code, expected):
    assert gs1.gtin14(code) == expected


def test_the_forms_of_a_gtin_14_are_its_8_12_13_and_14_digit_writings():
    assert gs1.gtin_forms("00000095012346") == ["00000095012346", "0000095012346", "000095012346", "95012346"]
    assert gs1.gtin_forms(GTIN) == [GTIN, "9506000134352"]
    assert gs1.gtin_forms("10614141000415") == ["10614141000415"]


def test_a_lots_element_string_parses_back_to_the_same_gtin_lot_and_expiry():
    text = gs1.element_string("9506000134352", "AB-12", date(2027, 2, 28))
    assert text == f"01{GTIN}1727022810AB-12"
    assert gs1.parse(f"]d2{text}") == GS1Data(GTIN, "AB-12", date(2027, 2, 28))
    assert gs1.parse(gs1.element_string("95012346")) == GS1Data("00000095012346")


def test_a_lot_that_ai_10_cannot_carry_is_refused_naming_lot():
    for lot in ("L" * 21, "with space", "Ünïcode"):
        with pytest.raises(ValidationFailed) as caught:
            gs1.element_string(GTIN, lot)
        assert "lot" in caught.value.fields
    with pytest.raises(InvalidGtin):
        gs1.element_string("09506000134353", "AB")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("(23)123", "(23) is not a GS1 application identifier."),
        (f"(01){GTIN}(17)2712", "the Expiration date (YYMMDD) field (AI 17) is cut short or malformed."),
        (f"]C101{GTIN}{GS}1", "'1' does not start with a GS1 application identifier (cut short?)."),
        ("(01)09506000134353", "the check digit should be 2, not 3: misread or mistyped."),
        (f"(01){GTIN}(17)270230", "the date in AI 17 does not exist."),  # 30 February
    ],
)
def test_refusals_say_in_plain_words_what_is_wrong(text, words):
    with pytest.raises(ValidationFailed) as caught:
        gs1.parse(text)
    assert caught.value.fields == {"code": [words]}
    assert "pattern" not in caught.value.message and "^" not in caught.value.message
