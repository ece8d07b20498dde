"""Supervision notices' pages, under /supervision/notices: organisers list every notice with its
state, see which departments have red and yellow items, pick a department's items and issue a
notice, and print it; a department's staff see their own department's notices and reply on each
item. A notice of another department does not exist for them (404), whichever way they ask."""
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from kiosk.auth.access import ledger_user_required, organiser_required
from kiosk.core.confirmations import confirmed, refuse
from kiosk.core.downloads import download
from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.core.steps import Attempt
from kiosk.core.timeutil import fair_today
from kiosk.core.workdays import add_working_days
from kiosk.fairs.models import Department
from kiosk.service_requests.models import ServiceRequest
from kiosk.supervision import bp, notices
from kiosk.supervision.colours import SHOWN, ColourRules, behind_words, colour_of, colours_by_department
from kiosk.supervision.forms import NoticeForm, ReplyForm
from kiosk.supervision.models import Colour, NoticeState, SupervisionNotice, SupervisionNoticeItem
from kiosk.supervision.notice_documents import notice_pdf

#: a new notice asks for replies this many working days on, unless the organiser sets another day
REPLY_WORKING_DAYS = 5
#: the colours a new notice offers first: what supervision is for
FIRST_COLOURS = tuple(c for c in SHOWN if c.wants_supervision)
#: the confirmation box of the issue (kiosk.core.confirmations)
ISSUE_BOX = "notice-issue"


def notice_or_404(notice_id: int) -> SupervisionNotice:
    """A notice for the organisers or its department's staff; to anyone else it does not exist."""
    # Its items with their requests and fairs in two queries: the page and the PDF show each.
    notice = db.get_or_404(SupervisionNotice, notice_id, options=[
        so.selectinload(SupervisionNotice.items).joinedload(SupervisionNoticeItem.request)
        .joinedload(ServiceRequest.fair)])
    if not notices.can_see(current_user, notice):
        abort(404)
    return notice


@bp.get("/notices")
@ledger_user_required
def notice_list():
    """Every notice (organisers, by department, state and year) or the department's own."""
    today = fair_today()
    organiser = current_user.is_organiser
    department_id = int_or_none(request.args.get("department")) if organiser else current_user.department_id
    year = int_or_none(request.args.get("year"))
    state = request.args.get("state")
    state = NoticeState(state) if state in NoticeState._value2member_map_ else None
    found = [n for n in notices.notices(department_id=department_id, year=year) if state is None or n.state is state]
    context = {"found": found, "wanted": {"department": department_id, "year": year, "state": state},
               "states": list(NoticeState), "years": notices.years(), "today": today}
    if organiser:
        rules = ColourRules.on(today)
        context.update(by_department=colours_by_department(rules), rules=rules,
                       table_colours=[c for c in SHOWN if c.flagged],
                       departments=db.session.query(Department).order_by(Department.name).all())
    return render_template("supervision/notices.html", **context)


