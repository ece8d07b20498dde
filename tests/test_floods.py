"""A scripted flood into one booth is flagged on the organiser's dashboard at once, and never
refuses a real company: the per-phone limit keys on a cookie, which a script can drop."""
from datetime import timedelta

import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.intake.limits import FLOOD_PER_MINUTE
from kiosk.intake.service import Intake, submit_request
from kiosk.service_requests.models import Category, ServiceRequest
from tests.factories import CODE_A, booth
from tests.helpers import login


def file_many(fair, code, n):
    for i in range(n):
        submit_request(Intake(booth_id=booth(fair, code).id, company_name="刷单公司", credit_code=CODE_A,
                              contact_name="王", mobile="13912345678", category=Category.land,
                              need=f"刷单{code}{i}", submission_key=f"flood-{code}-{i}"))


def dashboard(app, fair, organiser) -> str:
    return login(app.test_client(), organiser.username).get(
        f"/organiser/fairs/{fair.id}/dashboard").get_data(as_text=True)


def test_a_flood_into_one_booth_is_flagged_on_the_dashboard_and_every_request_is_kept(app, fair, organiser):
    file_many(fair, "B07", FLOOD_PER_MINUTE + 1)
    file_many(fair, "B02", 3)
    html = dashboard(app, fair, organiser)
    assert f"在一分钟内收到 {FLOOD_PER_MINUTE + 1} 条需求" in html and "B07" in html
    assert html.count('class="notice error flood"') == 1  # a busy real booth is not flagged
    assert db.session.scalar(sa.select(sa.func.count(ServiceRequest.id))) == FLOOD_PER_MINUTE + 4  # none refused


def test_a_flood_flag_lapses_once_the_minute_has_passed(app, fair, organiser):
    file_many(fair, "B07", FLOOD_PER_MINUTE + 1)
    db.session.execute(sa.update(ServiceRequest).values(created_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    assert 'class="notice error flood"' not in dashboard(app, fair, organiser)
