"""The ledger's pages: the list (filters, the due-soon view, live), an item's page with its moves
and timeline, and the company's verdict from its tracking link. Organisers see every item;
department staff their own department's, from every fair (kiosk.auth.access)."""
from dataclasses import replace
from datetime import date
from functools import cache

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from kiosk import poll_reads
from kiosk.auth.access import ledger_item_or_404, ledger_user_required, organiser_required, request_by_token_or_404
from kiosk.core.extensions import db
from kiosk.core.formtools import clean_text, int_or_none
from kiosk.core.gzipped import Part, gzip_of, part
from kiosk.core.i18n import current_language, language_key
from kiosk.core.refusals import filled
from kiosk.core.rendering import not_modified, render_block, render_block_alone, tagged
from kiosk.core.timeutil import fair_today
from kiosk.figures.ledger import DEFINITIONS, ledger_figures
from kiosk.ledger import forms, moves
from kiosk.ledger import rounds as rules
from kiosk.ledger.company_file import company_file, find_companies
from kiosk.ledger.listing import (
    PER_PAGE,
    SOON_DAYS,
    STATUS_FILTERS,
    LedgerFilter,
    filter_choices,
    ledger_page,
)
from kiosk.ledger.models import Mark, ReconciliationRound
from kiosk.ledger.round_documents import round_pdf, round_xlsx
from kiosk.ledger.timeline import timeline
from kiosk.organiser.setup import download
from kiosk.service_requests.models import CATEGORY_LABELS, STATUS_LABELS
from kiosk.slips.forms import SlipForm

bp = Blueprint("ledger", __name__)

STATUS_FILTER_LABELS = {"awaiting": _l("未销号（办理中及待销号）"), "planned": STATUS_LABELS[moves.PL],
                        "done": STATUS_LABELS[moves.D], "closed_out": STATUS_LABELS[moves.C], "all": _l("全部")}
assert set(STATUS_FILTER_LABELS) == set(STATUS_FILTERS)


@bp.get("/ledger")
@ledger_user_required
def index():
    """The list. Its poll is a 304 while the versions it shows stand still; the list itself (rows and
    figures) is rendered once per process for each (filter, day, version, language) and kept, as the
    booth queue keeps its rows: a new version is a new key, so nothing is ever served stale."""
    wanted = LedgerFilter.from_args(request.args)
    if current_user.is_department_staff:
        wanted = _own_department(wanted)
    today = fair_today()
    # Moves with any of the shown department's items (or any item, for the whole ledger) and with
    # the date: an item falls overdue at midnight with nothing written.
    with poll_reads.reading() as read:
        version, setup = poll_reads.ledger_versions(read, wanted.department)
    etag = (f"L{wanted.department or ''}-{version}-{today}-{request.query_string.decode()}-"
            f"{'o' if current_user.is_organiser else 'd'}-{language_key()}")
    polled = request.htmx and not request.htmx.boosted
    if polled and (cached := not_modified(etag)) is not None:
        return cached
    live = _live(wanted, today, version)
    if polled:
        return tagged(_answer(live), etag)
    page = render_template("ledger/index.html", live=_LIVE_HERE, filters=_filters(wanted, setup),
                           words=_words(current_language()))
    before, _, after = page.partition(_LIVE_HERE)
    # No ETag on the whole page: the browser would revalidate the poll with it, and a 304 would hand
    # the poll the whole page to swap in (a page inside the page).
    return _answer(before.encode(), live, after.encode())


#: where the kept list goes in the page (text from the database is escaped, so never this)
_LIVE_HERE = Markup("<!--ledger-live-->")


def _answer(*parts: bytes | Part):
    """The parts as one answer, gzipped where the browser takes it: at level 1 (these pages go to
    office computers, not to phones on 4G), the kept list compressed once (kiosk.core.gzipped). Each
    view gzipped the whole page before: 0.18 ms at level 1 and 0.54 ms at Flask-Compress's 6, of a
    page that takes about 2 ms. (Flask-Compress leaves an answer that says its Content-Encoding.)"""
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = make_response(gzip_of(*parts))
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = make_response(b"".join(p.data if isinstance(p, Part) else p for p in parts))
    response.mimetype = "text/html"
    response.vary.add("Accept-Encoding")
    return response


