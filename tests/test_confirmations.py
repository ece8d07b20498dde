"""Irreversible actions ask twice, in one pattern (macros.html's irreversible,
kiosk.core.confirmations): the page says what will happen and what cannot be undone, and the POST
without the second step's tick is refused with that explanation, nothing done, so the rule holds
without JavaScript and against a stale page or a script. (A round's close and deletion:
tests/test_reconciliation.py; in a browser: tests/browser/test_confirmations.py.)"""
import re

import sqlalchemy as sa

from kiosk.api.models import ApiScope, ApiToken
from kiosk.api.tokens import issue_token
from kiosk.core.extensions import db
from kiosk.fairs.models import Booth
from tests.factories import booth
from tests.helpers import csrf_token, login


def box(page: str, box_id: str) -> str:
    return re.search(rf'<details class="irreversible" id="{box_id}"[^>]*>.*?</details>', page, re.S).group(0)


def test_a_booth_is_deleted_only_with_the_second_step(app, fair, organiser):
    boss = login(app.test_client(), organiser.username)
    page_url = f"/organiser/fairs/{fair.id}"
    f02 = booth(fair, "F02").id
    shown = box(boss.get(page_url).get_data(as_text=True), f"booth-delete-{f02}")
    assert "将会：" in shown and "不能撤销：" in shown and 'name="confirmed" value="yes"' in shown
    assert " open" not in shown.split(">", 1)[0]
    url = f"/organiser/fairs/{fair.id}/booths/{f02}/delete"
    refused = boss.post(url, data={"csrf_token": csrf_token(boss, page_url)})
    assert refused.status_code == 422
    shown = box(refused.get_data(as_text=True), f"booth-delete-{f02}")
    assert shown.startswith(f'<details class="irreversible" id="booth-delete-{f02}" open>')
    assert "还没有勾选确认" in shown and "没有需求的摊位删除后不能恢复" in shown
    assert db.session.get(Booth, f02) is not None
    done = boss.post(url, data={"csrf_token": csrf_token(boss, page_url), "confirmed": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Booth).filter_by(id=f02)) is None


def test_a_token_is_revoked_only_with_the_second_step(app, organiser):
    feed, secret = issue_token("市统计局", ApiScope.public, organiser)
    db.session.commit()
    boss = login(app.test_client(), organiser.username)
    url = f"/organiser/api-tokens/{feed.id}/revoke"
    refused = boss.post(url, data={"csrf_token": csrf_token(boss, "/organiser/api-tokens")})
    assert refused.status_code == 422
    shown = box(refused.get_data(as_text=True), f"token-revoke-{feed.id}")
    assert "还没有勾选确认" in shown and "吊销的令牌不能恢复" in shown and "市统计局" in shown
    assert app.test_client().get("/api/v1/fairs", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    db.session.expire_all()
    assert not db.session.get(ApiToken, feed.id).is_revoked
    done = boss.post(url, data={"csrf_token": csrf_token(boss, "/organiser/api-tokens"), "confirmed": "yes"})
    assert done.status_code == 302
    assert app.test_client().get("/api/v1/fairs", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
