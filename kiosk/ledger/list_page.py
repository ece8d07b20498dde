"""The ledger's list as a page: the filters' form, the list with its figures, and the answer, gzipped.

Organisers keep the list open all day and it polls, so each app server keeps what it renders
(kiosk.core.kept, which adds the language and the path served under to every key): each row, the
list with its figures (encoded and compressed once, kiosk.core.gzipped) and the filters' form. A key
holds every version the copy is made from, so a change is a new key and nothing is served stale:
- the department's ledger version (every department's, summed, for the whole ledger): its items, and
  the fairs, booths and department its rows name (kiosk.changes moves it);
- the set-up the rows and the filters name: how many fairs, their set-up versions summed (zones,
  booths, departments at a booth), how many departments;
- for the organisers' filter, which names every department: every department's ledger version,
  summed (a department renamed moves its own, though it has no booth);
- the day (an item falls overdue at midnight with nothing written) and the role.
"""
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from flask import current_app, make_response, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from kiosk import poll_reads
from kiosk.core.gzipped import Part, gzip_of, part
from kiosk.core.i18n import language_key
from kiosk.core.kept import kept
from kiosk.core.rendering import render_block_alone
from kiosk.core.timeutil import fair_today
from kiosk.ledger.extension_list import waiting_count
from kiosk.ledger.figures import DEFINITIONS, ledger_figures
from kiosk.ledger.listing import (
    PER_PAGE,
    SOON_DAYS,
    STATUS_FILTERS,
    LedgerFilter,
    LedgerRow,
    filter_choices,
    ledger_page,
)
from kiosk.service_requests.after_fair import AFTER_CLOSE_LABELS
from kiosk.service_requests.models import CATEGORY_LABELS, STATUS_LABELS, Status
from kiosk.supervision.colours import ColourRules, colour_counts
from kiosk.supervision.models import BEHIND_WORDS, COLOUR_LABELS
from kiosk.supervision.notices import open_notices

STATUS_FILTER_LABELS = {"awaiting": _l("未销号（办理中及待销号）"), "planned": STATUS_LABELS[Status.planned],
                        "done": STATUS_LABELS[Status.done], "closed_out": STATUS_LABELS[Status.closed_out],
                        "all": _l("全部"), "parked": _l("挂账中"), "parking_asked": _l("挂账待审批")}
assert set(STATUS_FILTER_LABELS) == set(STATUS_FILTERS)

#: lists kept by each app server process (50 rows: 48 KB and its 6 KB of gzip)
LISTS_KEPT = 500
#: filters' forms kept (a few KB each)
FILTERS_KEPT = 500
#: rows kept
ROWS_KEPT = 20_000

#: where the kept list goes in the page (text from the database is escaped, so never this)
_LIVE_HERE = Markup("<!--ledger-live-->")


class Versions(NamedTuple):
    """What the list and its filters are made from, as they stand (kiosk.versions)."""
    #: the shown department's ledger version, or every department's summed for the whole ledger
    ledger: int
    #: how many fairs, their set-up versions summed, how many departments
    setup: tuple[int, ...]
    #: every department's ledger version, summed: the organisers' filter names every department
    departments: int

    @classmethod
    def read(cls, department_id: int | None) -> "Versions":
        with poll_reads.reading() as read:
            ledger, (fairs, setups, departments, every_ledger) = poll_reads.ledger_versions(read, department_id)
        return cls(ledger, (fairs, setups, departments), every_ledger)


@dataclass(frozen=True)
class Shown:
    """One view of the list: what is asked, by whom, on what day, at which versions."""
    wanted: LedgerFilter
    organiser: bool
    today: date
    versions: Versions

    @classmethod
    def now(cls, wanted: LedgerFilter, organiser: bool) -> "Shown":
        return cls(wanted, organiser, fair_today(), Versions.read(wanted.department))

    @property
    def etag(self) -> str:
        """The poll's: the list's key, with the query and what decides the language (cheaper than
        deciding it)."""
        w, v = self.wanted, self.versions
        return (f"L{w.department or ''}-{v.ledger}-{'.'.join(map(str, v.setup))}-{self.today}-"
                f"{request.query_string.decode()}-{'o' if self.organiser else 'd'}-{language_key()}-"
                f"{request.script_root}")


def page(shown: Shown) -> tuple[bytes, Part, bytes]:
    """The whole page, as the frame around the kept list."""
    html = render_template("ledger/index.html", live=_LIVE_HERE, filters=_filters(shown), words=_words(),
                           extensions_waiting=_extensions_waiting(shown))
    before, _, after = html.partition(_LIVE_HERE)
    return before.encode(), live(shown), after.encode()


def _extensions_waiting(shown: Shown) -> int:
    """How many extension requests wait (every department's for organisers, one's own for its staff),
    for the link in the frame. Kept by the ledger versions of what it counts: a request asked for or
    decided moves its department's (kiosk.changes), so the frame reads no count of its own."""
    department = None if shown.organiser else shown.wanted.department
    version = shown.versions.departments if department is None else shown.versions.ledger
    return kept("ledger_extensions_waiting", (department, version, shown.versions.setup),
                lambda: waiting_count(department), most=64)


