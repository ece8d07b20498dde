"""Test data, built the way the app builds it: a fair with its booths and staff, and a request in
any state, brought there by the same services a phone and a booth tablet use, so its trail and its
version are the ones the app would have made.

Every function here commits before it returns: the services only promise to flush (one commit per
web request is the app's boundary), and a test reads its data back through other connections.
"""
import itertools
from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from kiosk.auth.models import Role, User
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth, Department, DepartmentKind, Fair, FairStatus, Zone
from kiosk.intake.service import Intake, submit_request
from kiosk.ledger import moves
from kiosk.service_requests import workflow
from kiosk.service_requests.models import Category, ServiceRequest, Status
from kiosk.slips.models import DIMENSIONS, SlipChannel
from kiosk.slips.service import SlipAnswers, give_slip

#: valid 统一社会信用代码 (the check character computed by GB 32100-2015)
CODE_A = "91350100M000100Y43"
CODE_B = "91110000600037341L"

#: every test account's password, hashed cheaply: the suite signs in often
PASSWORD = "test-password"
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def make_fair(status=FairStatus.open, name="测试要素保障大集", prefix=""):
    """A small fair: three department booths and two bank booths, with a staff account each
    (user names b01, b02, b07, f01, f02, after the prefix)."""
    fair = Fair(name=name, date=date(2026, 6, 13), venue="会展中心", status=status)
    departments = Zone(fair=fair, name="要素保障部门专区", position=1)
    finance = Zone(fair=fair, name="金融服务专区", position=2)
    specs = [("B01", departments, "自然资源和规划局", DepartmentKind.department),
             ("B02", departments, "行政审批服务局", DepartmentKind.department),
             ("B07", departments, "工业和信息化局", DepartmentKind.department),
             ("F01", finance, "泰安银行", DepartmentKind.bank),
             ("F02", finance, "齐鲁银行", DepartmentKind.bank)]
    for code, zone, dept_name, kind in specs:
        department = db.session.query(Department).filter_by(name=f"{name}{dept_name}").one_or_none() \
            or Department(name=f"{name}{dept_name}", kind=kind)
        booth = Booth(fair=fair, zone=zone, department=department, code=code)
        db.session.add(User(username=f"{prefix}{code.lower()}", display_name=f"{code}工作人员", role=Role.staff,
                            booth=booth, password_hash=PASSWORD_HASH))
    db.session.add(fair)
    db.session.commit()
    return fair


def booth(fair, code):
    return next(b for b in fair.booths if b.code == code)


def answers(overall=5, scores=None, *, confirmed=True, comment=None) -> SlipAnswers:
    """What a company puts on a slip: the five dimensions as scores lists them (in the paper form's
    order), or each rated like overall."""
    scores = scores or [overall] * len(DIMENSIONS)
    return SlipAnswers(confirmed=confirmed, ratings={**dict(zip(DIMENSIONS, scores, strict=True)), "overall": overall},
                       comment=comment)


#: numbers the forms: each request its own submission key, so none is taken for a double tap
_forms = itertools.count(1)


def request_in(fair, state=Status.waiting, at="B07", *, by=None, transferred_to=None, joined=(),
               resolution="当场办结", plan_text="会后踏勘", due=None, slip=None, **intake) -> ServiceRequest:
    """A request filed at booth `at` and brought to `state`.

    The path is a booth's ordinary one: filed (waiting); transferred to the booth code
    `transferred_to` and joined by the booth codes in `joined` while it waits; taken (in progress);
    then resolved, planned (due in a week unless `due` says) or withdrawn. After its plan, on the
    ledger: done (办结) by its department's staff (department_staff), then closed out (销号) by an
    organiser (`by`, if an organiser, else the first one, made if there is none).
    With `slip` (see answers()) the company rates the outcome. Moves are made `by` that user, or by
    the staff of the booth the request is at. Other keywords are the company's form (Intake).
    """
    n = next(_forms)
    filed = submit_request(Intake(**{
        "booth_id": booth(fair, at).id, "company_name": "甲公司", "credit_code": CODE_A, "contact_name": "王",
        "mobile": "13912345678", "category": Category.land, "need": f"用地需求{n}",
        "submission_key": f"factory-{n}", **intake}))
    item = db.session.get(ServiceRequest, filed.id)

    def actor():
        return by if by is not None else db.session.scalar(sa.select(User).filter_by(booth_id=item.booth_id))

    if transferred_to:
        workflow.transfer(item, actor(), item.version, to_booth=booth(fair, transferred_to), reason="属其他摊位事项")
    if joined:
        workflow.join(item, actor(), item.version, booths=[booth(fair, code) for code in joined], reason="需会商")
    if state is not Status.waiting:
        workflow.take(item, actor(), item.version)
    if state is Status.resolved:
        workflow.resolve(item, actor(), item.version, resolution=resolution)
    if state in (Status.planned, Status.done, Status.closed_out):
        workflow.plan(item, actor(), item.version, plan_text=plan_text, unit="规划科", person="赵科长",
                      due=due or date.today() + timedelta(days=7), today=date.today())
    if state in (Status.done, Status.closed_out):
        moves.finish(item, department_staff(item.booth.department), item.version,
                     result="已按方案办结", evidence="批复文号 泰自然资〔2026〕12号")
    if state is Status.closed_out:
        moves.confirm(item, by if by is not None and by.is_organiser else an_organiser(), item.version)
    if state is Status.withdrawn:
        workflow.withdraw(item, actor(), item.version, reason="重复提交")
    if slip is not None:
        give_slip(item, slip, SlipChannel.phone)
    db.session.commit()
    return item


def department_staff(department, username=None) -> User:
    """The department's ledger account (user name d<department id>, or as given), made if it has none."""
    user = db.session.scalar(sa.select(User).filter_by(department_id=department.id, role=Role.department)
                             .order_by(User.id))
    if user is None:
        user = User(username=username or f"d{department.id}", display_name=f"{department.name}台账专员",
                    role=Role.department, department=department, password_hash=PASSWORD_HASH)
        db.session.add(user)
        db.session.flush()
    return user


def an_organiser() -> User:
    """The first organiser account, made if there is none."""
    user = db.session.scalar(sa.select(User).filter_by(role=Role.organiser).order_by(User.id))
    if user is None:
        user = User(username="ledger-organiser", display_name="市工业推进办", role=Role.organiser,
                    password_hash=PASSWORD_HASH)
        db.session.add(user)
        db.session.flush()
    return user
