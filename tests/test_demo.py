import sqlalchemy as sa

from kiosk.auth.models import Role, User
from kiosk.extensions import db
from kiosk.fairs.models import Booth, Fair
from kiosk.service_requests.models import ServiceRequest, Status


def test_demo_fair_loads_once_with_requests_in_every_state(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "load", "--password", "pw-for-test"])
    assert result.exit_code == 0, result.output
    assert "admin / pw-for-test" in result.output and "/b/B01" in result.output

    assert db.session.scalar(sa.select(sa.func.count(Booth.id))) == 25
    names = db.session.scalars(sa.select(Booth).order_by(Booth.code)).all()
    assert names[0].name == "泰安市自然资源和规划局" and names[0].zone.name == "要素保障部门专区"
    assert sum(b.zone.name == "金融服务专区" for b in names) == 10
    statuses = set(db.session.scalars(sa.select(ServiceRequest.status)))
    assert statuses == set(Status)
    staff = db.session.scalars(sa.select(User).filter_by(role=Role.staff)).all()
    assert len(staff) == 25 and all(u.booth_id for u in staff)
    organiser = db.session.scalar(sa.select(User).filter_by(username="admin"))
    assert organiser.check_password("pw-for-test") and not organiser.check_password("demo1234")

    again = runner.invoke(args=["demo", "load"])
    assert "was not loaded" in again.output
    assert db.session.scalar(sa.select(sa.func.count(Fair.id))) == 1