def live(shown: Shown) -> Part:
    """The list and its figures, rendered, encoded and compressed once per key by each app server."""
    # (the colours' settings too: their definitions state them)
    key = (shown.wanted, shown.today, shown.versions.ledger, shown.versions.setup, shown.organiser,
           ColourRules.on(shown.today).settings)
    return kept("ledger_list", key, lambda: _render_live(shown), most=LISTS_KEPT)


def _render_live(shown: Shown) -> Part:
    wanted, today = shown.wanted, shown.today
    rows, total = ledger_page(wanted, today)
    figures = ledger_figures(today, department_id=wanted.department, fair_id=wanted.fair, zone=wanted.zone)
    # supervision (kiosk.supervision): the counts by colour over the same scope, and one department's
    # notices still waiting for replies (a notice or a reply moves its department's ledger version)
    rules = ColourRules.on(today)
    supervision = {"colour_rules": rules, "colours": colour_counts(
        rules, department_id=wanted.department, fair_id=wanted.fair, zone=wanted.zone),
        "supervision_notices": open_notices(wanted.department) if wanted.department is not None else [],
        "organiser": shown.organiser}
    return part(render_block_alone(
        "ledger/index.html", "live", wanted=wanted, total=total, figures=figures, per_page=PER_PAGE,
        words=_words(), rows_html=_rows_html(rows, today), **supervision).encode())


def _rows_html(rows: list[LedgerRow], today: date) -> Markup:
    """Each row's HTML, once per (row as read, overdue today): a changed row is a new key."""
    words = _words()
    item_prefix = url_for("ledger.item", item_id=0).removesuffix("0")
    template = current_app.jinja_env.get_template("ledger/_row.html")

    def rendered(row: LedgerRow, late: bool) -> Markup:
        return kept("ledger_row", (row, late), lambda: Markup(template.render(
            row=row, late=late, words=words, item_prefix=item_prefix)), most=ROWS_KEPT)
    return Markup("".join(rendered(row, row.overdue_on(today)) for row in rows))


def _filters(shown: Shown) -> Markup:
    """The views and the filter form: they name every fair and zone, and for organisers every
    department."""
    versions, organiser = shown.versions, shown.organiser
    key = (shown.wanted, organiser, versions.setup, versions.departments if organiser else None)
    return kept("ledger_filters", key, lambda: Markup(render_block_alone(
        "ledger/index.html", "filters", wanted=shown.wanted, choices=filter_choices(), soon_days=SOON_DAYS,
        status_labels=STATUS_FILTER_LABELS, categories=CATEGORY_LABELS, organiser=organiser)), most=FILTERS_KEPT)


def answer(*parts: bytes | Part):
    """The parts as one answer, gzipped where the browser takes it: at level 1 (these pages go to
    office computers, not to phones on 4G), the kept list compressed once (kiosk.core.gzipped). Each
    view gzipped the whole page before, a tenth to a quarter of its time (bench/RESULTS.md).
    (Flask-Compress leaves an answer that says its Content-Encoding.)"""
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = make_response(gzip_of(*parts))
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = make_response(b"".join(p.data if isinstance(p, Part) else p for p in parts))
    response.mimetype = "text/html"
    response.vary.add("Accept-Encoding")
    return response


def _words() -> dict:
    """The list's words in the language in force, translated once per process (gettext per row cost
    more than the rows' query)."""
    return kept("ledger_words", (), _translated_words, most=8)


def _translated_words() -> dict:
    tiles = {"items": _l("台账事项"), "open": _l("办理中"), "done": _l("已办结待销号"), "closed_out": _l("已销号"),
             "closed_out_on_time": _l("按期销号"), "overdue": _l("逾期未销号"), "extended_items": _l("延期事项"),
             "disputed": _l("企业异议"), "parked": _l("挂账")}
    return {"tiles": [(key, str(label)) for key, label in tiles.items()],
            "definitions": {key: str(text) for key, text in DEFINITIONS.items()},
            "definitions_title": str(_l("指标口径")),
            "total_line": str(_l(
                "共 %(n)d 项，按当前完成时限排序。逾期由日期推算：办理中或已办结待销号、且已过当前完成时限（挂账的不计）。")),  # noqa: E501
            "headings": [str(h) for h in (_l("编号"), _l("大集 / 部门"), _l("企业与需求"), _l("责任单位 / 责任人"),
                                          _l("原定时限"), _l("当前时限"), _l("状态"))],
            "status": {s: str(label) for s, label in STATUS_LABELS.items()},
            "after_close": {key: str(label) for key, label in AFTER_CLOSE_LABELS.items()},
            "category": {c: str(label) for c, label in CATEGORY_LABELS.items()},
            "extended": str(_l("延期%(n)d次")), "overdue": str(_l("逾期")), "disputed": str(_l("企业异议")),
            "none": str(_l("没有符合条件的台账事项。")),
            "ledger": str(_l("需求台账")), "rounds": str(_l("季度对账销号")), "companies": str(_l("一企一档")),
            # supervision's words on a row (kiosk.supervision.models)
            "colour": {c: str(label) for c, label in COLOUR_LABELS.items()},
            "behind": {b: str(label) for b, label in BEHIND_WORDS.items()}}
