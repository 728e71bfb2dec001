"""Shared test helpers, imported by test modules and conftest files alike (never from a conftest).

codes      read_pdf_codes: rasterise a PDF with poppler's pdftoppm, decode every code with zxing-cpp
"""
