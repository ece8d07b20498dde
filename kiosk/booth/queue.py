"""The booth's live queue. The tablet polls it every few seconds; an unchanged queue must cost
next to nothing, so the poll has a fast path that answers 304 before any user is loaded."""
from collections import Counter
from datetime import timezone
from functools import cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from kiosk.auth.access import booth_or_abort, can_see_booth, in_queue_of
from kiosk.auth.views import home_of
from kiosk.booth import bp
from kiosk.companies.models import Company
from kiosk.extensions import db
from kiosk.fairs.models import Fair, FairStatus
from kiosk.i18n import current_language, language_key
from kiosk.rendering import not_modified, render_block, tagged
from kiosk.service_requests.models import CATEGORY_LABELS, STATUS_LABELS, ServiceRequest, Status
from kiosk.slips.figures import satisfaction

#: queue filters: the tab's key, and the states it shows
FILTERS = {
    "all": None,
    "waiting": [Status.waiting],
    "in_progress": [Status.in_progress],
    "resolved": [Status.resolved],
    "planned": [Status.planned, Status.closed_out],
    "withdrawn": [Status.withdrawn],
}
TAB_LABELS = {"all": _l("全部"), "waiting": _l("待受理"), "in_progress": _l("办理中"), "resolved": _l("现场办结"),
              "planned": _l("已出方案"), "withdrawn": _l("已撤回")}
COLUMN_HEADINGS = (_l("编号"), _l("时间"), _l("企业"), _l("类别"), _l("需求"), _l("状态"))
#: waiting first (oldest first: they have waited longest), then in progress, then the rest, newest first
_ORDER = (sa.case((ServiceRequest.status == Status.waiting, 0), (ServiceRequest.status == Status.in_progress, 1),
                  (ServiceRequest.status == Status.withdrawn, 3), else_=2),
          sa.case((ServiceRequest.status == Status.waiting, ServiceRequest.id),
                  (ServiceRequest.status == Status.in_progress, ServiceRequest.id), else_=-ServiceRequest.id))
#: how much of a need the queue shows
NEED_PREVIEW = 60


@bp.get("/")
@login_required
def index():
    if current_user.booth_id:
        return redirect(home_of(current_user))
    if not current_user.is_organiser:
        abort(403)
    fairs = db.session.scalars(sa.select(Fair).where(Fair.status != FairStatus.closed)
                               .order_by(Fair.date.desc())).all()
    return render_template("booth/index.html", fairs=fairs)


@bp.get("/booths/<int:booth_id>")
def queue(booth_id: int):
    tab = request.args.get("status", "all")
    tab = tab if tab in FILTERS else "all"
    if request.htmx and not request.htmx.boosted:
        unchanged = _unchanged_poll(booth_id, tab)
        if unchanged is not None:
            return unchanged
    return _queue(booth_id, tab)


def _unchanged_poll(booth_id: int, tab: str):
    """A 304 from the signed session and one indexed read, before the user is loaded.

    A 304 shows nothing, so the session's word (written at sign-in) is enough to give one; any
    change goes the full way, with every check.
    """
    viewer = session.get("viewer")
    if not request.if_none_match or not viewer or "_user_id" not in session:
        return None
    if not (viewer["organiser"] or viewer["booth"] == booth_id):
        return None
    version = queue_version(booth_id)
    if version is None:
        return None
    return not_modified(_etag(booth_id, version, tab, viewer["organiser"]))


def queue_version(booth_id: int) -> int | None:
    """One number, read through the driver itself: SQLAlchemy's statement machinery costs three times
    the query, and this read is most of what an unchanged poll does."""
    marker = "?" if db.engine.dialect.paramstyle == "qmark" else "%s"
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(f"SELECT queue_version FROM booth WHERE id = {marker}", (booth_id,))
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()  # back to the pool
    return row[0] if row else None


def _etag(booth_id: int, version: int, tab: str, organiser: bool) -> str:
    return f"q{booth_id}-{version}-{tab}-{'o' if organiser else 's'}-{language_key()}"


@login_required
def _queue(booth_id: int, tab: str):
    if request.htmx and not request.htmx.boosted:
        return _fragment(booth_id, tab)
    booth = booth_or_abort(booth_id)
    return render_template("booth/queue.html", booth=booth, **_queue_context(booth.id, tab))


