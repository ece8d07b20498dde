"""The columns a request gains after its fair, for supervision (督办): mixed into ServiceRequest so
that SQL filters and counts by them on the request's own row. Each is a copy kept by the moves
that change it (kiosk.ledger, kiosk.supervision); the record is the trail and the rows those moves
add (extensions, parkings, notices' items)."""
import sqlalchemy as sa  # noqa: F401 - the columns below use it
import sqlalchemy.orm as so  # noqa: F401


class AfterFairColumns:
    """Columns only: a relationship here would need declared_attr; put those on ServiceRequest."""
