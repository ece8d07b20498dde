"""The common-bottleneck analysis (共性堵点): the ledger items that got stuck, across every fair (or the
fairs of a date range, or one fair), grouped by the cause they were parked for × their category ×
their department, with the companies affected and the categories that come back to the same
company (一企一档). What the organisers' monthly meeting turns into reform. The page, its PDF and its
XLSX are all made from one `analysis()`, so they agree on every figure.

Stuck means any of (an item may be several; each is counted once in `flagged`):
- parked (挂账): ever parked with an organiser's approval; its cause is the latest approved one
  (the request's park_cause copy: kiosk.supervision.parking_models);
- extended (延期): at least one approved extension (its current due date is later than its original);
- disputed (异议): the company disputed its close-out;
- overdue (逾期): overdue on the day, as everywhere (a parked item is not).

One GROUP BY pass over the items in scope reads every figure (by group and company, so that each
level counts its companies once); one more reads whether those companies brought the same category
to other fairs. Figures read models only.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, Fair
from kiosk.figures.charts import nice_scale
from kiosk.ledger.company_file import RECURS_AT_FAIRS
from kiosk.ledger.models import CloseOutVerdict
from kiosk.service_requests.after_fair import ParkCause
from kiosk.service_requests.models import Category, ServiceRequest, Status, overdue_on_sql

#: the ways an item is stuck, in the order every table and chart gives them
FLAGS = ("parked", "extended", "disputed", "overdue")
#: the states of a ledger item (a plan given at a fair, open, done or closed out)
LEDGER_STATES = tuple(s for s in Status if s.has_plan)

#: each figure's definition, shown where it is (page, PDF, XLSX)
DEFINITIONS = {
    "scope": _l("统计范围：各场大集（可按大集日期或单场大集筛选）现场拿出解决方案、列入需求台账的事项，按目前的牵头部门计"),  # noqa: E501
    "parked": _l("挂账：经组织方批准挂账过的事项（含仍在挂账和已恢复办理的），按最近一次批准的挂账原因归类"),
    "parked_now": _l("仍在挂账：统计当天仍在挂账、尚未到复核日期的"),
    "extended": _l("延期：至少有一次延期经组织方批准的事项（待审批和未获批准的不计）"),
    "disputed": _l("异议：企业对销号结果提出异议、退回部门重办的事项"),
    "overdue": _l("逾期：统计当天办理中或已办结待销号、且已过当前完成时限的事项（挂账中的不计）"),
    "flagged": _l("堵点事项：属于挂账、延期、异议、逾期任一种的事项；一个事项可同时属于几种，只计一次"),
    "companies": _l("涉及企业：堵点事项所属的企业，按统一社会信用代码计，每家只计一次"),
    "recurring": _l("反复反映：涉及企业中，同一类别的需求在两场及以上大集提出过的企业（全部大集，不限于筛选范围；撤回的不计）"),  # noqa: E501
}


@dataclass(frozen=True)
class Scope:
    """Which items: those of one fair, or of the fairs held between two days (either may be open)."""
    fair_id: int | None = None
    since: date | None = None
    until: date | None = None


@dataclass
class Counts:
    parked: int = 0
    parked_now: int = 0
    extended: int = 0
    disputed: int = 0
    overdue: int = 0
    flagged: int = 0
    #: the companies affected: their ids while counting, then how many
    company_ids: set = field(default_factory=set, repr=False)

    @property
    def companies(self) -> int:
        return len(self.company_ids)

    def add(self, company_id: int, parked: int, parked_now: int, extended: int, disputed: int, overdue: int,
            flagged: int) -> None:
        self.parked += parked
        self.parked_now += parked_now
        self.extended += extended
        self.disputed += disputed
        self.overdue += overdue
        self.flagged += flagged
        self.company_ids.add(company_id)

    def as_dict(self) -> dict:
        return {**{name: getattr(self, name) for name in (*FLAGS, "parked_now", "flagged")},
                "companies": self.companies}


@dataclass(frozen=True)
class Line:
    """One row of a table: what it is (its key, its name), its counts, the companies that recur."""
    key: str
    #: a department's name, or a category's or cause's label (shown in the language of the page)
    name: object
    counts: Counts
    #: category rows: the companies affected that brought this category to more than one fair
    recurring: int | None = None


@dataclass(frozen=True)
class Group:
    """A cause × category × department with stuck items (cause None: not parked)."""
    cause: ParkCause | None
    category: Category
    department_id: int
    department: str
    counts: Counts


@dataclass(frozen=True)
class Analysis:
    scope: Scope
    #: the fair named by the scope, if one: (name, date)
    fair: tuple[str, date] | None
    as_of: date
    #: ledger items in scope, stuck or not
    items: int
    totals: Counts
    by_category: list[Line]
    by_department: list[Line]
    #: parked items by cause (parked, parked now, companies)
    by_cause: list[Line]
    #: every cause × category × department with stuck items, the most first
    groups: list[Group]

    @property
    def recurring(self) -> int:
        return sum(line.recurring or 0 for line in self.by_category)


def _in_scope(query, scope: Scope):
    if scope.fair_id is not None:
        query = query.where(ServiceRequest.fair_id == scope.fair_id)
    if scope.since is not None or scope.until is not None:
        fairs = sa.select(Fair.id)
        if scope.since is not None:
            fairs = fairs.where(Fair.date >= scope.since)
        if scope.until is not None:
            fairs = fairs.where(Fair.date <= scope.until)
        query = query.where(ServiceRequest.fair_id.in_(fairs))
    return query


def flag_conditions(today: date) -> dict:
    """Each way of being stuck as an SQL condition on the request's row."""
    request = ServiceRequest
    disputed = sa.select(CloseOutVerdict.request_id).where(sa.not_(CloseOutVerdict.accepted))
    return {"parked": request.park_cause.is_not(None),
            "parked_now": sa.and_(request.status == Status.planned, request.parked_until > today),
            "extended": request.current_due > request.plan_due,
            "disputed": request.id.in_(disputed),
            "overdue": overdue_on_sql(today)}


