"""The half-yearly disclosure (半年公开) for everyone, without sign-in: only what an organiser has
published, frozen as published; a half year not yet published does not exist here (404)."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request

from kiosk.core.downloads import download
from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.figures.periods import NoSuchPeriod, Period
from kiosk.scoreboard.documents import disclosure_pdf
from kiosk.scoreboard.models import Disclosure

bp = Blueprint("disclosure", __name__, url_prefix="/disclosure")


@bp.get("/")
def index():
    published = db.session.scalars(sa.select(Disclosure)
                                   .order_by(Disclosure.period.desc(), Disclosure.revision.desc())).all()
    latest = {}
    for disclosure in published:
        latest.setdefault(disclosure.period, disclosure)
    return render_template("disclosure/index.html", disclosures=list(latest.values()),
                           periods={key: Period.parse(key) for key in latest})


def _disclosure_or_404(period: str) -> Disclosure:
    """The half year's latest publication, or the revision asked for (?revision=1)."""
    try:
        key = Period.parse(period).key
    except NoSuchPeriod:  # (２０２６-H1 or a trailing newline too: the key is read strictly)
        abort(404)
    query = sa.select(Disclosure).where(Disclosure.period == key)
    revision = int_or_none(request.args.get("revision", ""))
    query = query.where(Disclosure.revision == revision) if revision else query.order_by(Disclosure.revision.desc())
    disclosure = db.session.scalars(query.limit(1)).first()
    if disclosure is None:
        abort(404)
    return disclosure


@bp.get("/<period>")
def page(period: str):
    disclosure = _disclosure_or_404(period)
    revisions = db.session.scalars(sa.select(Disclosure.revision).where(Disclosure.period == disclosure.period)
                                   .order_by(Disclosure.revision)).all()
    return render_template("disclosure/page.html", d=disclosure.snapshot, disclosure=disclosure,
                           period=Period.parse(disclosure.period), revisions=revisions)


@bp.get("/<period>/disclosure.pdf")
def document(period: str):
    return download(*disclosure_pdf(_disclosure_or_404(period)))
