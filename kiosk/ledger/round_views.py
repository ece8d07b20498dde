"""The quarterly reconciliation's pages (对账销号), on the ledger's blueprint (/ledger/rounds): open a
round, mark its items (a select-all of its own), bring its list up to date, close it or delete it
(both irreversible: kiosk.core.confirmations), and its frozen PDF and XLSX. Organisers only. The
rules are in kiosk.ledger.rounds; a refusal is caught by kiosk.core.steps.Attempt (rolled back) and
shown 409."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kiosk.auth.access import organiser_required
from kiosk.core import confirmations
from kiosk.core.downloads import download
from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.core.refusals import filled
from kiosk.core.rendering import not_modified, render_block, tagged
from kiosk.core.steps import Attempt
from kiosk.core.timeutil import fair_today
from kiosk.ledger import forms
from kiosk.ledger import rounds as rules
from kiosk.ledger.models import Mark, ReconciliationRound
from kiosk.ledger.round_documents import round_pdf, round_xlsx
from kiosk.ledger.round_figures import DEFINITIONS
from kiosk.ledger.views import bp

#: the select-all's buttons in the marks' form (a submit of their own: no script needed): which lines
#: each ticks
SELECTIONS = ("all", "unmarked", "none")


@bp.route("/rounds", methods=["GET", "POST"])
@organiser_required
def rounds():
    status = 200
    today = fair_today()
    if request.method == "POST":
        with Attempt() as tried:
            opened = rules.open_round(int_or_none(request.form.get("year")) or 0,
                                      int_or_none(request.form.get("quarter")) or 0, current_user, today=today)
        if tried.refused is None:
            flash(filled(_l("已开始%(name)s对账，共%(n)d项。"), name=opened.name, n=len(opened.items)))
            return redirect(url_for(".round_page", round_id=opened.id), 303)
        flash(tried.refused.message, "error")
        status = 409
    year, quarter = rules.quarter_of(today)
    every = rules.rounds()
    return render_template("ledger/rounds.html", rounds=every, year=year, quarter=quarter,
                           counts={r.id: rules.counts(r) for r in every if not r.is_closed}), status


@bp.get("/rounds/<int:round_id>")
@organiser_required
def round_page(round_id: int):
    round_ = db.get_or_404(ReconciliationRound, round_id)
    etag = f"R{round_.id}-{round_.version}-{get_locale()}"
    if request.htmx and not request.htmx.boosted:
        if (cached := not_modified(etag)) is not None:
            return cached
        return tagged(make_response(render_block("ledger/round.html", "live", **_round_context(round_))), etag)
    return render_template("ledger/round.html", **_round_context(round_))


def _round_context(round_, form=None) -> dict:
    context = {"round": round_, "marks": Mark, "today": fair_today(), "definitions": _definitions(round_),
               "ends_on": rules.quarter_end(round_.year, round_.quarter)}
    if round_.is_closed:
        context.update(f=round_.frozen)
    else:
        lines = rules.round_lines(round_)
        form = form or forms.MarkForm(formdata=None, version=round_.version)
        context.update(lines=lines, counts=rules.counts(round_), form=form, missing=rules.missing(round_),
                       changed=[line for line in lines if not line.holds],
                       selected=len(form.items.data or []))
    return context


def _definitions(round_) -> dict:
    """Each figure's definition: in Chinese, as frozen with a closed round's figures (what its PDF and
    XLSX print); in the reader's language otherwise (or for a round frozen before they were)."""
    frozen = (round_.frozen or {}).get("definitions")
    if frozen and str(get_locale()).startswith("zh"):
        return frozen
    return DEFINITIONS


