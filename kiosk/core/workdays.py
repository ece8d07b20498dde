"""Working days in China: Monday to Friday, less the statutory holidays, plus the weekend days
worked in their place (调休). The State Council publishes each year's calendar in the autumn
before; chinesecalendar carries the years published when it was released. For a year it does not
know yet, Monday to Friday stands in (a deadline then may fall on a holiday; update the package
when the year's calendar is out)."""
from datetime import date, timedelta

import chinese_calendar


def is_working_day(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after `start` (start itself not counted): handed over on
    a Friday with 5 working days, the deadline is the next Friday, holidays moved past."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """How many working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day)
    return count