def _filters(wanted: LedgerFilter, setup: tuple) -> Markup:
    """The views and the filter form, kept like the list: they name every fair, department and
    zone, which change only with a fair's set-up (kiosk.changes moves its setup_version)."""
    language, organiser = current_language(), current_user.is_organiser
    key = ("filters", wanted, language, organiser, setup)
    kept = current_app.extensions.setdefault("ledger_pages", {})
    if (html := kept.get(key)) is None:
        html = Markup(render_block_alone(
            "ledger/index.html", "filters", wanted=wanted, choices=filter_choices(), soon_days=SOON_DAYS,
            status_labels=STATUS_FILTER_LABELS, categories=CATEGORY_LABELS, organiser=organiser))
        if len(kept) >= PAGE_CACHE_SIZE:
            kept.clear()
        kept[key] = html
    return html


#: rendered lists kept by each app server process (50 rows: 48 KB and its 6 KB of gzip), with the
#: filter forms (a few KB); when full it starts over
PAGE_CACHE_SIZE = 500
#: rendered rows kept by each process
ROW_CACHE_SIZE = 20_000


def _live(wanted: LedgerFilter, today: date, version: int) -> Part:
    """The list and its figures, rendered, encoded and compressed once per (filter, day, version,
    language) by each app server."""
    language = current_language()
    kept = current_app.extensions.setdefault("ledger_pages", {})
    key = (wanted, today, version, language)
    if (live := kept.get(key)) is None:
        rows, total = ledger_page(wanted, today)
        figures = ledger_figures(today, department_id=wanted.department, fair_id=wanted.fair, zone=wanted.zone)
        live = part(render_block_alone(
            "ledger/index.html", "live", wanted=wanted, total=total, figures=figures, per_page=PER_PAGE,
            words=_words(language), rows_html=Markup("".join(_rendered_rows(rows, today, language)))).encode())
        if len(kept) >= PAGE_CACHE_SIZE:
            kept.clear()
        kept[key] = live
    return live


def _rendered_rows(rows, today: date, language: str) -> list[Markup]:
    """Each row's HTML, once per (row as read, overdue today, language): a changed row is a new key."""
    kept = current_app.extensions.setdefault("ledger_rows", {})
    words = _words(language)
    item_prefix = url_for(".item", item_id=0).removesuffix("0")
    template = current_app.jinja_env.get_template("ledger/_row.html")
    html = []
    for row in rows:
        late = row.overdue_on(today)
        key = (row, late, language)
        if (rendered := kept.get(key)) is None:
            if len(kept) >= ROW_CACHE_SIZE:
                kept.clear()
            rendered = kept[key] = Markup(template.render(row=row, late=late, words=words, item_prefix=item_prefix))
        html.append(rendered)
    return html


@cache
def _words(language: str) -> dict:
    """The list's words in one language, translated once per process (gettext per row cost more than
    the rows' query). The language only keys the cache; gettext reads it from the request."""
    tiles = {"items": _l("台账事项"), "open": _l("办理中"), "done": _l("已办结待销号"), "closed_out": _l("已销号"),
             "closed_out_on_time": _l("按期销号"), "overdue": _l("逾期未销号"), "extended_items": _l("延期事项"),
             "disputed": _l("企业异议")}
    return {"tiles": [(key, str(label)) for key, label in tiles.items()],
            "definitions": {key: str(text) for key, text in DEFINITIONS.items()},
            "definitions_title": str(_l("指标口径")),
            "total_line": str(_l("共 %(n)d 项，按当前完成时限排序。逾期由日期推算：办理中或已办结待销号、且已过当前完成时限。")),
            "headings": [str(h) for h in (_l("编号"), _l("大集 / 部门"), _l("企业与需求"), _l("责任单位 / 责任人"),
                                          _l("原定时限"), _l("当前时限"), _l("状态"))],
            "status": {s: str(label) for s, label in STATUS_LABELS.items()},
            "category": {c: str(label) for c, label in CATEGORY_LABELS.items()},
            "extended": str(_l("延期%(n)d次")), "overdue": str(_l("逾期")), "disputed": str(_l("企业异议")), "none": str(_l("没有符合条件的台账事项。")),
            "ledger": str(_l("需求台账")), "rounds": str(_l("季度对账销号")), "companies": str(_l("一企一档"))}


def _own_department(wanted: LedgerFilter) -> LedgerFilter:
    return replace(wanted, department=current_user.department_id)


