"""The booth's live queue. The tablet polls it every few seconds all day, so the poll is served
lean: through the database driver, without loading the user or the booth, from rows rendered once
and kept; an unchanged queue is a 304."""
from collections import Counter
from datetime import UTC

import sqlalchemy as sa
from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from kiosk.auth.access import booth_or_abort, can_see_booth, poll_viewer
from kiosk.auth.views import home_of
from kiosk.booth import bp
from kiosk.booth.calling_views import calling_bar
from kiosk.core.extensions import db
from kiosk.core.gzipped import gzip_of
from kiosk.core.i18n import language_key
from kiosk.core.kept import kept, kept_each
from kiosk.core.rendering import not_modified, percent, render_block_alone, tagged
from kiosk.core.timeutil import local_time, utcnow
from kiosk.fairs.models import Fair, FairStatus
from kiosk.figures.visits import minutes_between
from kiosk.poll_reads import (
    NEED_PREVIEW,
    QueueRow,
    TransferRow,
    booth_figures,
    queue_rows,
    queue_state,
    reading,
    transferred_out,
)
from kiosk.service_requests.after_fair import AFTER_CLOSE_LABELS
from kiosk.service_requests.calls import LINE_STATE_LABELS
from kiosk.service_requests.models import CATEGORY_LABELS, STATUS_LABELS, Status

#: the 会后办理 tab's key (ServiceRequest.after_close_state's)
HANDED_OVER = "handed_over"
#: queue filters: the tab's key, and the states it shows
FILTERS = {
    "all": None,
    "waiting": [Status.waiting],
    "in_progress": [Status.in_progress],
    "resolved": [Status.resolved],
    "planned": [Status.planned, Status.done, Status.closed_out],
    # 会后办理: handed over at the close while it waits for its result; its row says so, and it is
    # no plan given at the fair, so not among 已出方案's (a tab shown only when the booth has some)
    HANDED_OVER: None,
    "withdrawn": [Status.withdrawn],
}
#: the requests this booth transferred to another: no longer its own, so not among FILTERS' rows
TRANSFERRED = "transferred"
TABS = (*FILTERS, TRANSFERRED)
TAB_LABELS = {"all": _l("全部"), "waiting": _l("待受理"), "in_progress": _l("办理中"), "resolved": _l("现场办结"),
              "planned": _l("已出方案"), "withdrawn": _l("已撤回"), HANDED_OVER: AFTER_CLOSE_LABELS[HANDED_OVER],
              TRANSFERRED: _l("已转出")}


#: the tabs a row of each status shows under, when it was not handed over at the close
_TABS_OF_STATUS = {status: ("all", *(key for key, shown in FILTERS.items() if shown and status in shown))
                   for status in Status}


def _tabs_of(row: QueueRow) -> tuple[str, ...]:
    """The tabs the row shows under: 全部, and those of its status; but a request handed over at the
    close (row.after_close) under 会后办理 alone, as its row reads, rather than under 已出方案."""
    if row.after_close == HANDED_OVER:
        return ("all", HANDED_OVER)
    return _TABS_OF_STATUS[row.status]


#: a waiting row's wait ({n}: whole minutes; app.js fills it in again every 30 s)
WAITED = _l("已等 {n} 分钟")
COLUMN_HEADINGS = (_l("编号"), _l("时间"), _l("企业"), _l("类别"), _l("需求"), _l("状态"))
TRANSFER_HEADINGS = (_l("编号"), _l("转出时间"), _l("企业"), _l("转至"), _l("转办原因"), _l("现状态"))


@bp.get("/")
@login_required
def index():
    if current_user.booth_id or current_user.is_department_staff:
        return redirect(home_of(current_user))
    if not current_user.is_organiser:
        abort(403)
    fairs = db.session.scalars(sa.select(Fair).where(Fair.status != FairStatus.closed)
                               .order_by(Fair.date.desc())).all()
    return render_template("booth/index.html", fairs=fairs)


@bp.get("/booths/<int:booth_id>")
def queue(booth_id: int):
    tab = request.args.get("status", "all")
    tab = tab if tab in TABS else "all"
    if request.htmx and not request.htmx.boosted:
        return _poll(booth_id, tab)
    return _page(booth_id, tab)


