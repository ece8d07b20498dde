"""The tally as a printable PDF (the page is organiser/documents.py's; the figures are kiosk.figures.tally)."""
from pathlib import Path

from flask import render_template

from kiosk.core.pdf import render_pdf
from kiosk.core.timeutil import local_iso
from kiosk.fairs.models import Fair
from kiosk.figures.tally import tally_of

PDF_CSS = (Path(__file__).parent / "pdf.css").read_text()


def tally_pdf(fair: Fair) -> tuple[str, str, bytes]:
    """(filename, mimetype, bytes), as pretix's output generators return them. The name carries the
    time the figures were taken in the city's time zone, as the page and the PDF show it."""
    tally, frozen = tally_of(fair)
    html = render_template("tally/pdf.html", t=tally, frozen=frozen)
    stamp = local_iso(tally["taken_at"], "%Y%m%d-%H%M")
    return f"tally-{fair.id}-{stamp}.pdf", "application/pdf", render_pdf(html, PDF_CSS)
