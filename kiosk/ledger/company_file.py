"""A company's file (一企一档): every request of one company, by its credit code, across booths and
fairs, with the needs that recur flagged. Organisers only: it gathers one company's dealings with
every department."""
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Fair
from kiosk.service_requests.models import Category, ServiceRequest, Status

#: a need recurs when the company brought the same category to this many fairs or more
RECURS_AT_FAIRS = 2
#: how many companies a search lists
FOUND_MAX = 50


@dataclass(frozen=True)
class CompanyFile:
    company: Company
    #: every request, newest fair first
    requests: list[ServiceRequest]
    #: category -> the fairs it was brought to, for the categories that recur
    recurring: dict[Category, list[Fair]]
    #: the names the company was filed under, most used first
    names: list[str]

    def recurs(self, item: ServiceRequest) -> bool:
        return item.category in self.recurring


def company_file(credit_code: str) -> CompanyFile | None:
    company = db.session.scalar(sa.select(Company).filter_by(credit_code=(credit_code or "").strip().upper()))
    if company is None:
        return None
    requests = db.session.scalars(
        sa.select(ServiceRequest).join(Fair, ServiceRequest.fair_id == Fair.id)
        .where(ServiceRequest.company_id == company.id)
        .order_by(Fair.date.desc(), Fair.id.desc(), ServiceRequest.created_at)
        .options(so.joinedload(ServiceRequest.fair), so.joinedload(ServiceRequest.booth).joinedload(Booth.department),
                 so.selectinload(ServiceRequest.extension_requests))).all()
    fairs_of = defaultdict(dict)
    for item in requests:
        if item.status is not Status.withdrawn:  # a duplicate or a mistake is no need
            fairs_of[item.category][item.fair_id] = item.fair
    recurring = {category: sorted(fairs.values(), key=lambda f: f.date)
                 for category, fairs in fairs_of.items() if len(fairs) >= RECURS_AT_FAIRS}
    counts = defaultdict(int)
    for item in requests:
        counts[item.company_name] += 1
    names = sorted(counts, key=lambda name: (-counts[name], name))
    return CompanyFile(company, requests, recurring, names)


def find_companies(text: str) -> list[sa.Row]:
    """Companies whose credit code starts with the text, or whose record or any filed name holds it:
    (credit_code, name, requests) rows."""
    text = (text or "").strip()
    if not text:
        return []
    like = f"%{text.replace('%', '').replace('_', '')}%"
    filed_as = sa.select(ServiceRequest.company_id).where(ServiceRequest.company_name.like(like))
    return db.session.execute(
        sa.select(Company.credit_code, Company.name, sa.func.count(ServiceRequest.id))
        .outerjoin(ServiceRequest, ServiceRequest.company_id == Company.id)
        .where(sa.or_(Company.credit_code.startswith(text.upper()), Company.name.like(like), Company.id.in_(filed_as)))
        .group_by(Company.id, Company.credit_code, Company.name).order_by(Company.credit_code).limit(FOUND_MAX)).all()
