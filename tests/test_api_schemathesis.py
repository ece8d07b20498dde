"""schemathesis against the API: every operation of the OpenAPI document, with generated paths,
queries and headers (valid ones and, in its negative phase, invalid ones), each answer checked
against the document: no 500, the status codes, content types, headers and bodies it declares, a
401 without the token, a 400 for what the document does not allow.

The schema is the document the app serves (kiosk.api.openapi.document); each operation is a test
of its own, run through WSGI against the app fixture (a database of its own).
"""
from datetime import date, timedelta

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from kiosk.api.models import ApiScope, ApiToken
from kiosk.api.openapi import document
from kiosk.api.tokens import digest
from kiosk.core.extensions import db
from kiosk.figures.periods import Period
from kiosk.ledger import moves
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.scoreboard import service
from kiosk.service_requests.models import Category, ServiceRequest, Status
from tests.factories import an_organiser, department_staff, request_in

schema = schemathesis.openapi.from_dict(document())
schema.config.update(base_url="http://localhost/api/v1")  # the WSGI app is set by each test
#: the personal scope's token (its answers are the larger), made in each test's database
SECRET = "kapi_schemathesis-" + "x" * 30


@schema.auth()
class Bearer:
    """The token, given the way schemathesis knows of (so that its cases without it are real)."""

    def get(self, case, context):
        return SECRET

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def api(app, fair):
    """The app with a request in every state (funding, with an amount) and the token."""
    for state in Status:
        request_in(fair, state, "B07", category=Category.funding, amount_wan=12.5)
    # the company's verdicts: one closed-out item confirmed, another disputed (back on the ledger)
    confirmed = db.session.scalars(sa.select(ServiceRequest).filter_by(status=Status.closed_out)).first()
    moves.company_verdict(confirmed, accepted=True, rating=4, words="按时办结")
    moves.company_verdict(request_in(fair, Status.closed_out, "F01"), accepted=False, rating=2, words="地块仍未交付")
    # on the ledger: an extension; and a published ranking (June's, the fair's month)
    planned = db.session.scalars(sa.select(ServiceRequest).filter_by(status=Status.planned)).first()
    moves.ask_extension(planned, department_staff(planned.booth.department), planned.version,
                        new_due=planned.plan_due + timedelta(days=30), reason="等待批复", today=date.today())
    moves.approve_extension(planned, an_organiser(), planned.version, today=date.today())
    # and one asked for again, waiting: the API shows it beside the approved one
    moves.ask_extension(planned, department_staff(planned.booth.department), planned.version,
                        new_due=planned.plan_due + timedelta(days=60), reason="仍待批复", today=date.today())
    close_fair(fair, None)
    service.publish_ranking(Period.parse("2026-06"), None, today=date(2026, 8, 1))
    db.session.add(ApiToken(name="schemathesis", scope=ApiScope.personal, token_hash=digest(SECRET),
                            prefix=SECRET[:9]))
    db.session.commit()
    return app


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_document_says(case, api):
    case.operation.schema.app = case.operation.app = api  # this test's app, for the call and the checks' probes
    # identity: schemathesis's WSGI client asks for br and zstd and does not unpack them (a real
    # client does; test_page_weight checks compression)
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
