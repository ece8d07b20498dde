"""The copies the bottleneck analysis reads (kiosk.service_requests.analysis_copies) agree with their
records after every move that changes them: a request's `disputed` with its close-out verdict, and
the company × category table (which categories a company brought to two fairs or more, withdrawn
requests left out) with a GROUP BY over the requests, after filing, a withdrawal, a reopening, a
close's ends, the demo and the factories' paths. A new path that files a request and forgets the
table fails the last test."""
from collections import defaultdict

import pytest
import sqlalchemy as sa
from flask import current_app

from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.fairs.models import Fair, FairStatus
from kiosk.ledger import moves
from kiosk.ledger.company_file import RECURS_AT_FAIRS, company_file
from kiosk.ledger.models import CloseOutVerdict
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests import workflow
from kiosk.service_requests.after_fair import EndReason
from kiosk.service_requests.analysis_copies import CompanyCategory
from kiosk.service_requests.models import Category, ServiceRequest, Status
from kiosk.supervision.analysis import Scope, analysis
from tests.factories import CODE_A, CODE_B, make_fair, request_in


def pairs_as_filed() -> dict[tuple[int, Category], tuple[bool, set[int]]]:
    """From the requests: each company × category not withdrawn, whether it recurs, and its fairs."""
    fairs = defaultdict(set)
    for company, category, fair, status in db.session.execute(sa.select(
            ServiceRequest.company_id, ServiceRequest.category, ServiceRequest.fair_id, ServiceRequest.status)):
        if status is not Status.withdrawn:
            fairs[(company, category)].add(fair)
    return {pair: (len(of) >= RECURS_AT_FAIRS, of) for pair, of in fairs.items()}


def assert_copies_agree() -> None:
    """Both copies as their records give them (what a GROUP BY over the requests, and the verdicts, say)."""
    db.session.expire_all()
    filed = pairs_as_filed()
    kept = {(row.company_id, row.category): row for row in db.session.scalars(sa.select(CompanyCategory))}
    assert set(filed) <= set(kept), "a request was filed without its company × category"
    for pair, row in kept.items():
        recurs, fairs = filed.get(pair, (False, set()))
        assert (row.recurs, row.fair_id in fairs if fairs else row.fair_id is None) == (recurs, True), pair
    disputes = set(db.session.scalars(sa.select(CloseOutVerdict.request_id).where(~CloseOutVerdict.accepted)))
    assert set(db.session.scalars(sa.select(ServiceRequest.id).where(ServiceRequest.disputed))) == disputes


def _recurs(credit_code: str, category: Category = Category.land) -> bool | None:
    """The copy's word on whether the company brought the category to two fairs or more."""
    db.session.expire_all()
    return db.session.scalar(sa.select(CompanyCategory.recurs).join(Company, Company.id == CompanyCategory.company_id)
                             .where(Company.credit_code == credit_code, CompanyCategory.category == category))


def test_the_copy_counts_recurrence_as_the_company_file_does():
    # The table keeps "a second fair" (its recurs): the company file's threshold must stay two.
    assert RECURS_AT_FAIRS == 2


def test_a_dispute_marks_its_request_and_a_confirmation_does_not(app, fair):
    disputed = request_in(fair, Status.closed_out, "B07")
    confirmed = request_in(fair, Status.closed_out, "B07", credit_code=CODE_B, company_name="乙公司")
    moves.company_verdict(disputed, accepted=False, rating=2, words="土地证仍未办下来")
    moves.company_verdict(confirmed, accepted=True, rating=5, words=None)
    db.session.commit()
    db.session.expire_all()
    assert (disputed.disputed, confirmed.disputed) == (True, False)
    assert disputed.status is Status.planned  # back with the department, and counted as disputed
    assert analysis(Scope(), fair.date).totals.disputed == 1
    assert_copies_agree()


def test_a_second_fair_makes_a_category_recur_and_a_withdrawal_or_the_close_undoes_it(app, fair):
    request_in(fair, Status.planned, "B01")
    request_in(fair, Status.resolved, "B07")  # the same fair again: no recurrence
    assert _recurs(CODE_A) is False
    second = make_fair(prefix="s")
    again = request_in(second, Status.in_progress, "B01")
    funding = request_in(second, Status.waiting, "B07", category=Category.funding)
    assert _recurs(CODE_A) is True and _recurs(CODE_A, Category.funding) is False
    assert set(company_file(CODE_A).recurring) == {Category.land}
    assert_copies_agree()

    workflow.withdraw(again, None, again.version, reason="重复提交")
    db.session.commit()
    assert _recurs(CODE_A) is False
    assert_copies_agree()
    workflow.reopen(again, None, again.version, reason="误操作")
    db.session.commit()
    assert _recurs(CODE_A) is True
    assert_copies_agree()

    close_fair(second, None, {again.id: EndReason.company_withdrew, funding.id: None})  # ended: withdrawn
    db.session.commit()
    assert _recurs(CODE_A) is False
    assert not company_file(CODE_A).recurring
    assert_copies_agree()


def test_every_path_that_files_keeps_the_copies(app, tmp_path):
    """The demo (its requests written by the ORM, its disputes by the company's verdict) and the
    factories' paths (filing as a phone does, then the booth's and the ledger's moves)."""
    current_app.instance_path = str(tmp_path)  # (the demo's logins file: not the worktree's)
    result = app.test_cli_runner().invoke(args=["demo", "load", "--password", "pw-for-test"])
    assert result.exit_code == 0 and "was not loaded" not in result.output, result.output
    fair = db.session.scalar(sa.select(Fair).filter_by(status=FairStatus.open))
    for state in Status:
        request_in(fair, state, "B01", credit_code=CODE_B, company_name="乙公司")
    db.session.commit()
    assert any(recurs for recurs, _fairs in pairs_as_filed().values())
    assert db.session.scalar(sa.select(sa.func.count()).where(ServiceRequest.disputed))
    assert_copies_agree()


@pytest.mark.parametrize("status", [Status.waiting, Status.withdrawn])
def test_a_request_written_by_the_orm_is_counted_in_its_flush(app, fair, status):
    """A path past the filing service (as the demo's): the flush counts its pair."""
    filed = request_in(fair, Status.planned, "B01")
    second = make_fair(prefix="s")
    copy = ServiceRequest(fair=second, booth=second.booths[0], company_id=filed.company_id, company_name="甲公司",
                          ticket_no="X-001", token="t-orm-written", category=Category.land, need="用地",
                          contact_name="王", contact_mobile="13912345678", status=status)
    db.session.add(copy)
    db.session.commit()
    assert _recurs(CODE_A) is (status is not Status.withdrawn)
    assert_copies_agree()