def _poll(booth_id: int, tab: str):
    """The queue alone, for the tablet's poll: the kiosk's most frequent request, every few seconds
    from every tablet all day. It shows nothing of the booth or the user but the requests, so
    neither is loaded: the session is checked against the account, the booth's queue version read
    (the rows read after it are at least as new as the ETag says), all through one driver
    connection; an unchanged queue is a 304 and a changed one is rendered from rows kept ready
    (_rendered_rows).
    """
    with reading() as read:
        viewer = poll_viewer(read)
        if viewer is None:  # signed out, or the account's password or standing changed since
            return current_app.login_manager.unauthorized()
        state = queue_state(read, booth_id)
        if state is None or not can_see_booth(viewer, booth_id):
            return _not_here(404 if state is None else 403, viewer)
        # The 已转出 tab names the booths and departments its requests went to: their renaming moves
        # the fair's set-up, not this queue.
        version = f"{state.version}.{state.setup_version}" if tab == TRANSFERRED else state.version
        etag = f"q{booth_id}-{version}-{tab}-{'o' if viewer.is_organiser else 's'}-{language_key()}"
        if (unchanged := not_modified(etag)) is not None:
            return unchanged
        context = _queue_context(read, booth_id, tab, state.fair_closed)
    return tagged(_answer(render_block_alone("booth/queue.html", "queue", **context).encode()), etag)


def _answer(body: bytes):
    """The changed poll's answer, gzipped here at level 1 where the tablet takes it
    (kiosk.core.gzipped, as the ledger's pages): Flask-Compress's level 6 and its own pass over the
    answer were a sixth of the poll, for a body a twentieth smaller. (Flask-Compress leaves an
    answer that says its Content-Encoding.)"""
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = make_response(gzip_of(body))
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = make_response(body)
    response.vary.add("Accept-Encoding")
    return response


def _not_here(status: int, viewer):
    """The booth is gone, or no longer this account's (its organiser moved it): htmx leaves a
    refused poll's old queue on screen and polls on, so the tablet is sent to its own page."""
    response = make_response("", status)
    response.headers["HX-Redirect"] = home_of(viewer)
    return response


@login_required
def _page(booth_id: int, tab: str):
    booth = booth_or_abort(booth_id)
    with reading() as read:
        context = _queue_context(read, booth.id, tab, booth.fair.is_closed)
    return render_template("booth/queue.html", booth=booth, **context)


def _queue_context(read, booth_id: int, tab: str, fair_closed: bool) -> dict:
    # All the booth's rows in one query: the tab and the counts are taken from them, rather than
    # asked of the database again.
    every = queue_rows(read, booth_id)
    counts = Counter(tab for row in every for tab in _tabs_of(row))  # every changed poll counts them
    moved = transferred_out(read, booth_id, {row.id for row in every})
    words = _words()
    queue_url = kept("queue_urls", (booth_id,), lambda: url_for(".queue", booth_id=booth_id))
    tabs = [(key, f"{queue_url}?status={key}", words["tab_labels"][key], counts[key]) for key in FILTERS
            if key != HANDED_OVER or counts[key] or tab == key]
    tabs.append((TRANSFERRED, f"{queue_url}?status={TRANSFERRED}", words["tab_labels"][TRANSFERRED], len(moved)))
    if tab == TRANSFERRED:
        rows, headings = _transfer_rows(moved, words), words["transfer_headings"]
    else:
        shown = [row for row in every if tab in _tabs_of(row)]
        rows, headings = _rendered_rows(shown, booth_id, words), words["column_headings"]
    return {"booth_id": booth_id, "tab": tab, "tabs": tabs, "queue_url": queue_url,
            "rows": Markup("".join(rows)),
            "figures_line": _figures_line(booth_figures(read, booth_id), words),
            "nav_label": words["nav_label"], "column_headings": headings,
            "fair_closed": fair_closed, "calling": calling_bar(booth_id, every, fair_closed),
            "wait_clock": _wait_clock(words)}


def _transfer_rows(rows, words: dict) -> list[Markup]:
    """The 已转出 tab: where each request went, when and why, and how it stands there. Not linked:
    the request is the other booth's now (auth.access). Each row is kept by its every column as read
    (the booth and department it went to among them) and, added by kept(), the language and path."""
    def render(row: TransferRow) -> Markup:
        text = words["after_close_text"][row.after_close] if row.after_close else words["status_text"][row.status]
        return Markup(current_app.jinja_env.get_template("booth/transfer_row.html").render(
            row=row, status=row.after_close or row.status.value, status_text=text, time=local_time(row.at)))
    return kept_each("transfer_rows", rows, render, most=ROWS_KEPT)


def _figures_line(figures, words: dict) -> str:
    """满意度测评：已收 2 / 3 份 · 满意率 50% · 总体平均 3.5 分"""
    line = words["slips_line"] % {"slips": figures.slips, "done": figures.with_outcome}
    if figures.slips:
        line += " · " + words["satisfied_line"] % {"share": percent(figures.satisfied_share)}
        line += " · " + words["average_line"] % {"avg": f"{figures.averages['overall']:.1f}"}
    return line


