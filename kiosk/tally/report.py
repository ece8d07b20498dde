"""The tally as a page and as a printable PDF."""
from datetime import datetime, timezone
from pathlib import Path

from flask import render_template

from kiosk.fairs.models import Fair
from kiosk.pdf import render_pdf
from kiosk.tally.service import check, compute_tally

PDF_CSS = (Path(__file__).parent / "pdf.css").read_text()


def tally_of(fair: Fair) -> tuple[dict, bool]:
    """The frozen tally of a closed fair, else the live one; and whether it is frozen."""
    if fair.tally_snapshot is not None:
        check(fair.tally_snapshot)
        return fair.tally_snapshot, True
    return compute_tally(fair), False


def tally_pdf(fair: Fair) -> tuple[str, str, bytes]:
    """(filename, mimetype, bytes), as pretix's output generators return them."""
    tally, frozen = tally_of(fair)
    html = render_template("tally/pdf.html", t=tally, frozen=frozen)
    stamp = datetime.fromisoformat(tally["taken_at"]).replace(tzinfo=timezone.utc).strftime("%Y%m%d-%H%M")
    return f"tally-{fair.id}-{stamp}.pdf", "application/pdf", render_pdf(html, PDF_CSS)
