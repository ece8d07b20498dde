"""What organisers print and download: the QR posters, the closing tally, the exports."""
from flask import render_template

from kiosk.core.downloads import download
from kiosk.core.extensions import db
from kiosk.fairs.models import Fair
from kiosk.figures.tally import tally_of
from kiosk.organiser import bp
from kiosk.organiser.exports import export_csv, export_xlsx
from kiosk.organiser.posters import posters_pdf
from kiosk.tally.report import tally_pdf


@bp.get("/fairs/<int:fair_id>/posters.pdf")
def posters(fair_id: int):
    return download(*posters_pdf(db.get_or_404(Fair, fair_id)))


@bp.get("/fairs/<int:fair_id>/tally")
def tally(fair_id: int):
    fair = db.get_or_404(Fair, fair_id)
    data, frozen = tally_of(fair)
    return render_template("tally/page.html", fair=fair, t=data, frozen=frozen)


@bp.get("/fairs/<int:fair_id>/tally.pdf")
def tally_document(fair_id: int):
    return download(*tally_pdf(db.get_or_404(Fair, fair_id)))


@bp.get("/fairs/<int:fair_id>/requests.<kind>")
def export(fair_id: int, kind: str):
    fair = db.get_or_404(Fair, fair_id)
    return download(*(export_xlsx(fair) if kind == "xlsx" else export_csv(fair)))
