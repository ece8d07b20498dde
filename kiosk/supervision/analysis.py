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

Two statements read every figure: one GROUP BY pass over the stuck items in scope, per cause ×
category × department, listing each group's companies and how many of its items are stuck each
way; and per category the companies that brought it to two fairs or more, from the company × category copy
(kiosk.service_requests.analysis_copies, which also keeps each request's `disputed`), not from
every request. The coarser levels and their companies (each counted once) are added up in Python
from the groups. Figures read models only.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, Fair
from kiosk.service_requests.after_fair import ParkCause
from kiosk.service_requests.analysis_copies import CompanyCategory
from kiosk.service_requests.models import Category, ServiceRequest, Status, overdue_on_sql

#: the ways an item is stuck, in the order every table and chart gives them
FLAGS = ("parked", "extended", "disputed", "overdue")
#: how many cause × category × department rows the page and the PDF list, the most stuck first (a
#: province has a thousand; the XLSX has them all)
GROUPS_SHOWN = 40
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


@dataclass(frozen=True)
class Counts:
    """A row's figures: each way of being stuck, the items stuck (each once), the companies (each once)."""
    parked: int = 0
    extended: int = 0
    disputed: int = 0
    overdue: int = 0
    parked_now: int = 0
    flagged: int = 0
    companies: int = 0


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
    return {"parked": request.park_cause.is_not(None),
            "parked_now": sa.and_(request.status == Status.planned, request.parked_until > today),
            "extended": request.current_due > request.plan_due,
            "disputed": request.disputed,
            "overdue": overdue_on_sql(today)}


def stuck_items(scope: Scope, today: date, *columns):
    """The statement for the stuck ledger items in scope (the columns given, joined to their booth)."""
    flags = flag_conditions(today)
    query = (sa.select(*columns).select_from(ServiceRequest).join(Booth, ServiceRequest.booth_id == Booth.id)
             .where(ServiceRequest.status.in_(LEDGER_STATES), sa.or_(*(flags[name] for name in FLAGS))))
    return _in_scope(query, scope)


def analysis(scope: Scope, today: date) -> Analysis:
    """Every figure from two statements: _groups, which reads each stuck item once and hands back,
    per cause × category × department, its items' companies (as a list) and how many are stuck each
    way; and _RECURRING, per category the companies that brought it to two fairs or more (one
    statement of both was slower on PostgreSQL, which ran it in parallel workers). The coarser
    levels are added up here from those groups, and each level's companies counted once as a set:
    far cheaper than a distinct count per level in SQL, each of which sorts every stuck item again."""
    groups = {(cause, category, department): (counted, set(companies.split(",")))
              for cause, category, department, companies, *counted in db.session.execute(_groups(scope, today))}
    recurs = {category: companies.split(",") for category, companies in db.session.execute(_RECURRING)}
    names = dict(db.session.execute(sa.select(Department.id, Department.name).where(
        Department.id.in_({department for _c, _k, department in groups}))).all()) if groups else {}
    by = {"category": defaultdict(list), "department": defaultdict(list), "cause": defaultdict(list)}
    for (cause, category, department), tally in groups.items():
        by["category"][category].append(tally)
        by["department"][department].append(tally)
        if cause is not None:
            by["cause"][cause].append(tally)
    category = {key: _sum(tallies) for key, tallies in by["category"].items()}
    causes, categories = ParkCause._value2member_map_, Category._value2member_map_
    return Analysis(
        scope=scope, fair=_fair(scope), as_of=today,
        items=db.session.scalar(_in_scope(sa.select(sa.func.count()).select_from(ServiceRequest)
                                          .where(_on_ledger()), scope)),
        totals=_counts(_sum(category.values())),  # (every group is in one category)
        by_category=[Line(c.value, c.label, _counts(category[c.value]),
                          _among(category[c.value][1], recurs.get(c.value, ())))
                     for c in Category if c.value in category],
        by_department=sorted((Line(str(d), names.get(d, "?"), _counts(_sum(tallies)))
                              for d, tallies in by["department"].items()),
                             key=lambda line: (-line.counts.flagged, line.name)),
        by_cause=[Line(c.value, c.label, _parked_only(_counts(_sum(by["cause"][c.value])))) for c in ParkCause
                  if c.value in by["cause"]],
        groups=sorted((Group(causes.get(cause), categories[cat], d, names.get(d, "?"), _counts(tally))
                       for (cause, cat, d), tally in groups.items()),
                      key=lambda g: (-g.counts.flagged, -g.counts.companies, g.department,
                                     g.cause.value if g.cause else "", g.category.value)))


#: the counts _groups gives for a group, in Counts' order: each way an item is stuck, parked now,
#: and the items stuck (each once)
_COUNTED = (*FLAGS, "parked_now", "flagged")


def _among(companies: set[str], recurring) -> int:
    """How many of the companies are among the recurring ones (their ids as text, in a list: each is
    looked up in the set, cheaper than making a set of them)."""
    return sum(1 for company in recurring if company in companies)


def _sum(tallies) -> tuple[list[int], set[str]]:
    """Groups' figures added up, and their companies (each once)."""
    tallies = list(tallies)
    added = [sum(column) for column in zip(*(counted for counted, _companies in tallies), strict=True)]
    return added or [0] * len(_COUNTED), set().union(*(companies for _counted, companies in tallies))


def _counts(tally: tuple[list[int], set[str]]) -> Counts:
    counted, companies = tally
    return Counts(*counted, companies=len(companies))


def _parked_only(counts: Counts) -> Counts:
    """A cause's row: its parked items (every one of them stuck for that), parked now, companies."""
    return Counts(parked=counts.parked, parked_now=counts.parked_now, flagged=counts.parked,
                  companies=counts.companies)


def _on_ledger():
    """status.has_plan, its states written into the statement, so that both databases see it implies
    the partial index's own condition (as service_requests.models.awaiting_closeout_sql)."""
    return ServiceRequest.status.in_(sa.bindparam("ledger_states", LEDGER_STATES, expanding=True,
                                                  literal_execute=True))


def _listed(column):
    """A column's values as one text, comma-separated (group_concat, string_agg): a group is one row."""
    return sa.func.aggregate_strings(sa.cast(column, sa.String()), ",")


def _groups(scope: Scope, today: date):
    """The statement: a row per cause × category × department with stuck items (its items' company
    ids, then _COUNTED: how many are stuck each way, each a count with its condition as a filter),
    read in one pass over ix_service_request_ledger_analysis, which holds every column read."""
    request, flags, text = ServiceRequest, flag_conditions(today), sa.String()
    return _in_scope(
        sa.select(sa.type_coerce(request.park_cause, text), sa.type_coerce(request.category, text),
                  Booth.department_id, _listed(request.company_id),
                  *(sa.func.count().filter(flags[name]) for name in _COUNTED[:-1]), sa.func.count())
        .join(Booth, request.booth_id == Booth.id)
        .where(_on_ledger(), sa.or_(*(flags[name] for name in FLAGS)))
        .group_by(request.category, request.park_cause, Booth.department_id), scope)


#: per category, the companies that brought it to two fairs or more, read off the recurring pairs'
#: index ix_company_category_recurs (category, company)
_RECURRING = (sa.select(sa.type_coerce(CompanyCategory.category, sa.String()), _listed(CompanyCategory.company_id))
              .where(CompanyCategory.recurs).group_by(CompanyCategory.category))


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
