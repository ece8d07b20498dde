"""The close page: what is still open, each request's end as the organiser chooses it (handed to its
booth's department, 会后办理, or ended with a reason), the reply deadline, and the close itself, an
irreversible action on the confirmation pattern (kiosk.core.confirmations). The rules are
kiosk.organiser.fair_lifecycle's; this page parses, calls and renders.

Every open request is listed with a select of its own (end-<id>), set to hand over unless the
organiser changes it; the bulk buttons (set_all) are submits that bring the page back with every
select set alike, so they work without a script. Whatever the organiser set is kept through every
refusal: a deadline to mend, a missing tick, a request filed meanwhile (listed then, set to hand
over, with the others as they were)."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kiosk.core.confirmations import confirmed, refuse
from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.core.refusals import filled
from kiosk.core.timeutil import fair_today
from kiosk.fairs.models import Fair
from kiosk.figures.tally import compute_tally
from kiosk.organiser import bp
from kiosk.organiser.fair_lifecycle import (
    FairMoveRefused,
    NewlyOpen,
    close_fair,
    default_reply_due,
    open_requests,
)
from kiosk.organiser.forms import CloseForm
from kiosk.service_requests.after_fair import EndReason

#: the confirmation box's id (macros.html's irreversible pattern)
BOX = "fair-close"
#: a request's end as its select posts it: hand it over, or one of the reasons to end it
HAND_OVER = "handover"
ENDS = {HAND_OVER: None, **{reason.value: reason for reason in EndReason}}
#: the bulk buttons: every request handed over, or every one ended as the company did not come back
BULK = (HAND_OVER, EndReason.no_return.value)

CLOSED = _l("大集已闭幕，统计已冻结。")
HANDED_OVER = _l("%(n)d项转会后办理，答复时限%(due)s。")
ENDED = _l("%(n)d项已结束。")
SETTLED_MEANWHILE = _l("%(tickets)s 在您查看后已有办理结果，按其结果计入。")
BAD_CHOICE = _l("有需求的去向没有选好，请逐项核对。")


@bp.route("/fairs/<int:fair_id>/close", methods=["GET", "POST"])
def close(fair_id: int):
    """The close page (GET), a bulk setting (POST with set_all: nothing closes), or the close."""
    fair = db.get_or_404(Fair, fair_id)
    if not fair.is_open:
        flash(FairMoveRefused("illegal").message, "error")
        return redirect(url_for(".fair", fair_id=fair.id))
    form = CloseForm()
    listed = open_requests(fair)
    if request.method == "GET":
        form.due.data = default_reply_due(fair_today())
        return _page(fair, form, listed, {})
    posted = _posted_choices()
    if (everyone := request.form.get("set_all")) in BULK:
        return _page(fair, form, listed, {item.id: everyone for item in listed})
    if not form.validate():
        return _page(fair, form, listed, posted, status=422)
    if any(value not in ENDS for value in posted.values()):
        return _page(fair, form, listed, posted, message=BAD_CHOICE, status=422)
    if not confirmed():
        return _page(fair, form, listed, posted, status=refuse(BOX))
    try:
        closed = close_fair(fair, current_user, {item_id: ENDS[value] for item_id, value in posted.items()},
                            due=form.due.data)
    except NewlyOpen as refused:
        # Nothing is closed: the page again, the new ones listed (set to hand over) beside the rest.
        db.session.rollback()
        return _page(fair, form, open_requests(fair), posted, message=refused.message, status=409)
    except FairMoveRefused as refused:
        db.session.rollback()
        if refused.code.startswith("due_"):
            form.due.errors = [refused.message]
            return _page(fair, form, open_requests(fair), posted, status=422)
        return _page(fair, form, open_requests(fair), posted, message=refused.message, status=409)
    words = [str(CLOSED)]
    if closed.handed_over:
        words.append(str(filled(HANDED_OVER, n=len(closed.handed_over), due=form.due.data.isoformat())))
    if closed.ended:
        words.append(str(filled(ENDED, n=len(closed.ended))))
    if closed.settled_meanwhile:
        words.append(str(filled(SETTLED_MEANWHILE, tickets="、".join(closed.settled_meanwhile))))
    # Chinese sentences follow one another with nothing between them; English ones with a space.
    flash(("" if get_locale().language == "zh" else " ").join(words))
    return redirect(url_for(".fair", fair_id=fair.id))


def _posted_choices() -> dict[int, str]:
    """Each listed request's end as posted (end-<id>: one of ENDS, checked by the view)."""
    choices = {}
    for name, value in request.form.items():
        if name.startswith("end-") and (item_id := int_or_none(name.removeprefix("end-"))) is not None:
            choices[item_id] = value
    return choices


def _page(fair: Fair, form: CloseForm, listed, choices: dict[int, str], *, message=None, status: int = 200):
    """The page, each listed request with its end as chosen (hand over where nothing was chosen:
    the default, and what a request filed meanwhile starts with)."""
    rows = [(item, choices.get(item.id, HAND_OVER)) for item in listed]
    return render_template(
        "organiser/close.html", fair=fair, form=form, t=compute_tally(fair), rows=rows, message=message,
        box=BOX, end_choices=ENDS, hand_over=HAND_OVER, bulk=BULK, reasons=list(EndReason),
        waiting=sum(item.status.awaits_staff for item in listed),
        in_progress=sum(item.status.in_hand for item in listed),
        working_days=current_app.config["AFTER_FAIR_REPLY_WORKING_DAYS"]), status
