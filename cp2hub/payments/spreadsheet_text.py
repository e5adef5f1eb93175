"""Text written to the CSV files KNEC's finance office opens in a spreadsheet.

A cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage return before one) is
run as a formula by Excel and LibreOffice: a bank's name typed by an officer, a bank
reference typed by an administrator or a provider's reason could then fetch a web
address with the row's data, or worse. Such text is written with a leading `'`, which
spreadsheets show as text (OWASP's advice for CSV injection); numbers stay numbers.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: object) -> object:
    """`value` as a CSV cell no spreadsheet runs: text that would start a formula gets a
    leading `'`; anything that is not text is left as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
