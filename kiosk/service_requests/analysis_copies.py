"""The copies the common-bottleneck analysis (kiosk.supervision.analysis) reads in SQL, so that it
joins no verdicts and reads no request but the stuck ones (bench/analysis.py). Each is kept by the
writes that change its record, as kiosk.scoreboard.ratings keeps a request's rating:

- a request's `disputed` (after_fair.py): set in the flush that writes the company's close-out
  verdict, when it disputes (one verdict per item, never taken back);
- `CompanyCategory`, a row per company × category it ever filed: whether it brought that category
  to two fairs or more (一企一档's "recurs", kiosk.ledger.company_file.RECURS_AT_FAIRS), withdrawn
  requests left out. Filing (kiosk.intake.service, past the ORM) writes it in one statement,
  FILED; every request the ORM writes new, or withdraws, reopens from withdrawn, or moves to another
  company, category or fair, has its pairs counted again from its requests in the flush (recount).

tests/test_analysis_copies.py checks both against their records after every path that files.
"""
import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite

from kiosk.core.extensions import db
from kiosk.fairs.models import enum_column
from kiosk.ledger.models import CloseOutVerdict
from kiosk.service_requests.models import Category, ServiceRequest, Status


class CompanyCategory(db.Model):
    """A category a company brought to the fairs: one of the fairs, and whether it brought it to another."""
    company_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("company.id"), primary_key=True)
    category: so.Mapped[Category] = enum_column(Category, primary_key=True)
    #: a fair it brought the category to (the first filed); None when every such request is withdrawn
    fair_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("fair.id"))
    #: brought to another fair too: at two fairs or more
    recurs: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())

    __table_args__ = (
        # the analysis reads the recurring pairs alone, a category's in a row (a small part of the
        # table); each condition as SQLAlchemy writes `recurs` there, which the planner must match
        sa.Index("ix_company_category_recurs", "category", "company_id",
                 postgresql_where=sa.text("recurs"), sqlite_where=sa.text("recurs = 1")),
    )


_pairs, _requests = CompanyCategory.__table__, ServiceRequest.__table__


def _filed(insert):
    """A request filed at a fair: its pair made, or marked recurring when it had another fair. One
    statement, whose conflict waits for a filing of the same pair still open (PostgreSQL), and then
    reads the row that filing left: two filings at once cannot both miss the other."""
    statement = insert(_pairs).values(company_id=sa.bindparam("company_id"), category=sa.bindparam("category"),
                                      fair_id=sa.bindparam("fair_id"), recurs=False)
    return statement.on_conflict_do_update(index_elements=[_pairs.c.company_id, _pairs.c.category], set_={
        "fair_id": sa.func.coalesce(_pairs.c.fair_id, statement.excluded.fair_id),
        "recurs": _pairs.c.recurs | (_pairs.c.fair_id.is_not(None) & (_pairs.c.fair_id != statement.excluded.fair_id))})


#: by dialect's name: run with {"company_id", "category", "fair_id"} of the request just filed
FILED = {"sqlite": _filed(sqlite.insert), "postgresql": _filed(postgresql.insert)}


def _counted(insert):
    """A pair counted again from its requests (the first fair's id, and whether there is another)."""
    # (the category cast alike wherever it is read: PostgreSQL wants one type for one parameter)
    category = sa.cast(sa.bindparam("category", type_=_pairs.c.category.type), _pairs.c.category.type)
    fairs = (sa.select(sa.func.min(_requests.c.fair_id), sa.func.max(_requests.c.fair_id))
             .where(_requests.c.company_id == sa.bindparam("company_id"), _requests.c.category == category,
                    _requests.c.status != Status.withdrawn)
             .subquery())
    first = sa.select(fairs.c[0]).scalar_subquery()
    recurs = sa.select(sa.func.coalesce(fairs.c[0] < fairs.c[1], False)).scalar_subquery()
    statement = insert(_pairs).values(company_id=sa.bindparam("company_id"), category=category,
                                      fair_id=first, recurs=recurs)
    return statement.on_conflict_do_update(index_elements=[_pairs.c.company_id, _pairs.c.category], set_={
        "fair_id": statement.excluded.fair_id, "recurs": statement.excluded.recurs})


_COUNTED = {"sqlite": _counted(sqlite.insert), "postgresql": _counted(postgresql.insert)}
#: takes the pairs' rows first (PostgreSQL), so that a filing of one of them waits for the count, or
#: the count, in a statement of its own (a new snapshot), sees the filing committed
_LOCK = sa.select(_pairs.c.company_id).where(
    sa.tuple_(_pairs.c.company_id, _pairs.c.category).in_(sa.bindparam("pairs", expanding=True))).with_for_update()


def recount(connection: sa.Connection, pairs: set[tuple[int, Category]]) -> None:
    """Count the given company × category pairs again from their requests."""
    if not pairs:
        return
    ordered = sorted(pairs, key=lambda pair: (pair[0], pair[1].value))  # (locks taken in one order)
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK, {"pairs": [(company, category.value) for company, category in ordered]})
    connection.execute(_COUNTED[connection.dialect.name],
                       [{"company_id": company, "category": category} for company, category in ordered])


#: every pair as its requests give it, for a table filled at once (the migration's, a bench's) and the tests
FROM_REQUESTS = (sa.select(_requests.c.company_id, _requests.c.category, sa.func.min(_requests.c.fair_id),
                           sa.func.min(_requests.c.fair_id) < sa.func.max(_requests.c.fair_id))
                 .where(_requests.c.status != Status.withdrawn).group_by(_requests.c.company_id, _requests.c.category))


def refill(connection: sa.Connection) -> None:
    """The whole table made again from the requests (a database filled past the ORM: a bench's)."""
    connection.execute(sa.delete(_pairs))
    connection.execute(sa.insert(_pairs).from_select(["company_id", "category", "fair_id", "recurs"], FROM_REQUESTS))


@event.listens_for(so.Session, "before_flush")
def _dispute(session: so.Session, _context, _instances) -> None:
    for obj in session.new:
        if isinstance(obj, CloseOutVerdict) and not obj.accepted:
            item = obj.request or session.get(ServiceRequest, obj.request_id)
            if item is not None:
                item.disputed = True


@event.listens_for(so.Session, "after_flush")
def _recount(session: so.Session, _context) -> None:
    """The pairs of every request this flush filed, withdrew, reopened from withdrawn, or moved to
    another company, category or fair: the pair it is in, and the one it left."""
    pairs = set()
    for item in (*session.new, *session.dirty):
        if not isinstance(item, ServiceRequest):
            continue
        state = so.attributes.instance_state(item)
        company, category = state.attrs.company_id.history, state.attrs.category.history
        status = state.attrs.status.history
        if item in session.new or company.has_changes() or category.has_changes() \
                or state.attrs.fair_id.history.has_changes() \
                or Status.withdrawn in (*status.added, *status.deleted):
            pairs.add((item.company_id, item.category))
            pairs.add((company.deleted[0] if company.deleted else item.company_id,
                       category.deleted[0] if category.deleted else item.category))
    pairs = {pair for pair in pairs if None not in pair}
    if pairs:  # (most flushes change no request's pair)
        recount(session.connection(), pairs)