@bp.get("/ledger/items/<int:item_id>")
@login_required  # (anyone else than its department and organisers: a 404, as for any request)
def item(item_id: int):
    found = ledger_item_or_404(item_id)
    etag = f"I{found.id}-{found.version}-{fair_today()}-{get_locale()}"
    if request.htmx and not request.htmx.boosted:
        # The item's facts and timeline, polled; the forms stay as the person typed them.
        if (cached := not_modified(etag)) is not None:
            return cached
        return tagged(make_response(render_block("ledger/item.html", "live", **_item_context(found))), etag)
    return render_template("ledger/item.html", **_item_context(found))


#: action -> (form, move, what the move needs from the form)
ACTIONS = {
    "progress": (forms.ProgressForm, moves.progress, lambda f: {"text": f.text.data}),
    "extend": (forms.ExtendForm, moves.extend, lambda f: {
        "new_due": f.new_due.data, "reason": f.reason.data, "today": fair_today()}),
    "reassign": (forms.ReassignForm, moves.reassign, lambda f: {
        "unit": f.unit.data, "person": f.person.data, "reason": f.reason.data}),
    "finish": (forms.FinishForm, moves.finish, lambda f: {"result": f.result.data, "evidence": f.evidence.data}),
    "confirm": (forms.ConfirmForm, moves.confirm, lambda f: {}),
    "send_back": (forms.SendBackForm, moves.send_back, lambda f: {"reason": f.reason.data}),
}
assert set(ACTIONS) <= set(moves.ALLOWED_FROM)

DONE = {
    "progress": _l("已记录办理进展，企业可在进度页看到。"), "extend": _l("已延期，原定完成时限不变，延期次数已记录。"),
    "reassign": _l("已变更责任单位。"), "finish": _l("已申请销号，等待组织方确认。"), "confirm": _l("已销号。"),
    "send_back": _l("已退回部门重办。"),
}


@bp.post("/ledger/items/<int:item_id>/<step>")
@login_required
def act(item_id: int, step: str):
    action = step
    if action not in ACTIONS:
        abort(404)
    form_class, move, arguments = ACTIONS[action]
    found = ledger_item_or_404(item_id)
    if action in moves.ORGANISERS_ONLY and not current_user.is_organiser:
        abort(403)  # only organisers confirm or send back: the department does not close its own work
    form = form_class(prefix=action)
    message, status = None, 200
    if form.validate():
        try:
            move(found, current_user, form.version.data, **arguments(form))
            message = DONE[action]
        except moves.WorkflowError as error:
            db.session.rollback()
            message, status = error.message, 409
            found = ledger_item_or_404(item_id)
    else:
        status = 422
    failed = status != 200
    context = _item_context(found, failed_action=action if failed else None, failed_form=form if failed else None)
    context.update(message=message, message_is_error=failed)
    if request.htmx:
        # Errors are answered 200 so htmx swaps the panel in; the message says what went wrong.
        return render_block("ledger/item.html", "panel", **context)
    return render_template("ledger/item.html", **context), status


def _item_context(found, failed_action=None, failed_form=None) -> dict:
    action_forms = {}
    for action, (form_class, _move, _args) in ACTIONS.items():
        if action == failed_action:
            form = failed_form
            form.version.data = found.version  # a conflict shows the new state; the next save may go on
        else:
            form = form_class(prefix=action, formdata=None, version=found.version)
            if action == "reassign":
                form.unit.data, form.person.data = found.plan_unit, found.plan_person
        action_forms[action] = form
    return {"item": found, "forms": action_forms, "open_action": failed_action, "today": fair_today(),
            "allowed": moves.allowed_moves(found, current_user),
            "steps": timeline(found, organiser=current_user.is_organiser)}


# --- the company's verdict, from its tracking link ---------------------------------------------------

