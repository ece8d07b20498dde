"""The live dashboard on the organiser's laptop and the hall's big screen. Both poll; an unchanged
fair costs one small read and a 304. The hall's own view-only link to the screen is
kiosk.organiser.hall; closing the fair is kiosk.organiser.closing."""
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from kiosk.core.extensions import db
from kiosk.core.i18n import language_key
from kiosk.core.rendering import not_modified, render_block, tagged
from kiosk.core.timeutil import fair_today, utcnow
from kiosk.fairs.models import Booth, Fair, new_screen_token
from kiosk.figures.calls import latest_calls
from kiosk.figures.hall import latest_outcomes
from kiosk.figures.satisfaction import satisfaction
from kiosk.figures.tally import compute_tally
from kiosk.figures.waiting_day import longest_waiting_now
from kiosk.intake.limits import floods
from kiosk.ledger.figures import ledger_figures, overdue_count
from kiosk.organiser import bp
from kiosk.service_requests.models import ServiceRequest, Status
from kiosk.supervision.colours import ColourRules, colour_counts
from kiosk.versions import dashboard_version

#: how many of the longest-waiting requests the dashboard lists
LONGEST_WAITING = 8
#: the hall's big screen, by either link (the organiser's and the hall PC's view-only one)
SCREEN = "organiser/screen.html"


@bp.get("/fairs/<int:fair_id>/dashboard")
def dashboard(fair_id: int):
    return _live(fair_id, "organiser/dashboard.html")


@bp.get("/fairs/<int:fair_id>/screen")
def screen(fair_id: int):
    """The hall's big screen: the same figures in large type, and no company's name or number."""
    return _live(fair_id, SCREEN)


@bp.post("/fairs/<int:fair_id>/screen-link")
def renew_screen_link(fair_id: int):
    """A new hall screen link; the old one answers 404 from now on (a link passed on too far)."""
    fair = db.get_or_404(Fair, fair_id)
    fair.screen_token = new_screen_token()
    db.session.flush()
    flash(_l("已生成新的大屏链接，旧链接已失效。"))
    return redirect(url_for(".fair", fair_id=fair.id) + "#screen-link")


def _live(fair_id: int, template: str):
    return live_page(db.get_or_404(Fair, fair_id), template, url_for(request.endpoint, fair_id=fair_id))


def live_page(fair: Fair, template: str, poll_url: str):
    """The dashboard or the screen of a fair, whole or (for its poll) the live block alone."""
    # The minute too: a flood flag (intake.limits.floods) lapses with time, with nothing written; and
    # the day, which supervision's colours are derived from (kiosk.supervision.colours).
    minute = utcnow().strftime("%Y%m%d%H%M")
    etag = f"d{fair.id}-{dashboard_version(fair.id)}-{minute}-{request.endpoint}-{template}-{language_key()}"
    polled = request.htmx and not request.htmx.boosted
    if polled:
        cached = not_modified(etag)
        if cached is not None:
            return cached
    today = fair_today()
    context = {"fair": fair, "t": compute_tally(fair, with_waits=False), "waiting": _longest_waiting(fair),
               "ledger": ledger_figures(today, fair_id=fair.id), "overdue": overdue_count(today, fair_id=fair.id),
               "flags_open": satisfaction(fair_id=fair.id).flags_open, "poll_url": poll_url,
               "floods": floods(fair.id), "now": utcnow()}
    context["longest_by_booth"] = longest_waiting_now(fair.id, context["now"])  # (the minute is in the ETag)
    context["colour_rules"] = ColourRules.on(today)  # 三色督办: the fair's open ledger items by colour
    context["colours"] = colour_counts(context["colour_rules"], fair_id=fair.id)
    if template == SCREEN:
        context.update(latest=latest_outcomes(fair.id), calls=latest_calls(fair.id))
    if polled:
        return tagged(make_response(render_block(template, "live", **context)), etag)
    return render_template(template, **context)


def _longest_waiting(fair: Fair) -> list[ServiceRequest]:
    return db.session.scalars(
        sa.select(ServiceRequest).where(ServiceRequest.fair_id == fair.id, ServiceRequest.status == Status.waiting)
        .order_by(ServiceRequest.created_at).limit(LONGEST_WAITING)
        .options(so.joinedload(ServiceRequest.booth).joinedload(Booth.department),
                 so.joinedload(ServiceRequest.company))).all()
