"""The ledger's answers are gzipped from parts, the kept list compressed once (kiosk.core.gzipped): what
a browser unpacks must be exactly the page it would get without gzip."""
import gzip
import re
import zlib
from datetime import date, timedelta

import pytest

from kiosk.core.extensions import db
from kiosk.core.gzipped import gzip_of, part
from kiosk.core.timeutil import fair_today
from kiosk.service_requests.models import Status
from tests.factories import booth, request_in
from tests.helpers import login

TEXT = "企业需求 <tr>台账</tr> ".encode() * 3000


@pytest.mark.parametrize("parts", [
    (b"<html>", part(TEXT), b"</html>"),
    (part(b""), b"", part(TEXT), part(TEXT[:7]), b"end"),
    (bytes(range(256)) * 300,),
    (),
])
def test_parts_join_into_one_gzip_that_unpacks_to_them_in_order(parts):
    whole = b"".join(p if isinstance(p, bytes) else p.data for p in parts)
    joined = gzip_of(*parts)
    assert gzip.decompress(joined) == whole
    # One member, read as a browser's inflater reads it: nothing left over, the stream ended.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert inflater.decompress(joined) == whole and inflater.eof and not inflater.unused_data


def _without_token(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def test_the_ledger_page_and_its_poll_unpack_to_what_they_are_without_gzip(app, fair, organiser):
    items = [request_in(fair, Status.planned, "B07", due=date.today() + timedelta(days=n + 1)) for n in range(3)]
    items[0].plan_due = items[0].current_due = fair_today() - timedelta(days=1)  # one overdue
    db.session.commit()
    boss = login(app.test_client(), organiser.username)
    url = f"/ledger?department={booth(fair, 'B07').department_id}"
    pages = []
    for headers in ({}, {"HX-Request": "true"}):
        plain = boss.get(url, headers=headers)
        packed = boss.get(url, headers={**headers, "Accept-Encoding": "gzip, deflate, br"})
        assert "Content-Encoding" not in plain.headers and packed.headers["Content-Encoding"] == "gzip"
        assert packed.headers["Content-Type"] == plain.headers["Content-Type"] == "text/html; charset=utf-8"
        assert "Accept-Encoding" in packed.headers["Vary"]
        unpacked = gzip.decompress(packed.get_data()).decode()
        assert _without_token(unpacked) == _without_token(plain.get_data(as_text=True))
        assert unpacked.count('class="row-overdue"') == 1 and "<!--ledger-live-->" not in unpacked
        assert unpacked.count('id="ledger-live"') == 1 and unpacked.count("</section>") >= 1
        pages.append(unpacked)
    page, poll = pages
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>") and "ledger-filters" in page
    assert poll.lstrip().startswith('<section id="ledger-live"') and poll.strip() in page  # the list alone
