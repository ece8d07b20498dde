"""Evidence files in chromium: a department finishes an item on a tablet with a photo and a PDF; the
company's phone (390×844 and 360×640) sees the photo on its tracking page and opens the PDF; another
company's link and another department's account get a 404 for both files."""
import re

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.ledger.evidence_samples import sample_jpeg, sample_pdf
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests.models import Status
from tests.browser.conftest import TABLET, _page
from tests.browser.helpers import shot, sign_in
from tests.factories import booth, department_staff, request_in

pytestmark = pytest.mark.browser

PHOTO, LETTER = sample_jpeg(1600, 1200), sample_pdf()


@pytest.fixture
def other_tablet(browser):
    yield from _page(browser, TABLET)


def test_a_finish_with_a_photo_and_a_pdf_reaches_the_companys_phone_and_nobody_else(
        app, live_server, tablet, other_tablet, phone, small_phone, fair, organiser):
    item = request_in(fair, Status.planned, need="新建厂房需接入10千伏电力线路。")
    other = request_in(fair, Status.planned, at="F01", need="另一家企业的需求")
    close_fair(fair, organiser)
    department_staff(booth(fair, "B07").department, username="dept-b07")
    department_staff(booth(fair, "F01").department, username="dept-f01")
    db.session.commit()

    # The department, on a tablet: a file refused first (a text file named as a PDF), then the two.
    sign_in(tablet, live_server, "dept-b07")
    tablet.goto(f"{live_server}/ledger/items/{item.id}")
    tablet.get_by_text("办结，申请销号", exact=True).click()
    tablet.get_by_label("办理结果").fill("10千伏线路已接通送电。")
    tablet.get_by_label("佐证材料").fill("供电公司送电确认单")
    files = tablet.locator("#finish-files")
    files.set_input_files([{"name": "确认单.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf at all"}])
    tablet.get_by_role("button", name="提交办结情况").click()
    expect(tablet.locator("#finish-files-error")).to_contain_text("不是PDF、JPG或PNG文件")
    expect(tablet.locator("#finish-files-again")).to_be_visible()
    expect(tablet.get_by_label("办理结果")).to_have_value("10千伏线路已接通送电。")
    shot(tablet, "evidence-refused-tablet")
    tablet.locator("#finish-files").set_input_files([
        {"name": "送电现场.jpg", "mimeType": "image/jpeg", "buffer": PHOTO},
        {"name": "送电确认单.pdf", "mimeType": "application/pdf", "buffer": LETTER}])
    tablet.get_by_role("button", name="提交办结情况").dblclick()  # (the second tap sends nothing again)
    expect(tablet.locator("#item-panel")).to_contain_text("已申请销号，等待组织方确认")
    photo = tablet.locator("#closeout-files img.evidence-image")
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 1600
    expect(tablet.locator(".ledger-timeline .trail-files")).to_contain_text("送电确认单.pdf")
    expect(tablet.locator(".ledger-timeline li.event-done")).to_have_count(1)
    shot(tablet, "evidence-item-tablet")
    staff_urls = sorted(set(re.findall(rf'/ledger/items/{item.id}/evidence/[\w-]+', tablet.content())))
    assert len(staff_urls) == 2

    # The company's phone, both sizes: the photo inline, no wider than the screen; the PDF opens.
    for device, width, name in ((phone, 390, "evidence-track-390"), (small_phone, 360, "evidence-track-360")):
        device.goto(f"{live_server}/t/{item.token}")
        shown = device.locator("#track-files img.evidence-image")
        expect(shown).to_be_visible()
        assert shown.evaluate("img => img.complete && img.naturalWidth") == 1600
        assert shown.bounding_box()["width"] <= width
        shown.scroll_into_view_if_needed()
        shot(device, name)
    company_urls = sorted(set(re.findall(rf'/t/{item.token}/evidence/[\w-]+', phone.content())))
    assert len(company_urls) == 2
    bodies = {}
    for url in company_urls:
        answer = phone.request.get(live_server + url)
        assert answer.status == 200 and answer.headers["content-disposition"].startswith("inline")
        bodies[answer.headers["content-type"]] = answer.body()
    assert bodies == {"image/jpeg": PHOTO, "application/pdf": LETTER}

    # Another company's link, with each file's token: a 404. Another department's account: a 404.
    for url in company_urls:
        assert phone.request.get(live_server + url.replace(item.token, other.token)).status == 404
    sign_in(other_tablet, live_server, "dept-f01")
    for url in staff_urls:
        assert other_tablet.request.get(live_server + url).status == 404, url
        assert other_tablet.request.get(live_server + url.replace(f"/items/{item.id}/", f"/items/{other.id}/")
                                        ).status == 404, url
