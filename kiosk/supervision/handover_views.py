"""The handover's pages (交办, 签收), under /supervision/handover: for organisers, the closed fairs
with how far their receipts have come, a fair's departments with who has not acknowledged, and the
lists to print (one department's, or all in one PDF); for a department's ledger accounts, the
receipt of one item (from its page) or of all it was shown (from its ledger home). Both receipts
are irreversible (kiosk.core.confirmations): refused without the tick, the page they came from is
shown again with its box open. The rules are kiosk.supervision.handover."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from kiosk.auth.access import ledger_item_or_404, ledger_user_required, organiser_required
from kiosk.core import confirmations
from kiosk.core.downloads import download
from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.core.refusals import filled
from kiosk.core.steps import Attempt
from kiosk.core.timeutil import fair_today, now_aware
from kiosk.fairs.models import Fair
from kiosk.ledger import views as ledger_pages
from kiosk.supervision import bp
from kiosk.supervision.handover import acknowledge, acknowledge_all, record_print
from kiosk.supervision.handover_documents import handover_pdf
from kiosk.supervision.handover_figures import RECEIPTS_SHOWN, fair_receipts, fairs_overview

#: the confirmation boxes' ids (macros.html's irreversible): an item's receipt, a department's all
ONE_BOX, ALL_BOX = "receipt", "receipts"


@bp.get("/handover")
@organiser_required
def handover():
    return render_template("supervision/handover.html", fairs=fairs_overview())


@bp.get("/handover/fairs/<int:fair_id>")
@organiser_required
def handover_fair(fair_id: int):
    fair = db.get_or_404(Fair, fair_id)
    today = fair_today()
    return render_template("supervision/handover_fair.html", fair=fair, today=today,
                           departments=fair_receipts(fair, today) if fair.is_closed else [])


@bp.post("/handover/fairs/<int:fair_id>/print")
@organiser_required
def handover_print(fair_id: int):
    """The list of the department posted (every department's when none is), as a PDF download;
    its first print records the handover on each item's trail."""
    fair = db.get_or_404(Fair, fair_id)
    department = request.form.get("department", "")
    department_id = int_or_none(department) if department else None
    if department and department_id is None:
        abort(400)
    for _attempt in range(2):  # a print at the same moment (the list numbered, an item saved): once more
        with Attempt() as tried:
            now = now_aware()
            printed = record_print(fair, current_user, department_id, now=now)
        if tried.refused is None or tried.refused.code != "busy":
            break
    if tried.refused is not None:
        flash(tried.refused.message, "error")
        return redirect(url_for(".handover_fair", fair_id=fair_id), 303)
    if not printed:
        flash(_l("没有可以交办的事项：这个部门在这场大集没有拿出解决方案或转会后办理的需求。"), "error")
        return redirect(url_for(".handover_fair", fair_id=fair_id), 303)
    return download(*handover_pdf(fair, printed, now))


@bp.post("/handover/items/<int:item_id>/acknowledge")
@login_required
def acknowledge_item(item_id: int):
    """签收 of one item, from its page (the version it showed)."""
    item = ledger_item_or_404(item_id)
    if not confirmations.confirmed():
        status = confirmations.refuse(ONE_BOX)
        return ledger_pages.item(item_id), status
    with Attempt() as tried:
        recorded = acknowledge(item, current_user, int_or_none(request.form.get("version", "")))
    if tried.refused is not None:
        flash(tried.refused.message, "error")
        return ledger_pages.item(item_id), 409
    flash(_l("已签收。签收时间已记入办理轨迹。") if recorded else _l("这条事项已经签收过了。"))
    return redirect(url_for("ledger.item", item_id=item_id), 303)


@bp.post("/handover/acknowledge")
@ledger_user_required
def acknowledge_listed():
    """签收 of all the items the department's ledger home listed: their ids, as the page posted them."""
    ids = [int_or_none(value) for value in request.form.getlist("items")]
    if None in ids or len(ids) > RECEIPTS_SHOWN:
        abort(400)
    if not confirmations.confirmed():
        return _ledger_home(confirmations.refuse(ALL_BOX))
    with Attempt() as tried:
        recorded = acknowledge_all(current_user, ids)
    if tried.refused is not None:
        if tried.refused.code == "not_yours":
            abort(404)  # another department's items: to this account they do not exist
        flash(tried.refused.message, "error")
        return _ledger_home(409)
    flash(filled(_l("已签收 %(n)d 项交办事项，签收时间已记入每项的办理轨迹。"), n=recorded) if recorded
          else _l("这些事项都已签收过了。"))
    return redirect(url_for("ledger.index"), 303)


def _ledger_home(status: int):
    response = ledger_pages.index()
    response.status_code = status
    return response
