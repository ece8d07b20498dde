"""The kiosk's own error pages, whatever went wrong before them: after a flush that failed (a lost
race a view did not catch), the session refuses every query until it is rolled back, and the error
page, which asks who is signed in, would itself fail and leave a bare 500 with an empty body."""
import sqlalchemy as sa

from kiosk.auth.access import organiser_required
from kiosk.core.extensions import db
from kiosk.service_requests.models import ServiceRequest, Status
from tests.factories import request_in
from tests.helpers import login


def test_a_failed_flush_in_a_view_still_gets_the_kiosks_500_page(app, fair, organiser):
    item_id = request_in(fair, Status.planned).id

    @organiser_required  # as every organiser's page: the account is read before the view runs
    def lost_race():
        item = db.session.get(ServiceRequest, item_id)
        with db.engine.begin() as other:  # someone else saves it meanwhile
            other.execute(sa.update(ServiceRequest).where(ServiceRequest.id == item_id)
                          .values(version=ServiceRequest.version + 1))
        item.plan_person = "李四"
        db.session.flush()  # StaleDataError, not caught: the session now refuses every query
        return "unreachable"

    app.add_url_rule("/_test/lost-race", "lost_race", lost_race)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 handler answers
    answer = login(app.test_client(), organiser.username).get("/_test/lost-race")
    assert answer.status_code == 500
    page = answer.get_data(as_text=True)
    assert "系统暂时出错，请稍后再试" in page and '<html lang="zh-CN">' in page
    assert organiser.display_name in page  # the frame read the signed-in account again, after the rollback