@bp.route("/notices/new", methods=["GET", "POST"])
@organiser_required
def new_notice():
    """A department's items by colour, to tick; the reply-by date and the organisers' words; issued
    once the box is ticked (a numbered document cannot be taken back)."""
    today = fair_today()
    department = db.session.get(Department, int_or_none(request.values.get("department")) or 0)
    wanted = [Colour(c) for c in request.values.getlist("colour") if c in Colour._value2member_map_]
    colours = tuple(c for c in SHOWN if c in wanted) or FIRST_COLOURS
    form = NoticeForm(formdata=None if request.method == "GET" else request.form,
                      reply_by=add_working_days(today, REPLY_WORKING_DAYS))
    status, refused = 200, None
    chosen = _chosen(request.form) if request.method == "POST" else None
    if request.method == "POST":
        if department is None:
            abort(404)
        valid = form.validate()
        if valid and not chosen:
            refused, status = notices.NoticeRefused("no_items").message, 422
        elif valid and not confirmed():
            status = refuse(ISSUE_BOX)
        elif valid:
            with Attempt() as tried:
                notice = notices.issue(department, current_user, chosen, reply_by=form.reply_by.data,
                                       text=form.text.data, today=today)
            if tried.refused is None:
                flash(_l("已发出督办单 %(number)s，共 %(n)d 项。", number=notice.number, n=len(notice.items)))
                return redirect(url_for(".notice", notice_id=notice.id))
            refused, status = tried.refused.message, 409
        else:
            status = 422
    rows, total = notices.candidates(department.id, set(colours), today) if department else ([], 0)
    ticked = set(chosen) if chosen is not None else {item.id for item, colour, _ in rows if colour.wants_supervision}
    rules = ColourRules.on(today)
    return render_template(
        "supervision/notice_new.html", department=department, colours=colours, form=form, rows=rows, total=total,
        ticked=ticked, refused=refused, rules=rules, shown_colours=SHOWN,
        reasons={item.id: behind_words(reasons, rules) for item, _, reasons in rows},
        all_departments=colours_by_department(rules),
        limit=notices.CANDIDATES_SHOWN), status


def _chosen(form) -> dict[int, int]:
    """The ticked items with the version each showed (a hidden field per row)."""
    chosen = {}
    for value in form.getlist("items"):
        item_id = int_or_none(value)
        version = int_or_none(form.get(f"version-{value}"))
        if item_id is not None and version is not None:
            chosen[item_id] = version
    return chosen


@bp.get("/notices/<int:notice_id>")
@login_required
def notice(notice_id: int):
    return _notice_page(notice_or_404(notice_id))


@bp.post("/notices/<int:notice_id>/items/<int:item_id>/reply")
@login_required
def reply(notice_id: int, item_id: int):
    """回复督办 on one item: the department's staff, or an organiser typing in a reply on paper."""
    found = notice_or_404(notice_id)
    entry = next((e for e in found.items if e.request_id == item_id), None)
    if entry is None:
        abort(404)
    form = ReplyForm(prefix=f"reply-{item_id}")
    if not form.validate():
        return _notice_page(found, failed=(item_id, form, None)), 422
    with Attempt() as tried:
        notices.reply(entry, current_user, form.version.data, text=form.text.data)
    if tried.refused is not None:
        return _notice_page(notice_or_404(notice_id), failed=(item_id, form, tried.refused.message)), 409
    flash(_l("已回复 %(ticket)s。", ticket=entry.request.ticket_no))
    return redirect(url_for(".notice", notice_id=notice_id) + f"#entry-{item_id}")


def _notice_page(found: SupervisionNotice, failed: tuple | None = None):
    """The notice with a reply form for each item not yet replied (the one that failed keeps what
    was typed and says why)."""
    today = fair_today()
    rules, issued_rules = ColourRules.on(today), ColourRules.on(found.issued_on)
    forms, messages = {}, {}
    for entry in found.items:
        if entry.is_replied:
            continue
        if failed is not None and failed[0] == entry.request_id:
            form = failed[1]
            form.version.data = entry.version
            messages[entry.request_id] = failed[2]
        else:
            form = ReplyForm(prefix=f"reply-{entry.request_id}", formdata=None, version=entry.version)
        forms[entry.request_id] = form
    return render_template(
        "supervision/notice.html", notice=found, forms=forms, messages=messages, today=today,
        now={e.request_id: colour_of(e.request, rules) for e in found.items},
        # a refusal on an item that has no form any more (replied meanwhile) is said at the top
        refused=failed[2] if failed is not None and failed[0] not in forms else None,
        reasons={e.request_id: behind_words(e.reasons, issued_rules) for e in found.items},
        may_reply=notices.can_see(current_user, found))


@bp.get("/notices/<int:notice_id>.pdf")
@login_required
def notice_document(notice_id: int):
    return download(*notice_pdf(notice_or_404(notice_id)))
