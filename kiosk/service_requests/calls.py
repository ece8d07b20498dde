"""The columns a request gains for calling at the booth (叫号, issue 29): mixed into ServiceRequest so
that the waiting line (kiosk.service_requests.line) is one SQL statement over the request's own row.
The record is the trail (叫号, 再次叫号, 过号, 未到场 events); these are its copies for SQL, kept by the
moves in kiosk.service_requests.calling (and a transfer, kiosk.service_requests.workflow).

Every time here is naive UTC, like created_at, so that SQL compares and orders them with it.

A waiting request (status waiting) is, at any moment, in exactly one of these line states
(`line_state_at(now)`; kiosk.service_requests.line says the same in SQL):
- "in_line": waiting its turn; `place_in_line` counts it;
- "called": called (叫号) and not yet taken, skipped or transferred: the company is asked to come;
- "held": skipped (过号) a first time, within the grace minutes: out of the line, so the next
  ticket is called, but staff may still call it again or take it when the company comes; at
  `in_line_since` it is back in line by itself, at the end of the line as it was then;
- "no_show": skipped a second time (未到场): out of the line for good, still an open request that the
  fair's close takes to an end like any other (staff may still take it if the company comes).
"""
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from kiosk.core.timeutil import utcnow

#: what pages say of a waiting request's line state, beside its status (None: nothing to add)
#: ("skipped": skipped once and not called since, as the queue's rows read it without the time)
LINE_STATE_LABELS = {"called": _l("已叫号"), "held": _l("已过号"), "skipped": _l("已过号"), "no_show": _l("未到场")}


class CallColumns:
    """Columns for calling; a relationship here would need declared_attr: put those on ServiceRequest."""
    #: the call standing now (叫号 or 再次叫号, the latest's time): set by a call, cleared by a skip
    #: and by a transfer (it arrives at the other booth uncalled); kept when it is taken (its wait
    #: ended then)
    called_at: so.Mapped[datetime | None]
    #: how many times it was called (叫号 and 再次叫号), at any booth
    call_count: so.Mapped[int] = so.mapped_column(server_default=sa.text("0"))  # (server side only: as disputed)
    #: the moment its place in its booth's line counts from, when not its filing (created_at): a
    #: transfer's time (it joins the other booth's line at its end), or a first skip's time plus the
    #: grace minutes (it comes back at the end of the line then; before then it is held aside)
    in_line_since: so.Mapped[datetime | None]
    #: the first skip (过号): a second one makes it a no-show; cleared by a transfer
    skipped_at: so.Mapped[datetime | None]
    #: 未到场: skipped a second time; out of the line for good (cleared by a transfer)
    no_show_at: so.Mapped[datetime | None]

    @property
    def line_since(self) -> datetime:
        """When its place in the line counts from: in_line_since, else its filing."""
        return self.in_line_since or self.created_at  # (ServiceRequest's)

    def line_state_at(self, now: datetime) -> str | None:
        """"in_line", "called", "held" or "no_show" while waiting (the module's docstring); None
        once it is no longer waiting (taken, an outcome, withdrawn)."""
        if not self.status.awaits_staff:  # (ServiceRequest's)
            return None
        if self.no_show_at is not None:
            return "no_show"
        if self.called_at is not None:
            return "called"
        if self.in_line_since is not None and self.in_line_since > now:
            return "held"
        return "in_line"

    @property
    def line_state(self) -> str | None:
        """line_state_at now (what pages show)."""
        return self.line_state_at(utcnow())

    @property
    def back_in_line_at(self) -> datetime | None:
        """While held after a first skip: when it goes back to the end of the line."""
        return self.in_line_since if self.line_state == "held" else None

    @property
    def is_called(self) -> bool:
        """Called (叫号) and the company asked to come to the booth: its ticket page says so."""
        return self.status.awaits_staff and self.no_show_at is None and self.called_at is not None

    @property
    def is_no_show(self) -> bool:
        """未到场: waiting, skipped twice."""
        return self.status.awaits_staff and self.no_show_at is not None

    @property
    def line_label(self):
        """line_label_at now (what pages show beside the status)."""
        return self.line_label_at(utcnow())

    def line_label_at(self, now: datetime):
        """The line state in words beside the status (已叫号, 已过号, 未到场), or None."""
        return LINE_STATE_LABELS.get(self.line_state_at(now))
