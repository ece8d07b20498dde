"""A request's number across fairs. A ticket number (B01-002) is read aloud at one fair's booth and
is unique only within its fair: every fair starts each booth at 001 again. Wherever requests of
several fairs are listed together (the ledger, exports, the API), the fair-qualified number says
which one is meant."""
from datetime import date


def qualified_no(fair_date: date, fair_id: int, ticket_no: str) -> str:
    """20260613-F3-B01-002: the fair's day, its id, the ticket.

    Unique because a ticket is unique within its fair (the constraint on fair_id and ticket_no) and
    the fair's id is unique: the day alone is not (two cities' fairs, or a morning and an afternoon
    session, can share a day). The day comes first, so that a spreadsheet sorted by this column
    lists fairs in the order they were held, and tells a reader which fair it was without a look-up;
    "F" marks the id as the fair's. No spaces or slashes: it stays one word in a search box, a file
    name, a spreadsheet cell or a text message."""
    return f"{fair_date:%Y%m%d}-F{fair_id}-{ticket_no}"