def _fragment(booth_id: int, tab: str):
    """The queue alone, for the tablet's poll. It shows nothing of the booth but its requests, so
    the booth is not loaded: its version is read first (the rows read after it are at least as new
    as the ETag says), then who may see it is checked as booth_or_abort does."""
    version = queue_version(booth_id)
    if version is None:
        abort(404)
    if not can_see_booth(current_user, booth_id):
        abort(403)
    etag = _etag(booth_id, version, tab, current_user.is_organiser)
    if (unchanged := not_modified(etag)) is not None:  # the fast path could not vouch, but it holds
        return unchanged
    fragment = render_block("booth/queue.html", "queue", **_queue_context(booth_id, tab))
    return tagged(make_response(fragment), etag)


def _queue_context(booth_id: int, tab: str) -> dict:
    # All the booth's rows in one query (a booth has tens, not thousands): the tab and the counts
    # are taken from them, rather than asked of the database again. Through the connection: the
    # ORM session's handling costs more than the query, and these are plain rows.
    every = db.session.connection().execute(_ROWS, {"booth_id": booth_id}).all()
    counts = Counter(row.status for row in every)
    tab_counts = {key: len(every) if states is None else sum(counts[s] for s in states)
                  for key, states in FILTERS.items()}
    shown = every if FILTERS[tab] is None else [row for row in every if row.status in FILTERS[tab]]
    labels = _labels(current_language())
    return {"booth_id": booth_id, "tab": tab, "tab_counts": tab_counts, "rows": _rendered_rows(shown, booth_id, labels),
            "queue_url": url_for(".queue", booth_id=booth_id),
            "figures": satisfaction(booth_id=booth_id), **labels}


#: rendered rows kept per process; when full it starts over (a fair day has a few thousand rows)
ROW_CACHE_SIZE = 20_000


def _rendered_rows(rows, booth_id: int, labels: dict) -> list[Markup]:
    """Each row's HTML, rendered once per (row, viewing booth, language) and then kept.

    A queue changes a row at a time, and every change sends each of its tablets the whole queue
    again: the rows that did not change are taken as they were. The key is the row's every column
    as read, so a changed row is a new key and is never served stale; nothing needs invalidating,
    and each app server keeps its own.
    """
    kept = current_app.extensions.setdefault("queue_rows", {})
    language = current_language()
    html = []
    for row in rows:
        key = (row, booth_id, language)
        if (rendered := kept.get(key)) is None:
            if len(kept) >= ROW_CACHE_SIZE:
                kept.clear()
            rendered = kept[key] = _render_row(row, booth_id, labels)
        html.append(rendered)
    return html


def _render_row(row, booth_id: int, labels: dict) -> Markup:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    shown = (row.id, row.ticket_no, row.booth_id != booth_id,
             row.created_at.replace(tzinfo=timezone.utc).astimezone(zone).strftime("%H:%M"),
             row.company, labels["category_text"][row.category],
             row.need if len(row.need) <= NEED_PREVIEW else row.need[:NEED_PREVIEW] + "…",
             row.status.value, labels["status_text"][row.status])
    template = current_app.jinja_env.get_template("booth/queue_row.html")
    return Markup(template.render(row=shown, show_prefix=url_for(".show", request_id=0)[:-1]))


@cache
def _labels(language: str) -> dict:
    """The queue's words in one language, translated once per process rather than once per row.

    The language is passed only to key the cache; gettext reads it from the request as usual.
    """
    return {"status_text": {s: str(label) for s, label in STATUS_LABELS.items()},
            "category_text": {c: str(label) for c, label in CATEGORY_LABELS.items()},
            "tab_labels": {key: str(label) for key, label in TAB_LABELS.items()},
            "column_headings": [str(heading) for heading in COLUMN_HEADINGS]}


# The queue's statements are built once, with the booth as a parameter: building and caching a
# statement per poll cost more than running it.
_MINE = in_queue_of(sa.bindparam("booth_id"))
#: plain rows, not ORM objects: the queue is rendered every time it changes, for every tablet
_ROWS = (sa.select(ServiceRequest.id, ServiceRequest.ticket_no, ServiceRequest.created_at, ServiceRequest.status,
                       ServiceRequest.category, ServiceRequest.booth_id, Company.name.label("company"),
                       sa.func.substr(ServiceRequest.need, 1, NEED_PREVIEW + 1).label("need"))
             .join(Company).where(_MINE).order_by(*_ORDER))