def stuck_items(scope: Scope, today: date, *columns):
    """The statement for the stuck ledger items in scope (the columns given, joined to their booth)."""
    flags = flag_conditions(today)
    query = (sa.select(*columns).select_from(ServiceRequest).join(Booth, ServiceRequest.booth_id == Booth.id)
             .where(ServiceRequest.status.in_(LEDGER_STATES), sa.or_(*(flags[name] for name in FLAGS))))
    return _in_scope(query, scope)


def analysis(scope: Scope, today: date) -> Analysis:
    request, flags = ServiceRequest, flag_conditions(today)
    rows = db.session.execute(stuck_items(
        scope, today, request.park_cause, request.category, Booth.department_id, request.company_id,
        *(sa.func.count().filter(flags[name]) for name in (*FLAGS, "parked_now")), sa.func.count())
        .group_by(request.park_cause, request.category, Booth.department_id, request.company_id)).all()
    totals = Counts()
    groups, categories, departments, causes = (defaultdict(Counts) for _ in range(4))
    for cause, category, department_id, company_id, parked, extended, disputed, overdue, parked_now, n in rows:
        counted = (company_id, parked, parked_now, extended, disputed, overdue, n)
        for counts in (totals, groups[(cause, category, department_id)], categories[category],
                       departments[department_id]):
            counts.add(*counted)
        if parked:
            causes[cause].add(company_id, parked, parked_now, 0, 0, 0, parked)
    names = dict(db.session.execute(sa.select(Department.id, Department.name)
                                    .where(Department.id.in_(list(departments)))).all()) if departments else {}
    recurs = _recurring(scope, today)
    return Analysis(
        scope=scope, fair=_fair(scope), as_of=today,
        items=db.session.scalar(_in_scope(sa.select(sa.func.count()).select_from(request)
                                          .where(request.status.in_(LEDGER_STATES)), scope)),
        totals=totals,
        by_category=[Line(c.value, c.label, categories[c],
                          len(categories[c].company_ids & recurs.get(c, set()))) for c in Category if c in categories],
        by_department=sorted((Line(str(d), names.get(d, "?"), counts) for d, counts in departments.items()),
                             key=lambda line: (-line.counts.flagged, line.name)),
        by_cause=[Line(c.value, c.label, causes[c]) for c in ParkCause if c in causes],
        groups=sorted((Group(cause, category, d, names.get(d, "?"), counts)
                       for (cause, category, d), counts in groups.items()),
                      key=lambda g: (-g.counts.flagged, -g.counts.companies, g.department,
                                     g.cause.value if g.cause else "", g.category.value)))


