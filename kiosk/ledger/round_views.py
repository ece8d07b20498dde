"""The quarterly reconciliation's pages (对账销号), on the ledger's blueprint (/ledger/rounds): open a
round, mark its items, close it, and its frozen PDF and XLSX. Organisers only. The rules are in
kiosk.ledger.rounds; a refusal is caught by kiosk.core.steps.Attempt (rolled back) and shown 409."""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kiosk.auth.access import organiser_required
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
from kiosk.ledger.views import bp


@bp.route("/rounds", methods=["GET", "POST"])
@organiser_required
def rounds():
    status = 200
    if request.method == "POST":
        with Attempt() as tried:
            opened = rules.open_round(int_or_none(request.form.get("year")) or 0,
                                      int_or_none(request.form.get("quarter")) or 0, current_user)
        if tried.refused is None:
            flash(filled(_l("已开始%(name)s对账，共%(n)d项。"), name=opened.name, n=len(opened.items)))
            return redirect(url_for(".round_page", round_id=opened.id), 303)
        flash(tried.refused.message, "error")
        status = 409
    year, quarter = rules.quarter_of(fair_today())
    return render_template("ledger/rounds.html", rounds=rules.rounds(), year=year, quarter=quarter,
                           counts={r.id: rules.counts(r) for r in rules.rounds() if not r.is_closed}), status


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
    context = {"round": round_, "marks": Mark, "today": fair_today()}
    if round_.is_closed:
        context.update(f=round_.frozen)
    else:
        context.update(lines=rules.round_lines(round_), counts=rules.counts(round_),
                       form=form or forms.MarkForm(formdata=None, version=round_.version))
    return context


@bp.post("/rounds/<int:round_id>/marks")
@organiser_required
def round_marks(round_id: int):
    """One mark for the ticked items: all of them take it, or (a refusal, 409) none does."""
    round_ = db.get_or_404(ReconciliationRound, round_id)
    form = forms.MarkForm()
    if not form.validate():
        return render_template("ledger/round.html", **_round_context(round_, form)), 422
    with Attempt() as tried:
        marked = rules.mark(round_, form.version.data, form.items.data, Mark(form.mark.data), form.note.data,
                            current_user, today=fair_today(), new_due=form.new_due.data)
    if tried.refused is not None:
        return _refused(round_id, tried.refused, form)
    flash(filled(_l("已将%(n)d项标为“%(mark)s”。"), n=len(marked), mark=Mark(form.mark.data).label))
    return redirect(url_for(".round_page", round_id=round_.id), 303)


@bp.post("/rounds/<int:round_id>/close")
@organiser_required
def close_round(round_id: int):
    round_ = db.get_or_404(ReconciliationRound, round_id)
    with Attempt() as tried:
        rules.close_round(round_, int_or_none(request.form.get("version")) or 0, current_user, today=fair_today())
    if tried.refused is not None:
        return _refused(round_id, tried.refused)
    flash(_l("对账已结束，数字已冻结。"))
    return redirect(url_for(".round_page", round_id=round_.id), 303)


def _refused(round_id: int, refused: rules.RoundRefused, form=None):
    """The round as it now stands, the refusal above it; a mark's form keeps what was ticked and typed,
    at the round's new version."""
    flash(refused.message, "error")
    round_ = db.get_or_404(ReconciliationRound, round_id)
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
