"""The pages' date-like parameters: the ledger's due month (?month=), the scoreboard's and the
disclosure's periods, in the path (/organiser/scoreboard/2026-06, /disclosure/2026-H1) or from a
picker (?period=, ?half=, ?month=). Whatever is typed into them, the answer is the page, the page
with a message in the user's language saying what it did instead, or a 404 for a path that names
no period: never a 500. (The API's parameters: tests/test_api_hardening.py.)"""
import re
from datetime import date, timedelta
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.core.extensions import db
from kiosk.figures.periods import NoSuchPeriod, Period
from kiosk.scoreboard import service
from kiosk.service_requests.models import Status
from tests.factories import booth, department_staff, request_in
from tests.helpers import csrf_token, login

#: a period's key as written: what the pages take, and nothing else
KEY = r"2[0-9]{3}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?"
KIND_KEY = {None: KEY, "month": r"2[0-9]{3}-(0[1-9]|1[0-2])", "half": r"2[0-9]{3}-H[12]"}
#: what a picker that cannot read its period says (the start of each sentence)
UNREAD = {None: "无法识别所选期间", "month": "无法识别所选月份", "half": "无法识别所选半年"}
#: the ledger item's due date
DUE = date.today() + timedelta(days=7)


@pytest.fixture
def world(app, fair, organiser):
    """A planned item at B07 on the ledger and its department's account; June's ranking and the
    first half year's disclosure published."""
    request_in(fair, Status.planned, "B07", due=DUE)
    staff = department_staff(booth(fair, "B07").department)
    service.publish_ranking(Period.parse("2026-06"), organiser, today=date(2026, 7, 1))
    service.publish_disclosure(Period.parse("2026-H1"), organiser, today=date(2026, 7, 1))
    db.session.commit()
    return {"organiser": login(app.test_client(), "organiser"), "department": login(app.test_client(), staff.username),
            "public": app.test_client()}


# --- the keys, read strictly ----------------------------------------------------------------------

def test_a_period_key_is_ascii_digits_and_nothing_after():
    for good in ("2026-06", "2026-Q2", "2026-H1", "2026", "2000-01", "2999-12"):
        assert Period.parse(good).key == good
    # \d and int() took other scripts' digits, and ^...$ a trailing newline: each was a period.
    for bad in ("２０２６-06", "２０２６", "٢٠٢٦-06", "2026-０６", "2026-06\n", "2026\n", "2026-H1\n", "2026-06 ",
                " 2026", "2026-6", "1999-12", "3000-01", "9999-12", "0000-01", None):
        with pytest.raises(NoSuchPeriod):
            Period.parse(bad)


def test_a_path_that_names_no_period_is_a_404(app, world):
    boss, public = world["organiser"], world["public"]
    for bad in ("２０２６-06", "2026-06\n", "9999-12", "0000-01", "2026-13"):
        at = quote(bad, safe="")
        for url in (f"/organiser/scoreboard/{at}", f"/organiser/scoreboard/{at}/ranking.pdf",
                    f"/organiser/scoreboard/{at}/ranking.xlsx", f"/organiser/scoreboard/efficiency/{at}"):
            assert boss.get(url).status_code == 404, url
        assert boss.post(f"/organiser/scoreboard/{at}/publish", data={
            "csrf_token": csrf_token(boss, "/organiser/scoreboard/2026-06")}).status_code == 404
    for bad in ("２０２６-H1", "2026-H1\n", "9999-H1", "2026-H3"):
        at = quote(bad, safe="")
        assert boss.get(f"/organiser/disclosures/{at}").status_code == 404, bad
        assert public.get(f"/disclosure/{at}").status_code == 404, bad
        assert public.get(f"/disclosure/{at}/disclosure.pdf").status_code == 404, bad
    # The ends of the range are periods like any other.
    for good in ("2000-01", "2999-12", "2999"):
        assert boss.get(f"/organiser/scoreboard/{good}").status_code == 200, good
    assert boss.get("/organiser/scoreboard/2999-12/ranking.pdf").status_code == 200
    assert public.get("/disclosure/2026-H1").status_code == 200


# --- what a picker cannot read is told ------------------------------------------------------------

def test_a_pickers_period_that_cannot_be_read_is_told_over_the_default_page(app, world):
    boss = world["organiser"]
    today_default = boss.get("/organiser/scoreboard").headers["Location"]
    for bad in ("9999", "0000-01", "２０２６-06", "2026-06\n", "2026-13", "soon"):
        answer = boss.get(f"/organiser/scoreboard?period={quote(bad)}")
        assert answer.status_code == 302 and answer.headers["Location"] == today_default, bad
        page = boss.get(answer.headers["Location"]).get_data(as_text=True)
        assert "无法识别所选期间" in page, bad
    assert boss.get("/organiser/scoreboard?period=2026-Q2").headers["Location"] == "/organiser/scoreboard/2026-Q2"

    answer = boss.get("/organiser/scoreboard/efficiency/2026-05?month=9999-12", follow_redirects=True)
    assert answer.request.path == "/organiser/scoreboard/efficiency/2026-05"
    assert "无法识别所选月份" in answer.get_data(as_text=True)
    answer = boss.get("/organiser/disclosures?half=2026-Q1", follow_redirects=True)  # a period, not a half
    assert answer.status_code == 200 and "无法识别所选半年" in answer.get_data(as_text=True)
    # In English for an English page.
    boss.get("/lang/en")
    english = boss.get("/organiser/scoreboard?period=9999", follow_redirects=True).get_data(as_text=True)
    assert "could not be read" in english


