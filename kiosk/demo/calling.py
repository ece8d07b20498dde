"""Today's demo fair calls a few tickets (叫号): its hall screen shows a band of calls, and the
companies called see on their ticket pages where to go. Nothing drawn from the fair's generator, so
the step may stand anywhere in the list."""
import sqlalchemy as sa

from kiosk.auth.models import User
from kiosk.core.extensions import db
from kiosk.demo.todays_fair import TodaysFair
from kiosk.service_requests import calling
from kiosk.service_requests.calling import CallingError

#: how many booths have a ticket called now
CALLED_BOOTHS = 3


def calls(demo: TodaysFair) -> None:
    """The next ticket called at the first booths with a line, by their own staff."""
    called = 0
    for booth in demo.booths:
        if called == CALLED_BOOTHS:
            return
        staff = db.session.scalar(sa.select(User).where(User.booth_id == booth.id))
        try:
            calling.call_next(booth, staff)
        except CallingError:  # nobody waiting there
            continue
        called += 1
