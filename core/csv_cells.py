"""Pure: spreadsheet-safe CSV cells (OWASP "CSV injection"), and the way back for our readers.

A spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a
formula (=HYPERLINK(...), DDE). Free text written to a CSV export goes through `neutral`,
which puts a single quote in front of such text; numbers such as -3 or +1.5 stay numbers.
Text that already starts with a quote gets one more, so `restore` (used by our own readers of
the export, e.g. surveys.summarize) gives back exactly the original text.
"""

from __future__ import annotations

import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutral(cell: str) -> str:
    """Return a free-text cell that no spreadsheet reads as a formula."""
    if cell.startswith(QUOTE) or (cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)):
        return QUOTE + cell
    return cell


def restore(cell: str) -> str:
    """Undo `neutral` on a cell read back from one of our exports."""
    return cell[1:] if cell.startswith(QUOTE) else cell


def starts_formula(text: str) -> bool:
    """Tell whether text would be read as a formula if written to a CSV cell as it is."""
    return neutral(text) != text and not text.startswith(QUOTE)
