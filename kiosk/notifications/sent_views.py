"""What was sent to whom, and when, /notifications/sent: a department's account sees the messages
to its department (never another's: they are not in its list, whatever it asks); organisers see
the organisers' and everyone's, filtered by whom they were for. Newest first, a page at a time."""
import sqlalchemy as sa
from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kiosk.auth.access import ledger_user_required
from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.fairs.models import Department
from kiosk.notifications import bp
from kiosk.notifications.messages import kind_label
from kiosk.notifications.models import Audience, OutboxMessage

#: rows on one page (older ones a link away)
PAGE = 100
AUDIENCE_LABELS = {Audience.organisers: _l("组织方"), Audience.company: _l("企业（短信）")}


@bp.get("/sent")
@ledger_user_required
def sent():
    """Organisers: ?to=organisers, company or a department's id (all when empty); ?before=an id."""
    query = sa.select(OutboxMessage)
    wanted = request.args.get("to", "")
    if not current_user.is_organiser:
        query = query.where(OutboxMessage.audience == Audience.department,
                            OutboxMessage.department_id == current_user.department_id)
    elif wanted in ("organisers", "company"):
        query = query.where(OutboxMessage.audience == Audience(wanted))
    elif (department_id := int_or_none(wanted)) is not None:
        query = query.where(OutboxMessage.audience == Audience.department,
                            OutboxMessage.department_id == department_id)
    if (before := int_or_none(request.args.get("before"))) is not None:
        query = query.where(OutboxMessage.id < before)
    rows = list(db.session.scalars(query.order_by(OutboxMessage.id.desc()).limit(PAGE + 1)))
    departments = (db.session.execute(sa.select(Department.id, Department.name).order_by(Department.name)).all()
                   if current_user.is_organiser else [])
    names = dict(departments)

    def recipient(message: OutboxMessage) -> str:
        if message.audience is Audience.department:
            return names.get(message.department_id, "")
        return str(AUDIENCE_LABELS[message.audience])

    return render_template("notifications/sent.html", messages=rows[:PAGE],
                           older=rows[PAGE - 1].id if len(rows) > PAGE else None, wanted=wanted,
                           departments=departments, recipient=recipient, kind_label=kind_label,
                           # an SMS's text holds the company's tracking link: its subject (ticket, what) says enough
                           shows_body=lambda message: message.audience is not Audience.company)