@bp.post("/t/<token>/verdict")
def verdict(token: str):
    """The company confirms the close-out or disputes it: once per item, whoever holds the link."""
    found = request_by_token_or_404(token)
    form = forms.VerdictForm()
    notice, status = None, 200
    if form.validate():
        try:
            moves.company_verdict(found, accepted=form.accepted.data == "yes", rating=form.rating.data,
                                  words=form.words.data)
            notice = "thanks"
        except moves.LedgerRefused as refused:
            db.session.rollback()
            found = request_by_token_or_404(token)
            notice, status = refused.code, 409
    else:
        status = 422
    if request.htmx:
        return render_block("intake/track.html", "status", item=found, slip_form=SlipForm(formdata=None),
                            verdict_form=form if status == 422 else None, verdict_notice=notice)
    if status == 200:
        flash(_l("感谢您的确认！") if found.verdict and found.verdict.accepted
              else _l("您的意见已转回责任部门重新办理，组织方会跟进。"))
        return redirect(url_for("intake.track", token=token), 303)
    return render_template("intake/track.html", item=found, mine=[], slip_form=SlipForm(formdata=None),
                           verdict_form=form if status == 422 else None, verdict_notice=notice), status


# --- a company's file (一企一档) ---------------------------------------------------------------------

@bp.get("/ledger/companies")
@organiser_required
def companies():
    text = clean_text(request.args.get("q", ""))[:200]
    return render_template("ledger/companies.html", q=text, found=find_companies(text))


@bp.get("/ledger/companies/<code>")
@organiser_required
def company(code: str):
    found = company_file(code[:18])
    if found is None:
        abort(404)
    return render_template("ledger/company.html", file=found, today=fair_today())


# --- quarterly reconciliation (对账销号) ---------------------------------------------------------------

@bp.route("/ledger/rounds", methods=["GET", "POST"])
@organiser_required
def rounds():
    year, quarter = rules.quarter_of(fair_today())
    if request.method == "POST":
        try:
            opened = rules.open_round(int_or_none(request.form.get("year")) or 0,
                                      int_or_none(request.form.get("quarter")) or 0, current_user)
        except rules.RoundRefused as refused:
            flash(refused.message, "error")
            return render_template("ledger/rounds.html", rounds=rules.rounds(), year=year, quarter=quarter,
                                   counts=_counts_of_open()), 409
        flash(filled(_l("已开始%(name)s对账，共%(n)d项。"), name=opened.name, n=len(opened.items)))
        return redirect(url_for(".round_page", round_id=opened.id), 303)
    return render_template("ledger/rounds.html", rounds=rules.rounds(), year=year, quarter=quarter,
                           counts=_counts_of_open())


def _counts_of_open() -> dict:
    return {r.id: rules.counts(r) for r in rules.rounds() if not r.is_closed}


@bp.get("/ledger/rounds/<int:round_id>")
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


@bp.post("/ledger/rounds/<int:round_id>/marks")
@organiser_required
def round_marks(round_id: int):
    """One mark for the ticked items: all of them take it, or (a refusal, 409) none does."""
    round_ = db.get_or_404(ReconciliationRound, round_id)
    form = forms.MarkForm()
    if not form.validate():
        return render_template("ledger/round.html", **_round_context(round_, form)), 422
    try:
        marked = rules.mark(round_, form.version.data, form.items.data, Mark(form.mark.data), form.note.data,
                            current_user, today=fair_today(), new_due=form.new_due.data)
    except rules.RoundRefused as refused:
        db.session.rollback()
        round_ = db.get_or_404(ReconciliationRound, round_id)
        form.version.data = round_.version
        flash(refused.message, "error")
        return render_template("ledger/round.html", **_round_context(round_, form)), 409
    flash(filled(_l("已将%(n)d项标为“%(mark)s”。"), n=len(marked), mark=Mark(form.mark.data).label))
    return redirect(url_for(".round_page", round_id=round_.id), 303)


@bp.post("/ledger/rounds/<int:round_id>/close")
@organiser_required
def close_round(round_id: int):
    round_ = db.get_or_404(ReconciliationRound, round_id)
    try:
        rules.close_round(round_, int_or_none(request.form.get("version")) or 0, current_user, today=fair_today())
    except rules.RoundRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        round_ = db.get_or_404(ReconciliationRound, round_id)
        return render_template("ledger/round.html", **_round_context(round_)), 409
    flash(_l("对账已结束，数字已冻结。"))
    return redirect(url_for(".round_page", round_id=round_.id), 303)


@bp.get("/ledger/rounds/<int:round_id>/<kind>")
@organiser_required
def round_document(round_id: int, kind: str):
    round_ = db.get_or_404(ReconciliationRound, round_id)
    if kind not in ("pdf", "xlsx") or not round_.is_closed:
        abort(404)  # its figures are not frozen yet
    return download(*(round_pdf if kind == "pdf" else round_xlsx)(round_))
