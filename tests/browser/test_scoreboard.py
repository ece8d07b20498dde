"""The scoreboard in a real browser: an organiser weighs, enters points, publishes the month's
ranking and the half year's disclosure; a phone with nobody signed in reads the disclosure. No
Content-Security-Policy violation anywhere (the charts are inline SVG), screenshots to look at."""
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.core.extensions import db
from kiosk.organiser.fair_lifecycle import close_fair
from kiosk.service_requests.models import Status
from tests.browser.helpers import sign_in
from tests.factories import answers, booth, request_in

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/kiosk-shots")


def test_an_organiser_publishes_the_ranking_and_the_disclosure_a_phone_reads_it(live_server, tablet, phone, fair,
                                                                                   organiser):
    # B07 took three requests, as many as rank a unit (SCOREBOARD_MIN_COUNTED); the others too few
    for code, state, rating in [("B07", Status.resolved, 5), ("B07", Status.planned, 4), ("B07", Status.resolved, 4),
                                ("B01", Status.resolved, 3), ("F01", Status.resolved, 5),
                                ("F02", Status.waiting, None)]:
        request_in(fair, state, code, slip=answers(rating) if rating else None)
    close_fair(fair, organiser)
    fair.closed_at = datetime(2026, 6, 13, 9, 0)
    db.session.commit()
    SHOTS.mkdir(exist_ok=True)

    sign_in(tablet, live_server, "organiser")
    tablet.goto(f"{live_server}/organiser/scoreboard")
    tablet.get_by_role("link", name="设置权重").click()
    tablet.get_by_label("比效果").fill("50")
    tablet.get_by_label("比服务").fill("30")
    tablet.get_by_role("button", name="保存权重").click()
    expect(tablet.locator(".notice.success")).to_contain_text("权重已保存")

    tablet.goto(f"{live_server}/organiser/scoreboard/efficiency/2026-06")
    b07 = booth(fair, "B07").department.name
    tablet.get_by_label(f"{b07}的效率分").fill("90")
    tablet.get_by_label(f"{b07}效率分的依据").fill("专班交办任务按期完成")
    tablet.get_by_role("button", name="保存本月效率分").click()
    expect(tablet.locator(".notice.success")).to_contain_text("已保存")

    tablet.goto(f"{live_server}/organiser/scoreboard/2026-06")
    expect(tablet.locator(".board-head")).to_contain_text("权重：比效果 50，比服务 30，比效率 20")
    expect(tablet.locator("figure.bar-chart svg").first).to_be_visible()
    expect(tablet.locator(".efficiency-notes")).to_contain_text("专班交办任务按期完成")
    tablet.screenshot(path=str(SHOTS / "scoreboard-tablet.png"), full_page=True)
    tablet.get_by_role("button", name="发布本期排名").click()
    expect(tablet.locator(".notice.success")).to_contain_text("第1版")
    expect(tablet.locator(".board-head")).to_contain_text("已发布（第1版）")

    tablet.goto(f"{live_server}/organiser/disclosures/2026-H1")
    expect(tablet.locator(".board-head")).to_contain_text("预览：尚未公开")
    phone.goto(f"{live_server}/disclosure/2026-H1")
    expect(phone.locator("h1")).to_contain_text("出错了")  # not public yet: 404
    tablet.get_by_role("button", name="公开本半年办理情况").click()
    expect(tablet.locator(".notice.success")).to_contain_text("已公开")

    phone.goto(f"{live_server}/")
    phone.get_by_role("link", name="办理情况公开").click()
    phone.get_by_role("link", name="2026年上半年").click()
    expect(phone.locator(".board-head")).to_contain_text("第1版")
    expect(phone.locator(".headline").first).to_contain_text("受理企业需求6项")
    expect(phone.locator(".board-page")).not_to_contain_text("王")  # the factory's contact name
    phone.screenshot(path=str(SHOTS / "disclosure-phone.png"), full_page=True)
