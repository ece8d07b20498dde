"""The live dashboard on the organiser's laptop, and the hall's big screen. Both poll; an unchanged
fair costs one small read and a 304."""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import make_response, render_template, request

from kiosk.changes import dashboard_version
from kiosk.extensions import db
from kiosk.fairs.models import Booth, Fair
from kiosk.figures.satisfaction import satisfaction
from kiosk.figures.tally import compute_tally
from kiosk.i18n import language_key
from kiosk.organiser import bp
from kiosk.rendering import not_modified, render_block, tagged
from kiosk.service_requests.models import ServiceRequest, Status

#: how many of the longest-waiting requests the dashboard lists
LONGEST_WAITING = 8


@bp.get("/fairs/<int:fair_id>/dashboard")
def dashboard(fair_id: int):
    return _live(fair_id, "organiser/dashboard.html")


@bp.get("/fairs/<int:fair_id>/screen")
def screen(fair_id: int):
    """The hall's big screen: the same figures in large type, and no company's name or number."""
    return _live(fair_id, "organiser/screen.html")


def _live(fair_id: int, template: str):
    fair = db.get_or_404(Fair, fair_id)
    etag = f"d{fair.id}-{dashboard_version(fair.id)}-{template}-{language_key()}"
    polled = request.htmx and not request.htmx.boosted
    if polled:
        cached = not_modified(etag)
        if cached is not None:
            return cached
    context = {"fair": fair, "t": compute_tally(fair), "waiting": _longest_waiting(fair),
               "flags_open": satisfaction(fair_id=fair.id).flags_open}
    if polled:
        return tagged(make_response(render_block(template, "live", **context)), etag)
    return render_template(template, **context)


def _longest_waiting(fair: Fair) -> list[ServiceRequest]:
    return db.session.scalars(
        sa.select(ServiceRequest).where(ServiceRequest.fair_id == fair.id, ServiceRequest.status == Status.waiting)
        .order_by(ServiceRequest.created_at).limit(LONGEST_WAITING)
        .options(so.joinedload(ServiceRequest.booth).joinedload(Booth.department),
                 so.joinedload(ServiceRequest.company))).all()