@bp.post("/rounds/<int:round_id>/marks")
@organiser_required
def round_marks(round_id: int):
    """One mark for the ticked items: all of them take it, or (a refusal, 409) none does. The
    select-all's buttons post here too: the page again, with those items ticked and the rest as typed."""
    round_ = db.get_or_404(ReconciliationRound, round_id)
    form = forms.MarkForm()
    if (selection := request.form.get("select")) in SELECTIONS:
        if round_.is_closed:
            return redirect(url_for(".round_page", round_id=round_.id), 303)
        lines = rules.round_lines(round_)
        form.items.data = [line.item.id for line in lines
                           if selection == "all" or (selection == "unmarked" and _to_mark(line))]
        form.version.data = round_.version
        return render_template("ledger/round.html", **_round_context(round_, form))
    if not form.validate():
        return render_template("ledger/round.html", **_round_context(round_, form)), 422
    with Attempt() as tried:
        marked = rules.mark(round_, form.version.data, form.items.data, Mark(form.mark.data), form.note.data,
                            current_user, today=fair_today(), new_due=form.new_due.data)
    if tried.refused is not None:
        return _refused(round_id, tried.refused, form)
    flash(filled(_l("已将%(n)d项标为“%(mark)s”。"), n=len(marked), mark=Mark(form.mark.data).label))
    return redirect(url_for(".round_page", round_id=round_.id), 303)


def _to_mark(line: rules.RoundLine) -> bool:
    """Still to be marked: no mark yet, or one no longer true of the item."""
    return line.entry.mark is None or not line.holds


@bp.post("/rounds/<int:round_id>/refresh")
@organiser_required
def refresh_round(round_id: int):
    """Add the items planned since the round was opened (a fair later in the quarter)."""
    round_ = db.get_or_404(ReconciliationRound, round_id)
    with Attempt() as tried:
        added = rules.refresh_list(round_, int_or_none(request.form.get("version")) or 0)
    if tried.refused is not None:
        return _refused(round_id, tried.refused)
    flash(filled(_l("已将%(n)d项加入清单，请标记。"), n=len(added)) if added
          else _l("清单已是最新，没有需要加入的事项。"))
    return redirect(url_for(".round_page", round_id=round_.id), 303)


@bp.post("/rounds/<int:round_id>/close")
@organiser_required
def close_round(round_id: int):
    round_ = db.get_or_404(ReconciliationRound, round_id)
    if not confirmations.confirmed():
        return _unconfirmed(round_, "round-close")
    with Attempt() as tried:
        rules.close_round(round_, int_or_none(request.form.get("version")) or 0, current_user, today=fair_today())
    if tried.refused is not None:
        return _refused(round_id, tried.refused)
    flash(_l("对账已结束，数字已冻结。"))
    return redirect(url_for(".round_page", round_id=round_.id), 303)


@bp.post("/rounds/<int:round_id>/delete")
@organiser_required
def delete_round(round_id: int):
    """A round nothing of which is marked (an empty one, or one opened by mistake)."""
    round_ = db.get_or_404(ReconciliationRound, round_id)
    if not confirmations.confirmed():
        return _unconfirmed(round_, "round-delete")
    name = round_.name
    with Attempt() as tried:
        rules.delete_round(round_, int_or_none(request.form.get("version")) or 0)
    if tried.refused is not None:
        return _refused(round_id, tried.refused)
    flash(filled(_l("已删除%(name)s的对账。"), name=name))
    return redirect(url_for(".rounds"), 303)


def _unconfirmed(round_, box: str):
    """An irreversible action posted without its tick: nothing done, the page with its box open."""
    if round_.is_closed:  # nothing left to confirm: the round as it stands, with why
        return _refused(round_.id, rules.RoundRefused("closed"))
    status = confirmations.refuse(box)
    return render_template("ledger/round.html", **_round_context(round_)), status


def _refused(round_id: int, refused: rules.RoundRefused, form=None):
    """The round as it now stands, the refusal above it; a mark's form keeps what was ticked and typed,
    at the round's new version. (A round deleted meanwhile: the list of rounds.)"""
    flash(refused.message, "error")
    round_ = db.session.get(ReconciliationRound, round_id)
    if round_ is None:
        return redirect(url_for(".rounds"), 303)
    if form is not None:
        form.version.data = round_.version
    return render_template("ledger/round.html", **_round_context(round_, form)), 409


@bp.get("/rounds/<int:round_id>/<kind>")
@organiser_required
def round_document(round_id: int, kind: str):
    round_ = db.get_or_404(ReconciliationRound, round_id)
    if kind not in ("pdf", "xlsx") or not round_.is_closed:
        abort(404)  # its figures are not frozen yet
    return download(*(round_pdf if kind == "pdf" else round_xlsx)(round_))