def test_the_ledger_leaves_out_a_due_month_it_cannot_read(app, world):
    """?month=9999-12 answered 500 (its month's end is in year 10000) to any department's account."""
    department = world["department"]
    everything = department.get("/ledger").get_data(as_text=True)
    assert "共 1 项" in everything
    for bad in ("9999-12", "0000-01", f"{DUE:%Y-%m}".replace("2", "２"), f"{DUE:%Y-%m}\n", "2026-13", "1999-12"):
        answer = department.get(f"/ledger?month={quote(bad)}")
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200 and "共 1 项" in html, bad
        assert re.search(r'name="month" value=""', html), bad
    assert "共 1 项" in department.get(f"/ledger?month={DUE:%Y-%m}").get_data(as_text=True)
    assert "共 0 项" in department.get(f"/ledger?month={DUE.year + 1}-01").get_data(as_text=True)


# --- any value at all: never a 500 ----------------------------------------------------------------

def _two(high: int):
    return st.integers(0, high).map("{:02d}".format)


_YEAR = st.one_of(st.integers(0, 9999).map("{:04d}".format), st.integers(1990, 3010).map(str),
                  st.integers(0, 99999).map(str), st.sampled_from(["２０２６", "٢٠٢٦", "2026"]))
_AFTER = st.sampled_from(["", "\n", " ", "\u2028", "\u3000"])
#: strings near the keys, to reach every check of the parsing (and anything at all, below)
NEAR_PERIOD = st.builds("{}{}{}".format, _YEAR, st.sampled_from(
    ["", "-06", "-12", "-13", "-00", "-6", "-０６", "-Q2", "-Q5", "-q2", "-H1", "-H2", "-H3", "-06-01", "-W01"]),
    _AFTER)
NEAR_MONTH = st.builds("{}-{}{}".format, _YEAR, _two(13), _AFTER)
ANYTHING = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=40), st.binary(max_size=20))

#: (url with {} for the value, who can reach it, a picker's kind or "path" / "ledger" / "public")
PARAMETERS = [
    ("/organiser/scoreboard?period={}", "organiser", None),
    ("/organiser/scoreboard/efficiency/2026-05?month={}", "organiser", "month"),
    ("/organiser/disclosures?half={}", "organiser", "half"),
    ("/organiser/scoreboard/{}", "organiser", "path"),
    ("/organiser/scoreboard/{}/ranking.xlsx", "organiser", "path"),
    ("/organiser/scoreboard/efficiency/{}", "organiser", "path-month"),
    ("/organiser/disclosures/{}", "organiser", "path-half"),
    ("/disclosure/{}", "public", "public"),
    ("/disclosure/{}/disclosure.pdf", "public", "public"),
    ("/ledger?month={}", "department", "ledger"),
]


def _whole(pattern: str, value) -> bool:
    return isinstance(value, str) and re.fullmatch(pattern, value, re.ASCII) is not None


@pytest.mark.parametrize(("url", "who", "kind"), PARAMETERS)
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_value_of_a_pages_date_like_parameter_is_the_page_a_message_or_a_404(app, world, url, who, kind, data):
    near = NEAR_MONTH if kind in ("ledger", "month", "path-month") else NEAR_PERIOD
    value = data.draw(st.one_of(near, ANYTHING))
    encoded = quote_from_bytes(value, safe="") if isinstance(value, bytes) else quote(value, safe="")
    answer = world[who].get(url.format(encoded), follow_redirects=True)
    assert answer.status_code < 500, (value, answer.status_code)
    if (b"\x00" if isinstance(value, bytes) else "\x00") in value:
        assert answer.status_code == 400, value  # the kiosk refuses a NUL anywhere, before any page reads it
        return
    html = answer.get_data(as_text=True) if answer.mimetype == "text/html" else ""
    if kind == "ledger":
        assert answer.status_code == 200, value
        shown = re.search(r'name="month" value="([^"]*)"', html).group(1)
        assert shown == (value if _whole(KIND_KEY["month"], value) else ""), value
    elif kind in UNREAD:  # a picker: the period asked for, else the default one and a message
        assert answer.status_code == 200, value
        if not value or _whole(KIND_KEY[kind], value):
            assert UNREAD[kind] not in html, value
        else:
            assert UNREAD[kind] in html, value
    elif isinstance(value, str) and "/" not in value and value not in ("", ".", ".."):
        # the page's own address: the page for a period of its kind, else a 404
        pattern = {"path": KEY, "path-month": KIND_KEY["month"], "path-half": KIND_KEY["half"],
                   "public": "2026-H1"}[kind]
        assert answer.status_code == (200 if _whole(pattern, value) else 404), value
    else:  # a value with a slash is another address
        assert answer.status_code in (200, 404, 405), value
