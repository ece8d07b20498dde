"""What every XLSX the kiosk writes shares (the fair's exports, a reconciliation round's, the
scoreboard's): text a spreadsheet will not run, and the formats typed cells are shown in."""
import re

from kiosk.core.formtools import INVISIBLE

#: how Excel shows the typed cells (the city's habit: 2026-06-13 09:30)
TIME_FORMAT, DAY_FORMAT, AMOUNT_FORMAT = "yyyy-mm-dd hh:mm", "yyyy-mm-dd", "#,##0.00"

#: what openpyxl refuses in a cell (IllegalCharacterError): C0 controls but tab, newline, return
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_cell(value: str) -> str:
    """Text a spreadsheet will not run: a cell starting = + - @ (or a tab/CR) is a formula to Excel.
    Control characters and invisible ones (formtools.INVISIBLE: a direction override, a zero-width
    space) go first, so that none can hide a formula behind it, nor show a cell reversed; text
    stored before the forms took them out loses them here."""
    value = INVISIBLE.sub("", _CONTROL.sub("", value))
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
