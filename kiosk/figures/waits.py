"""The wait a company can expect at its booth (前面还有 N 位，预计等候约 15 分钟), estimated from
the booth's own pace today, and said no more precisely than it is known.

The pace: the median of the booth's last WINDOW stays worked to their end (kiosk.figures.visits:
from 开始办理 to 现场办结, 拿出方案, a transfer out or a withdrawal), divided by how many requests
its staff work on at once (the median, over those stays, of how many of the booth's stays were in
hand when each was taken up: two staff working side by side finish one every half stay). Before the
booth has MIN_SAMPLES such stays, the missing ones count as the fallback (KIOSK_WAIT_FALLBACK_MINUTES,
the minutes one request takes, one at a time), so that the first quick one does not promise the
hall a minute's wait. With no fallback (0) and no stay of its own, the booth's wait is not
estimated (暂无法估计).

The expected wait for a company with N ahead is (N + ½) requests' time: the N before it, and on
average half of the one in hand when it came. It is shown rounded (to 5 minutes up to an hour, to
10 up to three hours, then "over three hours"), since it is a median of a few, not a promise.

Plain functions over stays (tests/test_waits.py runs them without a database).
"""
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from kiosk.figures.visits import Visit

#: how many of the booth's latest worked stays its pace is the median of: a slow morning stops
#: counting once this many have been worked at the afternoon's pace
WINDOW = 7
#: below this many of its own, the booth's pace is made up with the fallback
MIN_SAMPLES = 3
#: the estimate's shown forms (Estimate.shown)
SOON, ABOUT, OVER, UNKNOWN = "soon", "about", "over", "unknown"
#: the estimate's bases (Pace.basis): the booth's own stays, some with the fallback, the fallback
#: alone, or nothing to go by
BOOTH, BLENDED, FALLBACK, NOTHING = "booth", "blended", "fallback", "nothing"
#: waits past this many minutes are said as "over" it
LONGEST_SAID = 180


@dataclass(frozen=True)
class Pace:
    """How fast a booth gets through its line."""
    #: minutes per request at the booth (its staff together), or None when unknown
    minutes_each: float | None
    #: the median minutes one request was worked on (the booth's own, made up with the fallback)
    work_minutes: float | None
    #: how many requests its staff work on at once (1 when it cannot be told)
    parallel: int
    #: how many of the booth's own stays it is made of (at most WINDOW)
    samples: int
    #: BOOTH, BLENDED, FALLBACK or NOTHING
    basis: str


def booth_pace(stays: Sequence[Visit], booth_id: int, fallback_minutes: float) -> Pace:
    """The booth's pace from the stays of its requests (any booth's stays may be among them)."""
    mine = [stay for stay in stays if stay.booth_id == booth_id]
    worked = sorted((stay for stay in mine if stay.work_minutes is not None), key=lambda stay: stay.ended)
    window = worked[-WINDOW:]
    minutes = [stay.work_minutes for stay in window]
    padded = len(minutes) < MIN_SAMPLES and fallback_minutes > 0
    if padded:
        minutes += [float(fallback_minutes)] * (MIN_SAMPLES - len(minutes))
    if not minutes:
        return Pace(None, None, 1, 0, NOTHING)
    parallel = _parallel(window, [stay for stay in mine if stay.working_since is not None])
    work = median(minutes)
    basis = (BLENDED if window else FALLBACK) if padded else BOOTH
    return Pace(work / parallel, work, parallel, len(window), basis)


def _parallel(window: Sequence[Visit], taken_up: Sequence[Visit]) -> int:
    """How many requests the booth's staff work on at once: for each stay of the window, how many of
    the booth's stays were in hand when it was taken up (itself among them); the median, at least 1."""
    if not window:
        return 1
    counts = []
    for stay in window:
        start = stay.working_since
        counts.append(1 + sum(1 for other in taken_up if other is not stay and other.working_since <= start
                              and (other.ended is None or other.ended > start)))
    return max(1, round(median(counts)))


@dataclass(frozen=True)
class Estimate:
    """What the company's ticket page says of its wait."""
    #: how many are ahead of it in its booth's line
    ahead: int
    #: SOON (within 5 minutes), ABOUT (`minutes`, rounded), OVER (more than
    #: `minutes`) or UNKNOWN (暂无法估计)
    shown: str
    minutes: int | None
    #: what it was worked out from (Pace.basis)
    basis: str
    #: the fallback's minutes, said where the estimate rests on it
    fallback_minutes: int

    @property
    def tag(self) -> str:
        """Everything the page shows of it, as a short string for the page poll's ETag: the poll
        stays a 304 while the company would see the same."""
        return f"{self.ahead}.{self.shown}.{self.minutes}.{self.basis}"


def estimate(ahead: int, pace: Pace, fallback_minutes: int) -> Estimate:
    """The wait of a company with `ahead` requests before it in the booth's line."""
    if pace.minutes_each is None:
        return Estimate(ahead, UNKNOWN, None, pace.basis, fallback_minutes)
    shown, minutes = rounded((ahead + 0.5) * pace.minutes_each)
    return Estimate(ahead, shown, minutes, pace.basis, fallback_minutes)


def rounded(minutes: float) -> tuple[str, int | None]:
    """A wait as said: within 5 minutes; about so many (to 5 up to an hour, to 10 up to three
    hours); over three hours."""
    if minutes < 5:
        return SOON, 5
    if minutes <= 60:
        return ABOUT, 5 * round(minutes / 5)
    if minutes <= LONGEST_SAID:
        return ABOUT, 10 * round(minutes / 10)
    return OVER, LONGEST_SAID
