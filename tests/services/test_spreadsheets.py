"""The one CSV helper: cells a spreadsheet would evaluate become text, data stays as it is."""

from __future__ import annotations

import csv
import io

import pytest

from app.services.spreadsheets import csv_writer, neutralise_csv, safe_cell

pytestmark = pytest.mark.core


@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")'])
def test_a_cell_starting_a_formula_becomes_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Hammer", "", "12", "-3.50", "+4", "a=b", 7, None])
def test_plain_text_and_numbers_are_left_alone(value):
    assert safe_cell(value) == value


def test_the_writer_and_the_rewrite_agree_and_rewriting_twice_changes_nothing():
    out = io.StringIO()
    csv_writer(out).writerow(["=cmd", "-7", "ok"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=cmd", "-7", "ok"]
    raw = '=cmd,-7,ok\r\n"@x, y",2,3\r\n'
    once = neutralise_csv(raw)
    assert list(csv.reader(io.StringIO(once))) == [["'=cmd", "-7", "ok"], ["'@x, y", "2", "3"]]
    assert neutralise_csv(once) == once