def _recurring(scope: Scope, today: date) -> dict[Category, set[int]]:
    """For the companies affected, the categories each brought to RECURS_AT_FAIRS fairs or more, at
    any fair (a company's file, 一企一档, flags the same): read through the requests' company index,
    for those companies only."""
    affected = stuck_items(scope, today, ServiceRequest.company_id)
    rows = db.session.execute(
        sa.select(ServiceRequest.category, ServiceRequest.company_id)
        .where(ServiceRequest.company_id.in_(affected), ServiceRequest.status != Status.withdrawn)
        .group_by(ServiceRequest.category, ServiceRequest.company_id)
        .having(sa.func.count(sa.distinct(ServiceRequest.fair_id)) >= RECURS_AT_FAIRS))
    out = defaultdict(set)
    for category, company_id in rows:
        out[category].add(company_id)
    return out


def _fair(scope: Scope) -> tuple[str, date] | None:
    if scope.fair_id is None:
        return None
    found = db.session.execute(sa.select(Fair.name, Fair.date).where(Fair.id == scope.fair_id)).first()
    return tuple(found) if found else None


# --- drill-down: the companies of a group, and their stuck items ------------------------------------

#: the most items a drill-down lists (a group of a whole province's overdue items is for the XLSX)
DRILL_MAX = 500
#: the cause filter that means "not parked"
NOT_PARKED = "none"


@dataclass(frozen=True)
class StuckItem:
    id: int
    ticket_no: str
    fair_name: str
    fair_date: date
    category: Category
    department: str
    cause: ParkCause | None
    #: which of FLAGS it is
    flags: tuple[str, ...]


@dataclass(frozen=True)
class CompanyItems:
    credit_code: str
    name: str
    items: list[StuckItem]


def stuck_companies(scope: Scope, today: date, *, cause: ParkCause | str | None = None,
                    category: Category | None = None, department_id: int | None = None,
                    limit: int = DRILL_MAX) -> tuple[list[CompanyItems], int]:
    """The companies behind a row of the analysis (the filters given; cause NOT_PARKED: items never
    parked), each with its stuck items, by name; and how many items there are in all (the list stops
    at `limit`)."""
    request, flags = ServiceRequest, flag_conditions(today)
    query = stuck_items(scope, today, request.id, request.ticket_no, Fair.name, Fair.date, request.category,
                        Department.name, request.park_cause, request.company_id, request.company_name,
                        *(flags[name] for name in FLAGS)).join(Fair, request.fair_id == Fair.id) \
        .join(Department, Booth.department_id == Department.id)
    if cause == NOT_PARKED:
        query = query.where(request.park_cause.is_(None))
    elif cause is not None:
        query = query.where(request.park_cause == cause)
    if category is not None:
        query = query.where(request.category == category)
    if department_id is not None:
        query = query.where(Booth.department_id == department_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(request.company_name, request.company_id, Fair.date, request.id)
                              .limit(limit)).all()
    codes = dict(db.session.execute(sa.select(Company.id, Company.credit_code)
                                    .where(Company.id.in_({row.company_id for row in rows}))).all())
    out: dict[int, CompanyItems] = {}
    for row in rows:
        *head, company_id, company_name = row[:9]
        item = StuckItem(*head, flags=tuple(name for name, on in zip(FLAGS, row[9:], strict=True) if on))
        out.setdefault(company_id, CompanyItems(codes.get(company_id, ""), company_name, [])).items.append(item)
    return list(out.values()), total


# --- charts: grouped bars, drawn by templates/supervision/analysis_charts.html ------------------------

@dataclass(frozen=True)
class Bar:
    key: str  #: one of FLAGS
    value: int
    width: float  #: in viewBox units (100 = the chart's scale)


@dataclass(frozen=True)
class ChartRow:
    key: str
    label: str
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    rows: list[ChartRow]
    scale: int
    ticks: list[tuple[int, float]]


def grouped_bars(lines: list[Line], series: tuple[str, ...] = FLAGS) -> Chart:
    """A row per line, one bar per series (an item may be in several: the bars are not stacked), on one
    round scale (kiosk.figures.charts.nice_scale) with gridlines."""
    scale = nice_scale(max((getattr(line.counts, key) for line in lines for key in series), default=0))
    rows = [ChartRow(line.key, line.name, [Bar(key, getattr(line.counts, key), _length(getattr(line.counts, key),
                                                                                          scale))
                                           for key in series]) for line in lines]
    step = scale // {1: 5, 2: 4, 5: 5}[int(str(scale)[0])]
    return Chart(rows, scale, [(value, _length(value, scale)) for value in range(0, scale + 1, step)])


def _length(value: int, scale: int) -> float:
    return round(100 * value / scale, 1)


def charts(found: Analysis) -> dict[str, Chart]:
    return {"categories": grouped_bars(found.by_category), "departments": grouped_bars(found.by_department),
            "causes": grouped_bars(found.by_cause, ("parked", "parked_now"))}
