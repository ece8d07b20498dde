"""The versions pollers read: what a page shows, as one value that moves whenever it changes
(kiosk.changes moves them, in the flush that writes the change)."""
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, Fair


def ledger_and_setup_versions(department_id: int | None = None) -> tuple[int, tuple]:
    """What the ledger pages show, as one number (the department's ledger version, or with None the
    sum over every department: each only grows), and, in the same query, what the ledger's filters
    name: how many fairs, the sum of their setup versions, how many departments, and every
    department's ledger version summed (the organisers' filter names every department, and a renamed
    department with no booth moves only its own). The ledger page asks both at every view. The
    statements are built once: building one cost more than running it."""
    if department_id is None:
        row = db.session.execute(LEDGER_VERSIONS[False]).one()
    else:
        row = db.session.execute(LEDGER_VERSIONS[True], {"department_id": department_id}).one()
    return row[0], tuple(row[1:])


def dashboard_version(fair_id: int) -> str:
    """What the fair's dashboard and hall screen show, as one version: the fair's set-up and the
    sum of its booths' queues (each only grows, and a booth added or removed moves the set-up)."""
    row = db.session.execute(_DASHBOARD_VERSION, {"fair_id": fair_id}).first()
    return "gone" if row is None else f"{row[0]}.{row[1]}"


def all_fairs_version() -> str:
    """What the API shows (every fair, its tally and its requests), as one version: the set-ups and
    queues of all fairs, summed, with how many fairs and booths there are (a fair deleted lowers a
    sum that another's growth could make up)."""
    fairs = db.session.execute(_ALL_FAIRS).one()
    booths = db.session.execute(_ALL_BOOTHS).one()
    return f"{fairs[0]}.{fairs[1]}.{booths[0]}.{booths[1]}"


_DASHBOARD_VERSION = (
    sa.select(Fair.setup_version,
              sa.select(sa.func.coalesce(sa.func.sum(Booth.queue_version), 0))
              .where(Booth.fair_id == Fair.id).scalar_subquery())
    .where(Fair.id == sa.bindparam("fair_id")))

_ALL_FAIRS = sa.select(sa.func.count(Fair.id), sa.func.coalesce(sa.func.sum(Fair.setup_version), 0))
_ALL_BOOTHS = sa.select(sa.func.count(Booth.id), sa.func.coalesce(sa.func.sum(Booth.queue_version), 0))


def _ledger_versions(one_department: bool):
    departments, fairs = Department.__table__, Fair.__table__
    every_ledger = sa.select(sa.func.coalesce(sa.func.sum(departments.c.ledger_version), 0))
    ledger = every_ledger.where(departments.c.id == sa.bindparam("department_id")) if one_department else every_ledger
    return sa.select(ledger.scalar_subquery(), sa.select(sa.func.count(fairs.c.id)).scalar_subquery(),
                     sa.select(sa.func.coalesce(sa.func.sum(fairs.c.setup_version), 0)).scalar_subquery(),
                     sa.select(sa.func.count(departments.c.id)).scalar_subquery(), every_ledger.scalar_subquery())


#: the ledger's versions over every department (False) or one (True)
LEDGER_VERSIONS = {one: _ledger_versions(one) for one in (False, True)}
