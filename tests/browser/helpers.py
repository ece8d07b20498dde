"""What a person does in the browser, shared by the browser tests: staff sign in on a tablet, a
company fills the request form on its phone."""
import os

from tests.factories import CODE_A, PASSWORD

#: where to leave screenshots for a person to look at (KIOSK_SCREENSHOTS=dir), if anywhere
SHOTS = os.environ.get("KIOSK_SCREENSHOTS")


def shot(page, name):
    """The whole page as name.png in KIOSK_SCREENSHOTS, when it is set."""
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def sign_in(page, base, username):
    page.goto(f"{base}/login")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def fill_request(page, category, need):
    fill_company(page)
    page.get_by_text(category, exact=True).click()
    page.get_by_label("需求内容").fill(need)


def fill_company(page):
    page.get_by_label("企业名称").fill("泰安新材料科技有限公司")
    page.get_by_label("统一社会信用代码").fill(CODE_A.lower())
    page.get_by_label("联系人").fill("王经理")
    page.get_by_label("手机号码").fill("139 1234 5678")
