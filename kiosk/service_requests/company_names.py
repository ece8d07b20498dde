"""Which name a company record carries. Credit codes are public, so a filing never renames the record
(intake.service): each request keeps the name its own form gave, and names that differ from the
record's are a data-quality flag an organiser resolves by choosing the record's name."""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.core.refusals import Refused
from kiosk.core.timeutil import utcnow
from kiosk.service_requests.models import ServiceRequest

#: as long as the column holds
NAME_MAX = 200


class NameRefused(Refused):
    MESSAGES = {
        "empty": _l("请填写企业名称。"),
        "too_long": _l("企业名称最多%(max)d字。", max=NAME_MAX),
        "unknown": _l("没有这家企业。"),
    }


@dataclass
class NamesInDoubt:
    company: Company
    #: (name, how many requests were filed with it), most used first; the record's own name included
    names: list[tuple[str, int]]


def _unsettled():
    """Requests filed, since an organiser last chose the name, with a name that is not the record's."""
    return sa.and_(ServiceRequest.company_name != Company.name,
                   sa.or_(Company.name_chosen_at.is_(None), ServiceRequest.created_at > Company.name_chosen_at))


def names_in_doubt() -> list[NamesInDoubt]:
    """Companies whose requests were filed under a name other than the record's, not yet looked at."""
    companies = db.session.scalars(
        sa.select(Company).where(sa.exists().where(ServiceRequest.company_id == Company.id, _unsettled()))
        .order_by(Company.credit_code)).all()
    if not companies:
        return []
    counts: dict[int, dict[str, int]] = {c.id: {c.name: 0} for c in companies}
    for company_id, name, n in db.session.execute(
            sa.select(ServiceRequest.company_id, ServiceRequest.company_name, sa.func.count())
            .where(ServiceRequest.company_id.in_(counts)).group_by(ServiceRequest.company_id,
                                                                   ServiceRequest.company_name)):
        counts[company_id][name] = n
    return [NamesInDoubt(c, sorted(counts[c.id].items(), key=lambda pair: (-pair[1], pair[0]))) for c in companies]


def choose_name(company_id: int | None, name: str | None) -> Company:
    """The organiser's choice: the record carries this name from now on (requests keep theirs)."""
    company = db.session.get(Company, company_id) if company_id is not None else None
    if company is None:
        raise NameRefused("unknown")
    if not name:
        raise NameRefused("empty")
    if len(name) > NAME_MAX:
        raise NameRefused("too_long")
    company.name, company.name_chosen_at = name, utcnow()
    db.session.flush()
    return company