#: rendered rows kept by each app server process, the least recently shown first out (a fair day has
#: a few thousand rows)
ROWS_KEPT = 20_000


def _rendered_rows(rows, booth_id: int, words: dict) -> list[Markup]:
    """Each row's HTML, rendered once per (row, viewing booth, language, path served under) and kept.

    A queue changes a row at a time, and every change sends each of its tablets the whole queue
    again: the rows that did not change are taken as they were. The key is the row's every column
    as read, so a changed row is a new key and is never served stale; the viewing booth (a joint
    request's 会商 badge); and, added by kept(), the language (its words) and the path the kiosk is
    served under (its links). Nothing needs invalidating, and each app server keeps its own.
    """
    # A waiting row says how long it has waited, in whole minutes as of now, and stands out past
    # KIOSK_LONG_WAIT_MINUTES: both go with the row into its key (app.js moves them on between polls).
    now, long_wait = utcnow(), current_app.config["LONG_WAIT_MINUTES"]
    shown = [(row, None if row.waiting_since is None else int(minutes_between(row.waiting_since, now)))
             for row in rows]
    return kept_each("queue_rows", shown, lambda item: _render_row(*item, booth_id, words, long_wait),
                     key=(booth_id, long_wait), most=ROWS_KEPT)


def _render_row(row: QueueRow, waited: int | None, booth_id: int, words: dict, long_wait: int) -> Markup:
    need = row.need if len(row.need) <= NEED_PREVIEW else row.need[:NEED_PREVIEW] + "…"
    # A request the close handed over or ended says so, not "plan given" or "withdrawn".
    status, status_text = (row.after_close, words["after_close_text"][row.after_close]) if row.after_close else (
        row.status.value, words["status_text"][row.status])
    shown = (row.id, row.ticket_no, row.lead_booth_id != booth_id, local_time(row.created_at), row.company,
             words["category_text"][row.category], need, status, status_text,
             row.line_mark, words["line_text"].get(row.line_mark), *_waited(row, waited, words, long_wait))
    # A request's page is this prefix and its id (the id ends the URL).
    show_prefix = url_for(".show", request_id=0).removesuffix("0")
    template = current_app.jinja_env.get_template("booth/queue_row.html")
    return Markup(template.render(row=shown, show_prefix=show_prefix))


def _wait_clock(words: dict) -> Markup:
    """What app.js needs to move the rows' waits on between polls (an unchanged queue is a 304, and
    its rows' words stand still): the server's time as it rendered them (the tablet's clock may be
    off), the minutes past which a wait is long, and the words."""
    now = int(utcnow().replace(tzinfo=UTC).timestamp() * 1000)
    return Markup(f'data-now="{now}" data-long-wait="{int(current_app.config["LONG_WAIT_MINUTES"])}" '
                  f'data-waited="{escape(words["waited"])}"')


def _waited(row: QueueRow, waited: int | None, words: dict, long_wait: int) -> tuple:
    """The row's wait: since when (epoch milliseconds, for app.js), its words, and whether it is long."""
    if waited is None:
        return None, None, False
    since = int(row.waiting_since.replace(tzinfo=UTC).timestamp() * 1000)
    return since, words["waited"].replace("{n}", str(waited)), waited >= long_wait


def _words() -> dict:
    """The queue's words in the language in force, translated once per process and language (kept()
    keys them by it) rather than on every render."""
    return kept("queue_words", (), _translated_words)


def _translated_words() -> dict:
    return {"status_text": {s: str(label) for s, label in STATUS_LABELS.items()},
            "after_close_text": {key: str(label) for key, label in AFTER_CLOSE_LABELS.items()},
            "category_text": {c: str(label) for c, label in CATEGORY_LABELS.items()},
            "line_text": {key: str(label) for key, label in LINE_STATE_LABELS.items()},
            "tab_labels": {key: str(label) for key, label in TAB_LABELS.items()},
            "column_headings": [str(heading) for heading in COLUMN_HEADINGS],
            "transfer_headings": [str(heading) for heading in TRANSFER_HEADINGS],
            "waited": str(WAITED),
            "nav_label": str(_l("按状态筛选")), "slips_line": str(_l("满意度测评：已收 %(slips)d / %(done)d 份")),
            "satisfied_line": str(_l("满意率 %(share)s（含基本满意）")), "average_line": str(_l("总体平均 %(avg)s 分"))}
