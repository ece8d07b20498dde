"""Published rankings, for organisers and for the departments' own ledger accounts: each as it was
published (its weights, every input and score), as a page, a PDF and an XLSX, so that a department
can check its own score. (The live ranking, before publication, is the organisers' alone:
kiosk.organiser.scoreboard.)"""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template

from kiosk.auth.access import ledger_user_required
from kiosk.core.downloads import download
from kiosk.core.extensions import db
from kiosk.figures.periods import Period
from kiosk.scoreboard.documents import definitions, ranking_pdf, ranking_xlsx
from kiosk.scoreboard.models import PublishedRanking
from kiosk.scoreboard.service import frozen_board

bp = Blueprint("scoreboard", __name__, url_prefix="/scoreboard")


@bp.get("/")
@ledger_user_required
def index():
    rankings = db.session.scalars(sa.select(PublishedRanking)
                                  .order_by(PublishedRanking.period.desc(), PublishedRanking.revision.desc())).all()
    return render_template("scoreboard/published_list.html", rankings=rankings,
                           periods={r.period: Period.parse(r.period) for r in rankings})


@bp.get("/<int:ranking_id>")
@ledger_user_required
def published(ranking_id: int):
    ranking = db.get_or_404(PublishedRanking, ranking_id)
    later = db.session.scalar(sa.select(sa.func.max(PublishedRanking.revision))
                              .where(PublishedRanking.period == ranking.period))
    board = frozen_board(ranking)
    return render_template("scoreboard/published.html", board=board, frozen=ranking,
                           period=Period.parse(ranking.period), latest_revision=later, definitions=definitions(board))


@bp.get("/<int:ranking_id>/ranking.<kind>")
@ledger_user_required
def published_document(ranking_id: int, kind: str):
    ranking = db.get_or_404(PublishedRanking, ranking_id)
    if kind == "pdf":
        return download(*ranking_pdf(frozen_board(ranking), ranking))
    if kind == "xlsx":
        return download(*ranking_xlsx(frozen_board(ranking), ranking))
    abort(404)
