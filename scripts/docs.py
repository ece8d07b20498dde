"""The guides' screenshots, taken by chromium from a demo kiosk, and a check of every guide's links
and pictures (`make docs`).

    .venv/bin/python scripts/docs.py           # screenshots into docs/images/, then the check
    .venv/bin/python scripts/docs.py --check   # the check alone: links, anchors, pictures

The screenshots follow one story through the four roles, in the order it happens: a company files
two requests at booth B01 of the demo fair; B01's staff invite a second booth, give a plan, transfer
the other request and hand the tablet over for a slip; an organiser sets up a new fair, then watches
the demo fair, closes it (handing over what is still open), tallies it and prints the handover
lists; the first department's ledger account (`d1`) acknowledges its items, works the plan, asks for
an extension and to park an item, and replies to a supervision notice; the organiser confirms the
close-out, decides the extension and the parking, issues a notice, reads the bottleneck analysis
and the ledger by colour, reconciles the quarter and publishes a ranking; the company reads its
handed-over, extended and parked requests and confirms the result on the same tracking page. Every
step checks what it expects to see (a button that is gone, a page that answers 4xx/5xx or a script
error stops the run with the step's name), so a picture never shows a page that no longer looks like
this.

The kiosk runs in this process on a free loopback port, on a throwaway SQLite file and instance
folder, with the demo fair (`kiosk.demo`, as `flask demo load` makes it) and one more closed fair of
the previous quarter (for the quarterly reconciliation). Pictures are written to a temporary folder
and replace docs/images/ only when every step has passed.
"""
import argparse
import contextlib
import io
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from time import monotonic
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"

# ---------------------------------------------------------------------------------------------
# The check: every Markdown page's relative links and images resolve, and every picture is used.
# ---------------------------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
#: the target of an inline link or image: ](target "title")
_INLINE_TARGET = re.compile(r"\]\(\s*(<[^>\n]*>|[^)\s]*)(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)")
#: a reference definition: [label]: target
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*(<[^>\n]*>|\S+)", re.M)
#: <img src="..."> and <a href="...">
_HTML_TARGET = re.compile(r"<(?:img|a|source)\b[^>]*?\b(?:src|href|srcset)\s*=\s*[\"']([^\"']+)[\"']", re.I)
_HTML_ANCHOR = re.compile(r"<a\b[^>]*?\b(?:id|name)\s*=\s*[\"']([^\"']+)[\"']", re.I)
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$", re.M)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def pages(root: Path) -> list[Path]:
    """The Markdown the check reads: README.md and everything under docs/."""
    found = [root / "README.md"] if (root / "README.md").exists() else []
    return found + sorted((root / "docs").rglob("*.md"))


def _prose(text: str) -> str:
    """The text with fenced code blocks and inline code blanked out (same length, same lines), so that
    a link written as an example is not taken for one."""
    lines, fence = text.split("\n"), None
    for n, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)[0] * len(opened.group(1))
            lines[n] = " " * len(line)
        elif fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            lines[n] = " " * len(line)
    return _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), "\n".join(lines))


def slug(heading: str, taken: dict[str, int]) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation (full-width too) dropped,
    spaces to hyphens; a repeated one gets -1, -2..."""
    text = re.sub(r"<[^>]+>", "", heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("`", "")
    base = re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")
    count = taken.get(base, 0)
    taken[base] = count + 1
    return base if count == 0 else f"{base}-{count}"


def anchors(text: str) -> set[str]:
    prose, taken = _prose(text), {}
    return {slug(m.group(2), taken) for m in _HEADING.finditer(prose)} | set(_HTML_ANCHOR.findall(prose))


def targets(text: str) -> list[tuple[int, str]]:
    """(line, target) for every link and image of a page, outside code."""
    prose = _prose(text)
    found = []
    for pattern in (_INLINE_TARGET, _REFERENCE, _HTML_TARGET):
        for m in pattern.finditer(prose):
            target = m.group(1).strip()
            if target.startswith("<") and target.endswith(">"):
                target = target[1:-1]
            found.append((prose.count("\n", 0, m.start()) + 1, target))
    return sorted(found)


def check(root: Path) -> list[str]:
    """What is wrong with the guides, one line each (nothing: all good): a relative link or image
    that names no file of the repository, an anchor no heading makes, a picture under docs/images
    that no page shows."""
    root = root.resolve()
    problems, used, anchor_cache = [], set(), {}
    for page in pages(root):
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(root)
        for line, target in targets(text):
            if not target or _SCHEME.match(target):
                continue
            path_part, _, anchor = target.partition("#")
            path_part = unquote(path_part.split("?", 1)[0])
            resolved = (page.parent / path_part).resolve() if path_part else page
            if not resolved.is_relative_to(root):
                problems.append(f"{where}:{line}: {target} points outside the repository")
                continue
            if not resolved.exists():
                problems.append(f"{where}:{line}: {target}: no such file")
                continue
            used.add(resolved)
            if anchor and resolved.suffix == ".md":
                if resolved not in anchor_cache:
                    anchor_cache[resolved] = anchors(resolved.read_text(encoding="utf-8"))
                if unquote(anchor) not in anchor_cache[resolved]:
                    problems.append(f"{where}:{line}: {target}: no heading makes the anchor #{anchor}")
    images = root / "docs" / "images"
    if images.is_dir():
        for picture in sorted(p for p in images.rglob("*") if p.is_file()):
            if picture.resolve() not in used:
                problems.append(f"{picture.relative_to(root)}: no page shows it")
    return problems


# ---------------------------------------------------------------------------------------------
# The demo kiosk
# ---------------------------------------------------------------------------------------------

#: what phones reach in the demo's pictures (printed on posters and sign-in sheets)
PUBLIC_BASE_URL = "https://fair.example.gov.cn"


@dataclass
class Kiosk:
    base: str
    app: object
    password: str
    instance: Path

    def query(self, function):
        """Run function() in the app's context (the database as the kiosk sees it)."""
        from kiosk.core.extensions import db
        with self.app.app_context():
            try:
                return function()
            finally:
                db.session.remove()


@contextlib.contextmanager
def demo_kiosk():
    """The kiosk with the demo fair, served on a free loopback port by a threaded server in this
    process, on a database and instance folder of its own that are gone afterwards."""
    instance = Path(tempfile.mkdtemp(prefix="kiosk-docs-"))
    password = secrets.token_urlsafe(12)
    # Nothing of the developer's own instance/ is read or written: the key and database are here.
    os.environ["KIOSK_INSTANCE"] = str(instance)
    os.environ["SECRET_KEY"] = secrets.token_hex(32)
    os.environ.pop("DATABASE_URL", None)
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from kiosk import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'kiosk.db'}",
                      "SECRET_KEY": os.environ["SECRET_KEY"], "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
                      "TRACK_POLL_SECONDS": 1, "QUEUE_POLL_SECONDS": 1, "DASHBOARD_POLL_SECONDS": 2,
                      "LEDGER_POLL_SECONDS": 2})
    app.instance_path = str(instance)
    import logging
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    with app.app_context():
        logging.disable(logging.INFO)  # nor per migration
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
        from kiosk.demo import build_demo_fair, build_demo_history
        fair = build_demo_fair(password)
        build_demo_history(fair)
        _previous_quarter_fair()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Kiosk(f"http://127.0.0.1:{server.server_port}", app, password, instance)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        with app.app_context():
            from kiosk.core.extensions import db
            db.engine.dispose()
        shutil.rmtree(instance, ignore_errors=True)


def _previous_quarter_fair():
    """A closed fair in the previous quarter, whose plans a reconciliation round of this quarter
    lists (the demo's own closed fair, last month's, may fall in this quarter): three departments'
    plans, one reported done."""
    import random

    import sqlalchemy as sa

    from kiosk.auth.models import Role, User
    from kiosk.companies.models import Company
    from kiosk.core.extensions import db
    from kiosk.core.timeutil import fair_today
    from kiosk.demo.content import CITY
    from kiosk.demo.filing import file_request
    from kiosk.fairs.models import Fair, FairStatus
    from kiosk.figures.tally import compute_tally
    from kiosk.ledger import moves
    from kiosk.ledger.rounds import quarter_of, quarter_start
    from kiosk.organiser.fair_setup import add_booth, add_zone
    from kiosk.service_requests.models import Category, Status
    rng = random.Random(930)
    today = fair_today()
    day = quarter_start(*quarter_of(today)) - timedelta(days=45)
    organiser = db.session.scalar(sa.select(User).filter_by(role=Role.organiser).order_by(User.id))
    demo = db.session.scalar(sa.select(Fair).order_by(Fair.id))
    fair = Fair(name=f"{day.year}年{day.month}月{CITY}要素保障大集（演示）", date=day, venue=f"{CITY}会展中心一号馆",
                status=FairStatus.closed)
    db.session.add(fair)
    zone = add_zone(fair, "要素保障部门专区")
    source = {b.code: b for b in demo.booths}
    booths = [add_booth(fair, zone, code, source[code].department.name, source[code].department.kind)
              for code in ("B01", "B03", "B04")]
    db.session.flush()
    companies = db.session.scalars(sa.select(Company).order_by(Company.id)).all()
    noon = datetime.combine(day, time(4, 0))  # 12:00 in Tai'an: filed during the morning
    items = []
    for n in range(6):
        category = rng.choice([Category.land, Category.approvals, Category.utilities])
        item = file_request(fair, booths[n % 3], companies[(n + 3) % len(companies)], category, Status.planned,
                            organiser, rng, noon=noon)
        items.append(item)
    db.session.flush()
    for n, item in enumerate(items):
        item.plan_due = item.current_due = day + timedelta(days=30 + 10 * n)
    db.session.flush()
    moves.finish(items[1], organiser, items[1].version, result="已完成手续办理，批复已送达企业。",
                 evidence="批复文号 泰审批〔2026〕21号")
    # Closed at 17:00 in Tai'an on its day, its tally frozen then, as closing a fair does.
    fair.closed_at = datetime.combine(day, time(9, 0))  # (naive UTC, as the kiosk stores it)
    fair.tally_snapshot = compute_tally(fair, taken_at=fair.closed_at)
    db.session.commit()


# ---------------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 1, "locale": "zh-CN"}
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", "accept_downloads": True}
#: the hall's big screen: 16:9
HALL = {"viewport": {"width": 1440, "height": 810}, "locale": "zh-CN"}
#: the longest picture of a page, in CSS pixels (a full page is cut there)
MAX_HEIGHT = 2000
#: the margin around a pictured region, in CSS pixels
MARGIN = 12
#: how long a step waits for what it expects, in ms, before it fails
STEP_TIMEOUT = 15_000


class StepFailed(Exception):
    pass


class Camera:
    """Browser contexts that fail loudly (a 4xx/5xx page, a script error) and a shot() that writes
    a small PNG (256 colours, optimised) into the output folder."""

    def __init__(self, browser, out: Path):
        self.browser, self.out, self.taken, self.step = browser, out, [], "start"
        self.problems = []

    def context(self, options, name):
        context = self.browser.new_context(**options)
        context.set_default_timeout(STEP_TIMEOUT)
        page = context.new_page()

        def answered(response):
            request = response.request
            if response.status >= 400 and request.resource_type in ("document", "xhr", "fetch"):
                self.problems.append(f"{name}: {request.method} {response.url} answered {response.status}")
        page.on("response", answered)
        page.on("pageerror", lambda error: self.problems.append(f"{name}: script error {error}"))
        return page

    def shot(self, page, name, *, full_page=False, region=None, clip_height=None):
        """A picture of the page as it stands: the viewport; or the page from the top, cut at
        clip_height (or MAX_HEIGHT); or the region around some elements, with a margin."""
        if self.problems:
            raise StepFailed("; ".join(self.problems))
        page.evaluate("document.activeElement && document.activeElement.blur && document.activeElement.blur()")
        options = {"animations": "disabled", "caret": "hide"}
        width = page.viewport_size["width"]
        if region is not None:
            boxes = [locator.bounding_box() for locator in region]
            if None in boxes:
                raise StepFailed(f"{name}: a region to picture is not on the page")
            scrolled = page.evaluate("window.scrollY")
            top = max(0, min(b["y"] for b in boxes) + scrolled - MARGIN)
            bottom = max(b["y"] + b["height"] for b in boxes) + scrolled + MARGIN
            options.update(full_page=True, clip={"x": 0, "y": top, "width": width, "height": bottom - top})
        elif full_page:
            height = min(page.evaluate("document.documentElement.scrollHeight"), clip_height or MAX_HEIGHT)
            options.update(full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height})
        self._save(_png_image(page.screenshot(**options)), name)

    def _save(self, image, name):
        """256 colours and the PNG optimiser: a screenshot of a page keeps its look at a third of the size."""
        from PIL import Image
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        path = self.out / f"{name}.png"
        if path.exists():
            raise StepFailed(f"two pictures are named {name}")
        small.save(path, optimize=True)
        self.taken.append(path)
        print(f"  {path.name} ({path.stat().st_size // 1024} KB)", flush=True)

    def pdf_page(self, data: bytes, name: str, page_index: int = 0, width: int = 900):
        """A page of a PDF the kiosk made (a poster, the tally), drawn as the printer would print it."""
        import pypdfium2
        document = pypdfium2.PdfDocument(data)
        try:
            pdf_page = document[page_index]
            image = pdf_page.render(scale=width / pdf_page.get_width()).to_pil()
        finally:
            document.close()
        self._save(image, name)


def _png_image(png: bytes):
    from PIL import Image
    return Image.open(io.BytesIO(png))


# ---------------------------------------------------------------------------------------------
# The story, role by role, in the order it happens
# ---------------------------------------------------------------------------------------------

@contextlib.contextmanager
def step(camera, name):
    """One step of a guide: any failure in it names the step."""
    camera.step = name
    print(f"- {name}", flush=True)
    try:
        yield
    except StepFailed as failed:
        raise StepFailed(f"step '{name}': {failed}") from failed
    except Exception as error:  # a missing button, a timeout, a failed expectation
        raise StepFailed(f"step '{name}': {error}") from error
    if camera.problems:
        raise StepFailed(f"step '{name}': " + "; ".join(camera.problems))


#: the company of the story
COMPANY = "泰安岱宗智能装备有限公司"
CONTACT, MOBILE = "陈经理", "13905381234"
LAND_NEED = "新建智能装备生产基地，需用地约50亩，希望了解高新区可供地块和供地时间。"
APPROVAL_NEED = "二期厂房施工许可办理进度慢，希望协调并联审批。"
RATINGS = ("业务水平", "服务态度", "工作效率", "代办手续及解决问题", "廉洁自律", "总体评价")


def company_credit_code() -> str:
    from kiosk.companies.validation import credit_code_check_char
    body = "91370902MA3DY8K5X"
    return body + credit_code_check_char(body)


def to_top(locator):
    """Scroll the page so that the element stands near the top of the viewport."""
    locator.evaluate("e => { e.scrollIntoView({block: 'start'}); window.scrollBy(0, -16); }")


def sign_in(page, base, username, password, camera=None, picture=None):
    from playwright.sync_api import expect
    page.goto(f"{base}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员登录")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    if camera and picture:
        camera.shot(page, picture)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def story(kiosk, camera):
    from playwright.sync_api import expect
    expect.set_options(timeout=STEP_TIMEOUT)  # a loaded CI machine: waits end at the first success anyway
    phone = camera.context(PHONE, "phone")
    tablet = camera.context(TABLET, "tablet")
    organiser = camera.context(DESKTOP, "organiser")
    department = camera.context(DESKTOP, "department")
    told = {}  # what later steps need of earlier ones: ticket numbers, links, ids
    at_the_booth(kiosk, camera, phone, tablet, told)
    organiser_before_and_during(kiosk, camera, organiser, told)
    department_after(kiosk, camera, department, told)
    organiser_after(kiosk, camera, organiser, told)
    company_after(kiosk, camera, phone, told)
    department_sees_the_verdict(kiosk, camera, department, told)


def _demo_fair_id():
    import sqlalchemy as sa

    from kiosk.core.extensions import db
    from kiosk.fairs.models import Fair, FairStatus
    return db.session.scalar(sa.select(Fair.id).filter_by(status=FairStatus.open).order_by(Fair.id))


def at_the_booth(kiosk, camera, phone, tablet, told):
    """The company files two requests at B01 while B01's tablet watches its queue; the staff invite
    a second booth, give a plan, transfer the other request; the company rates the plan on its
    phone; the staff resolve a demo request on the spot and hand the tablet over for its slip."""
    from playwright.sync_api import expect
    base = kiosk.base
    fair_id = kiosk.query(_demo_fair_id)
    with step(camera, "booth staff sign in on the tablet"):
        sign_in(tablet, base, "b01", kiosk.password, camera, "booth-01-sign-in")
        expect(tablet.get_by_role("heading", level=1)).to_contain_text("B01")
        expect(tablet.locator("#queue tr[data-id]").first).to_be_visible()

    with step(camera, "the company opens the booth's form"):
        phone.goto(f"{base}/b/{fair_id}/B01")
        expect(phone.locator(".booth-head .booth-code")).to_have_text("B01")
        expect(phone.get_by_role("heading", level=1)).to_have_text("提交企业需求")
        camera.shot(phone, "company-02-form")
    with step(camera, "the same form in English"):
        phone.get_by_role("link", name="English").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("Submit a request")
        camera.shot(phone, "company-02-form-en")
        phone.get_by_role("link", name="中文").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("提交企业需求")
    with step(camera, "the company fills the form in"):
        phone.get_by_label("企业名称").fill(COMPANY)
        phone.get_by_label("统一社会信用代码").fill(company_credit_code())
        phone.get_by_label("联系人").fill(CONTACT)
        phone.get_by_label("手机号码").fill(MOBILE)
        phone.locator(".categories").get_by_text("土地", exact=True).click()
        phone.get_by_label("需求内容").fill(LAND_NEED)
        phone.get_by_label("项目名称（选填）").fill("智能装备生产基地项目")
        to_top(phone.locator("fieldset", has=phone.locator(".categories")))
        camera.shot(phone, "company-03-filled")
    with step(camera, "the company submits and gets its ticket"):
        phone.get_by_role("button", name="提交需求").click()
        expect(phone.locator(".ticket-no")).to_have_text(re.compile(r"^B01-\d{3}$"))
        told["land"] = phone.locator(".ticket-no").inner_text()
        told["land_url"] = phone.url
        expect(phone.locator("#track-status")).to_contain_text("待受理")
        phone.locator(".keep-link summary").click()
        camera.shot(phone, "company-04-ticket", full_page=True, clip_height=1300)

    with step(camera, "the new request arrives on the tablet's queue"):
        row = tablet.locator("#queue tr[data-id]", has_text=told["land"])
        expect(row).to_have_class(re.compile("arrived"))
        camera.shot(tablet, "booth-02-queue")

    with step(camera, "the company files a second request without typing its details again"):
        phone.get_by_role("link", name="向本摊位再提一项需求").click()
        expect(phone.get_by_label("企业名称")).to_have_value(COMPANY)
        expect(phone.locator(".remembered")).to_contain_text("不是本企业？清空")
        camera.shot(phone, "company-05-again")
        phone.locator(".categories").get_by_text("审批/手续", exact=True).click()
        phone.get_by_label("需求内容").fill(APPROVAL_NEED)
        phone.get_by_role("button", name="提交需求").click()
        expect(phone.locator(".ticket-no")).not_to_have_text(told["land"])
        told["approval"] = phone.locator(".ticket-no").inner_text()
        told["approval_url"] = phone.url

    with step(camera, "booth staff open the request and take it"):
        tablet.locator("#queue tr[data-id]", has_text=told["land"]).get_by_role("link", name=told["land"]).click()
        expect(tablet.get_by_role("button", name="开始办理")).to_be_visible()
        camera.shot(tablet, "booth-03-request")
        tablet.get_by_role("button", name="开始办理").click()
        expect(tablet.locator("#request-panel .badge").first).to_have_text("办理中")
    with step(camera, "booth staff invite another booth (joint handling)"):
        tablet.locator("summary", has_text="联合会商").click()
        tablet.get_by_label(re.compile("B04 ")).check()
        tablet.get_by_label("会商事项").fill("厂房规划许可需住房和城乡建设局同步会商。")
        to_top(tablet.locator("details", has=tablet.locator("summary", has_text="联合会商")))
        camera.shot(tablet, "booth-04-join")
        tablet.get_by_role("button", name="邀请会商").click()
        expect(tablet.locator("#request-panel .facts")).to_contain_text("会商摊位")
    with step(camera, "booth staff record a plan"):
        tablet.locator("summary", has_text="现场拿出解决方案").click()
        tablet.get_by_label("解决方案").fill("会后五个工作日内组织现场踏勘，提供高新区可供地块清单，30日内出具供地方案。")
        tablet.get_by_label("责任人").fill("赵科长")
        tablet.get_by_label("完成时限").fill((date.today() + timedelta(days=30)).isoformat())
        tablet.get_by_role("button", name="记录解决方案").scroll_into_view_if_needed()
        camera.shot(tablet, "booth-05-plan")
        tablet.get_by_role("button", name="记录解决方案").click()
        expect(tablet.locator("#request-panel")).to_contain_text("已记录解决方案")

    with step(camera, "the company sees the plan and rates it"):
        phone.goto(told["land_url"])
        status = phone.locator("#track-status")
        expect(status).to_contain_text("现场拿出的解决方案")
        expect(status).to_contain_text("赵科长")
        camera.shot(phone, "company-06-plan")
        slip = phone.locator("#slip")
        slip.locator("fieldset", has=phone.locator("legend.question")).get_by_text("是", exact=True).click()
        for name, choice in zip(RATINGS, ("非常满意", "非常满意", "满意", "满意", "非常满意", "非常满意"), strict=True):
            slip.locator("fieldset.rating", has=phone.get_by_text(name, exact=True)).get_by_text(
                choice, exact=True).click()
        phone.get_by_label("意见和建议（选填）").fill("方案清楚，期限明确。")
        camera.shot(phone, "company-07-slip", region=[slip])
        phone.get_by_role("button", name="提交评价").click()
        expect(slip).to_contain_text("感谢您的评价")

    with step(camera, "booth staff transfer the other request"):
        tablet.get_by_role("link", name="返回队列").click()
        tablet.locator("#queue tr[data-id]", has_text=told["approval"]).get_by_role(
            "link", name=told["approval"]).click()
        tablet.get_by_role("button", name="开始办理").click()
        expect(tablet.locator("#request-panel .badge").first).to_have_text("办理中")
        tablet.locator("summary", has_text="转办").click()
        b03 = tablet.get_by_label("转至摊位").locator("option", has_text="B03")
        tablet.get_by_label("转至摊位").select_option(b03.get_attribute("value"))
        tablet.get_by_label("转办原因").fill("属施工许可审批事项，转行政审批服务局办理。")
        tablet.get_by_role("button", name="确认转办").scroll_into_view_if_needed()
        camera.shot(tablet, "booth-06-transfer")
        tablet.get_by_role("button", name="确认转办").click()
        expect(tablet.locator(".notice.success")).to_contain_text("已转办")
        tablet.get_by_role("link", name=re.compile("已转出")).click()
        expect(tablet.locator("tr.row-transferred", has_text=told["approval"])).to_contain_text("B03")
        camera.shot(tablet, "booth-07-transferred")
    with step(camera, "the company is told where its request went"):
        phone.goto(told["approval_url"])
        expect(phone.locator("#track-status .transferred")).to_contain_text("请到 B03 摊位")
        camera.shot(phone, "company-08-transferred")

    with step(camera, "booth staff resolve a request on the spot"):
        tablet.locator(".tabs a", has_text="全部").click()
        waiting = tablet.locator("#queue tr[data-id]", has=tablet.locator(".badge.status-waiting")).first
        waiting.get_by_role("link").first.click()
        tablet.get_by_role("button", name="开始办理").click()
        expect(tablet.locator("#request-panel .badge").first).to_have_text("办理中")
        tablet.locator("summary", has_text="现场办结").click()
        tablet.get_by_label("办理情况").fill("已现场答复，并协调相关部门限期处理，处理结果当场告知企业。")
        camera.shot(tablet, "booth-08-resolve")
        tablet.get_by_role("button", name="确认现场办结").click()
        expect(tablet.locator("#request-panel")).to_contain_text("已记录为现场办结")
    with step(camera, "booth staff hand the tablet over for the slip"):
        tablet.get_by_role("button", name="请企业评价（把平板交给企业）").click()
        expect(tablet.get_by_role("heading", level=1)).to_have_text("满意度测评表")
        expect(tablet.locator(".topbar")).not_to_contain_text("退出")
        camera.shot(tablet, "booth-09-slip-mode")
        tablet.locator("fieldset", has=tablet.locator("legend.question")).get_by_text("是", exact=True).click()
        for name in RATINGS:
            tablet.locator("fieldset.rating", has=tablet.get_by_text(name, exact=True)).get_by_text(
                "满意", exact=True).click()
        tablet.get_by_role("button", name="提交评价").click()
        expect(tablet.get_by_role("heading", level=1)).to_have_text("感谢您的评价！")
        tablet.get_by_text("工作人员：退出评价模式").click()
        tablet.get_by_label("工作人员密码").fill(kiosk.password)
        camera.shot(tablet, "booth-10-thanks")
        tablet.get_by_role("button", name="退出评价模式").click()
        expect(tablet.locator("#request-panel")).to_contain_text("企业已完成评价")

    with step(camera, "the company finds a lost ticket"):
        phone.goto(f"{base}/f/{fair_id}/find")
        phone.get_by_label("需求编号").fill(told["land"])
        phone.get_by_label("手机号码后4位").fill(MOBILE[-4:])
        camera.shot(phone, "company-09-find")
        phone.get_by_role("button", name="查询").click()
        expect(phone.locator(".ticket-no")).to_have_text(told["land"])


BOOTHS_CSV = """摊位号,部门或机构名称,类型,专区
K01,泰安高新区自然资源分局,部门,要素保障部门专区
K02,泰安高新区行政审批服务局,部门,要素保障部门专区
K03,泰安高新区供电中心,部门,要素保障部门专区
K04,泰安高新区人力资源服务中心,部门,要素保障部门专区
K05,中国建设银行泰安高新区支行,银行,金融服务专区
K06,泰安农村商业银行高新区支行,银行,金融服务专区
"""


def organiser_before_and_during(kiosk, camera, page, told):
    """A new fair set up from nothing, its accounts and posters, opened; then the demo fair watched
    on the dashboard and the hall screen, closed and tallied."""
    from playwright.sync_api import expect
    base = kiosk.base
    with step(camera, "an organiser signs in and creates a fair"):
        sign_in(page, base, "admin", kiosk.password)
        expect(page.get_by_role("heading", level=1)).to_have_text("大集管理")
        page.get_by_label("大集名称").fill("2026年泰安高新区要素保障专场（演示）")
        page.get_by_label("日期").fill((date.today() + timedelta(days=14)).isoformat())
        page.get_by_label("地点").fill("泰安高新区企业服务中心")
        camera.shot(page, "organiser-01-new-fair")
        page.get_by_role("button", name="创建").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("2026年泰安高新区要素保障专场（演示）")
        told["new_fair_url"] = page.url
    with step(camera, "the organiser adds zones"):
        adding = page.locator("form", has=page.get_by_role("button", name="添加专区"))
        for zone in ("要素保障部门专区", "金融服务专区"):
            adding.get_by_label("专区名称").fill(zone)
            adding.get_by_role("button", name="添加专区").click()
            expect(page.locator(".zone-head h3", has_text=zone)).to_be_visible()
    with step(camera, "the organiser imports the booths from a sheet"):
        sheet = kiosk.instance / "booths.csv"
        sheet.write_text(BOOTHS_CSV, encoding="utf-8")
        page.get_by_label("摊位表（CSV 或 XLSX）").set_input_files(str(sheet))
        page.get_by_role("button", name="上传并预览").click()
        expect(page.locator("#import-preview")).to_contain_text("新摊位6个")
        camera.shot(page, "organiser-02-import-preview", region=[page.locator("#import-preview")])
        page.get_by_role("button", name="确认导入以上变动").click()
        expect(page.locator(".notice.success")).to_contain_text("已新增6个摊位")
        camera.shot(page, "organiser-03-fair", full_page=True, clip_height=1400)
    with step(camera, "the organiser issues staff accounts and prints the sign-in sheet"):
        page.get_by_role("link", name="管理工作人员账号").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("工作人员账号")
        page.get_by_role("button", name="生成账号并打印登录单").click()
        expect(page.locator("table.sheet tbody tr")).to_have_count(6)
        camera.shot(page, "organiser-04-sign-in-sheet")
        page.goto(told["new_fair_url"])
        page.get_by_role("link", name="管理工作人员账号").click()
        expect(page.locator("table.accounts tbody tr")).to_have_count(6)
        camera.shot(page, "organiser-05-accounts")
    with step(camera, "the organiser downloads the QR posters"):
        page.goto(told["new_fair_url"])
        with page.expect_download() as download:
            page.get_by_role("link", name="下载二维码海报").click()
        camera.pdf_page(Path(download.value.path()).read_bytes(), "poster-booth", 0, width=700)
    with step(camera, "the organiser opens the fair"):
        page.get_by_role("button", name="开放大集，开始受理").click()
        expect(page.locator(".badge.fair-open")).to_be_visible()
        camera.shot(page, "organiser-06-opened")

    demo = kiosk.query(_demo_fair_id)
    with step(camera, "the organiser watches the demo fair's live dashboard"):
        page.goto(f"{base}/organiser/fairs/{demo}")
        page.get_by_role("link", name="实时看板").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("实时看板")
        expect(page.locator("#total-received")).not_to_have_text("0")
        camera.shot(page, "organiser-07-dashboard", full_page=True, clip_height=1800)
    with step(camera, "the hall's screen opens by its view-only link"):
        page.goto(f"{base}/organiser/fairs/{demo}")
        link = page.locator("#screen-link a.screen-url").get_attribute("href")
        hall = camera.context(HALL, "hall screen")
        hall.goto(base + link.removeprefix(PUBLIC_BASE_URL))
        expect(hall.locator(".screen-totals .value").first).not_to_have_text("0")
        expect(hall.locator(".topbar")).to_have_count(0)
        camera.shot(hall, "organiser-08-hall-screen")
        hall.context.close()
    with step(camera, "the organiser closes the fair, handing over what is still open"):
        page.get_by_role("link", name="闭幕并冻结统计…").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("闭幕并冻结统计")
        # Every request still open goes to its booth's department (会后办理) unless ended with a reason.
        rows = page.locator("table.close-list tbody tr")
        expect(rows.first).to_be_visible()
        expect(rows.first.locator("select")).to_have_value("handover")
        to_top(page.locator("section.still-open"))
        camera.shot(page, "organiser-09-close")
        box = page.locator("#fair-close")
        box.locator("summary").click()
        box.get_by_label("我已核对仍未办完的需求及其去向，确认闭幕").check()
        camera.shot(page, "organiser-22-close-confirm", region=[box])
        box.get_by_role("button", name="确认闭幕").click()
        expect(page.locator(".badge.fair-closed")).to_be_visible()
        expect(page.locator(".notice, .flash").first).to_contain_text("转会后办理")
    with step(camera, "the organiser prints the closing tally"):
        page.get_by_role("link", name="闭幕统计").click()
        expect(page.locator(".tally-page")).to_contain_text("受理企业需求")
        camera.shot(page, "organiser-10-tally", full_page=True, clip_height=1800)
        with page.expect_download() as download:
            page.get_by_role("link", name="下载PDF（打印）").click()
        camera.pdf_page(Path(download.value.path()).read_bytes(), "organiser-11-tally-pdf", 0, width=800)
    with step(camera, "the organiser prints the departments' handover lists"):
        page.goto(f"{base}/supervision/handover/fairs/{demo}")
        expect(page.get_by_role("heading", level=1)).to_have_text("交办清单与签收")
        expect(page.locator("#handover-awaiting")).not_to_have_text("0")
        camera.shot(page, "organiser-23-handover", full_page=True, clip_height=1300)
        with page.expect_download() as download:
            page.locator("#print-all").click()
        camera.pdf_page(Path(download.value.path()).read_bytes(), "organiser-24-handover-pdf", 0, width=800)


def _department_item(exclude):
    """A plan on the first department's ledger (d1's) that nothing is waiting on (no extension asked,
    not parked or asked to be), other than the ones in exclude: its id and current due date."""
    import sqlalchemy as sa

    from kiosk.auth.models import User
    from kiosk.core.extensions import db
    from kiosk.fairs.models import Booth
    from kiosk.service_requests.models import ServiceRequest, Status
    from kiosk.supervision.parking import pending_ask
    department = db.session.scalar(sa.select(User.department_id).filter_by(username="d1"))
    items = db.session.scalars(
        sa.select(ServiceRequest).join(Booth, ServiceRequest.booth_id == Booth.id)
        .where(Booth.department_id == department, ServiceRequest.status == Status.planned,
               ServiceRequest.parked_until.is_(None), ServiceRequest.extension_asked_on.is_(None),
               ServiceRequest.id.not_in(exclude))
        .order_by(ServiceRequest.current_due.desc(), ServiceRequest.id)).all()
    item = next(item for item in items if pending_ask(item) is None)
    return item.id, item.current_due


def _token_of(item_id):
    from kiosk.core.extensions import db
    from kiosk.service_requests.models import ServiceRequest
    return db.session.get(ServiceRequest, item_id).token


def _story_item(ticket):
    """The ledger id of the story's plan (ticket numbers repeat across fairs: the company's name tells)."""
    import sqlalchemy as sa

    from kiosk.core.extensions import db
    from kiosk.service_requests.models import ServiceRequest
    return db.session.scalar(sa.select(ServiceRequest.id).filter_by(
        ticket_no=ticket, company_name=COMPANY).order_by(ServiceRequest.id))


def department_after(kiosk, camera, page, told):
    """After the fair: the first department's ledger account records progress on the story's plan,
    reports it done with evidence, and extends an overdue item."""
    from playwright.sync_api import expect
    told["item"] = kiosk.query(lambda: _story_item(told["land"]))
    with step(camera, "department staff sign in and see their ledger"):
        sign_in(page, kiosk.base, "d1", kiosk.password, camera, "department-01-sign-in")
        expect(page.get_by_role("heading", level=1)).to_contain_text("需求台账 · 泰安市自然资源和规划局")
        expect(page.locator(f"#item-{told['item']}")).to_be_visible()
        camera.shot(page, "department-02-ledger", full_page=True, clip_height=1300)
    with step(camera, "department staff open the plan"):
        page.locator(f"#item-{told['item']}").get_by_role("link").click()
        expect(page.locator("#item-panel h1")).to_contain_text(told["land"])
        camera.shot(page, "department-03-item")
    with step(camera, "department staff record progress"):
        page.locator("summary", has_text="记录办理进展").click()
        page.get_by_label("办理进展", exact=True).fill(
            "已完成现场踏勘，两处可供地块的规划条件已函询，正在编制供地方案。")
        camera.shot(page, "department-04-progress")
        page.get_by_role("button", name="保存进展").click()
        expect(page.locator("#item-panel")).to_contain_text("已记录办理进展")
    with step(camera, "department staff report it done, with evidence"):
        page.locator("summary", has_text="办结，申请销号").click()
        page.get_by_label("办理结果").fill("供地方案已批复，企业已签订国有建设用地使用权出让合同。")
        page.get_by_label("佐证材料").fill("出让合同编号 泰高新出让〔2026〕118号")
        camera.shot(page, "department-05-finish")
        page.get_by_role("button", name="提交办结情况").click()
        expect(page.locator("#item-panel")).to_contain_text("已申请销号，等待组织方确认")
        expect(page.get_by_role("button", name="确认销号")).to_have_count(0)
        camera.shot(page, "department-06-done")
    with step(camera, "department staff acknowledge the items handed to them"):
        page.get_by_role("link", name="← 需求台账").click()
        receipts = page.locator("#receipts-waiting")
        expect(receipts.locator("tbody tr").first).to_be_visible()
        camera.shot(page, "department-10-receipts", region=[receipts])
        receipts.get_by_text(re.compile(r"^签收全部 \d+ 项$")).click()
        receipts.get_by_label("我已核对上面列出的事项").check()
        receipts.get_by_role("button", name=re.compile(r"^确认签收\d+项$")).click()
        expect(page.get_by_role("status").first).to_contain_text("项交办事项")
    with step(camera, "department staff ask for more time on an item"):
        told["extend"], due = kiosk.query(lambda: _department_item({told["item"]}))
        told["extend_to"] = (due + timedelta(days=30)).isoformat()
        page.goto(f"{kiosk.base}/ledger/items/{told['extend']}")
        page.get_by_text("提出延期申请", exact=True).click()
        page.get_by_label("新的完成时限").fill(told["extend_to"])
        page.get_by_label("延期原因").fill("用地预审需报省自然资源厅审查，企业已提交书面申请，预计30日内批复。")
        camera.shot(page, "department-07-extend")
        page.get_by_role("button", name="提交延期申请").click()
        expect(page.locator("#item-panel")).to_contain_text("已提交延期申请")
        expect(page.locator("#extension-pending")).to_contain_text(told["extend_to"])
        expect(page.locator("#due-now")).to_contain_text(due.isoformat())  # nothing moves before approval
        camera.shot(page, "department-11-extension-asked", region=[page.locator("#extension-pending")])
    with step(camera, "department staff ask to park an item they cannot finish now"):
        told["park"], _due = kiosk.query(lambda: _department_item({told["item"], told["extend"]}))
        page.goto(f"{kiosk.base}/ledger/items/{told['park']}")
        card = page.locator("#parking")
        card.get_by_text("申请挂账", exact=True).click()
        card.get_by_label("政策或机制原因").check()
        card.get_by_label("情况说明").fill("项目所在地块涉及生态保护红线调整，须待省级批复新的红线方案后方可办理。")
        card.get_by_label("复核日期").fill((date.today() + timedelta(days=60)).isoformat())
        to_top(card)
        camera.shot(page, "department-12-park")
        card.get_by_role("button", name="提交挂账申请").click()
        expect(page.locator("#parking")).to_contain_text("挂账待审批")
    with step(camera, "department staff reply to a supervision notice"):
        page.get_by_role("link", name="← 需求台账").click()
        expect(page.locator("#notice-box")).to_contain_text("督办单")
        page.locator("#notice-box a").first.click()
        expect(page.locator("#notice-head")).to_contain_text("督办〔")
        waiting = page.locator(".notice-item", has=page.locator("summary", has_text="回复督办")).first
        waiting.locator("summary", has_text="回复督办").click()
        waiting.get_by_label("回复内容").fill("已约企业现场核实，本周内报送处理方案，两周内办结。")
        camera.shot(page, "department-13-notice", full_page=True, clip_height=1600)
        waiting.get_by_role("button", name="提交回复").click()
        expect(page.locator("main")).to_contain_text("已约企业现场核实")


def organiser_after(kiosk, camera, page, told):
    """The organiser's side of the ledger: the figures, confirming a close-out, the companies'
    disputes, a quarter's reconciliation; then the scoreboard: weights, points, publishing."""
    from playwright.sync_api import expect

    from kiosk.figures.periods import Period
    with step(camera, "the organiser opens the demand ledger"):
        page.get_by_role("link", name="需求台账", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("需求台账")
        camera.shot(page, "organiser-12-ledger", full_page=True, clip_height=1300)
    with step(camera, "the organiser confirms the department's close-out"):
        page.locator(".tabs a", has_text="待销号确认").click()
        page.locator(f"#item-{told['item']}").get_by_role("link").click()
        expect(page.get_by_role("button", name="确认销号")).to_be_visible()
        camera.shot(page, "organiser-13-confirm")
        page.get_by_role("button", name="确认销号").click()
        expect(page.locator("#item-panel")).to_contain_text("已销号。")
    with step(camera, "the organiser decides the departments' extension requests"):
        page.get_by_role("link", name="← 需求台账").click()
        page.locator("#extensions-link").click()
        waiting = page.locator("table.extension-requests tbody tr")
        expect(waiting.first).to_be_visible()
        camera.shot(page, "organiser-25-extensions", full_page=True, clip_height=1200)
        page.goto(f"{kiosk.base}/ledger/items/{told['extend']}")
        expect(page.locator("#extension-pending")).to_contain_text(told["extend_to"])
        approve = page.get_by_role("button", name=f"批准延期至 {told['extend_to']}")
        approve.scroll_into_view_if_needed()
        camera.shot(page, "organiser-26-extension-decision")
        approve.click()
        expect(page.locator("#item-panel")).to_contain_text("已批准延期")
        expect(page.locator("#due-now")).to_contain_text(told["extend_to"])
    with step(camera, "the organiser approves a request to park an item"):
        page.goto(f"{kiosk.base}/ledger/items/{told['park']}")
        card = page.locator("#parking")
        card.get_by_text("批准挂账", exact=True).click()
        card.get_by_label("审批意见（可不填）").fill("同意挂账，由市工业推进办协调省厅，复核时报进展。")
        to_top(card)
        camera.shot(page, "organiser-27-parking")
        card.get_by_role("button", name="确认批准").click()
        expect(page.locator("#parking #park-cause")).to_have_text("政策或机制原因")
    with step(camera, "the organiser issues a supervision notice"):
        page.goto(f"{kiosk.base}/supervision/notices")
        expect(page.get_by_role("heading", level=1)).to_have_text("督办单")
        camera.shot(page, "organiser-28-notices", full_page=True, clip_height=1300)
        page.locator("#colours-by-department tr").get_by_role("link", name="发督办单").first.click()
        expect(page.locator("input[name=items]:checked").first).to_be_checked()  # its red and yellow
        page.get_by_label("督办意见", exact=True).fill(
            "请于回复期限前逐项说明逾期和无进展的原因、已采取的措施和预计办结时间；确需延期或挂账的，按程序申请。")
        camera.shot(page, "organiser-29-notice-new", full_page=True, clip_height=1400)
        page.get_by_text("发出督办单…").click()
        page.get_by_label("我已核对勾选的事项和督办意见").check()
        page.get_by_role("button", name="发出督办单", exact=True).click()
        expect(page.locator("#notice-head")).to_contain_text("督办〔")
        expect(page.locator("#notice-state")).to_have_text("待回复")
        camera.shot(page, "organiser-30-notice", full_page=True, clip_height=1400)
    with step(camera, "the organiser reads the common bottlenecks"):
        page.get_by_role("link", name="共性堵点").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("共性堵点分析")
        expect(page.locator("#total-flagged")).not_to_have_text("0")
        camera.shot(page, "organiser-31-analysis", full_page=True, clip_height=2000)
    with step(camera, "the organiser reads the ledger by colour"):
        page.goto(f"{kiosk.base}/ledger")
        strip = page.locator("#ledger-colours")
        expect(strip).to_be_visible()
        strip.get_by_role("link", name="红色·逾期").click()
        expect(page.locator("table.ledger tbody tr").first).to_be_visible()
        camera.shot(page, "organiser-32-ledger-red", full_page=True, clip_height=1300)
    with step(camera, "the organiser reads the companies' disputes"):
        page.goto(f"{kiosk.base}/ledger")
        page.locator(".tabs a", has_text="企业异议").click()
        disputed = page.locator("table.ledger tbody tr").first
        expect(disputed).to_be_visible()
        disputed.get_by_role("link").first.click()
        expect(page.locator("#disputed")).to_contain_text("企业对销号结果提出异议")
        camera.shot(page, "organiser-14-disputed")
    with step(camera, "the organiser opens this quarter's reconciliation"):
        page.get_by_role("link", name="← 需求台账").click()
        page.get_by_role("link", name="季度对账销号").click()
        page.get_by_role("button", name="开始对账").click()
        expect(page.locator(".notice.success")).to_contain_text("对账")
        lines = page.locator("form.round-marks tbody tr")
        expect(lines.first).to_be_visible()
        camera.shot(page, "organiser-15-round", full_page=True, clip_height=1400)
    with step(camera, "the organiser marks the items and closes the round"):
        finished = lines.filter(has=page.locator(".badge.status-done, .badge.status-closed_out"))
        expect(finished.first).to_be_visible()
        for n in range(finished.count()):
            finished.nth(n).get_by_role("checkbox").check()
        page.get_by_label("对账结果", exact=True).select_option(label="销号")
        page.get_by_label("对账说明").fill("核对批复文件和出让合同，确认办结。")
        page.get_by_role("button", name="标记", exact=True).click()
        expect(page.locator(".notice.success")).to_contain_text("销号")
        unmarked = page.locator("form.round-marks tbody tr",
                                has=page.locator("td:last-child .muted", has_text="未标记"))
        expect(unmarked.first).to_be_visible()
        for n in range(unmarked.count()):
            unmarked.nth(n).get_by_role("checkbox").check()
        page.get_by_label("对账结果", exact=True).select_option(label="仍在办理")
        page.get_by_label("对账说明").fill("按方案推进，下季度对账时再核。")
        page.get_by_role("button", name="标记", exact=True).click()
        expect(page.locator("#count-unmarked")).to_have_text("0")
        page.locator("#round-close summary").click()
        page.get_by_label("我已核对全部对账结果，确认结束对账并冻结数字").check()
        page.get_by_role("button", name="确认结束对账").click()
        expect(page.locator("#frozen-figures")).to_be_visible()
        camera.shot(page, "organiser-16-round-closed", full_page=True, clip_height=1200)
    with step(camera, "the organiser reads the scoreboard"):
        page.get_by_role("link", name="大比拼", exact=True).click()
        expect(page.locator("figure.bar-chart svg").first).to_be_visible()
        camera.shot(page, "organiser-17-scoreboard", full_page=True, clip_height=1800)
    with step(camera, "the organiser sets the weights"):
        page.get_by_role("link", name="设置权重").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("大比拼权重")
        camera.shot(page, "organiser-18-weights")
        page.go_back()
    with step(camera, "the organiser enters the month's efficiency points"):
        page.get_by_role("link", name="录入效率分").click()
        first = page.locator("table.points tbody tr").first
        first.locator("input").fill("92")
        first.locator("textarea").fill("按时报送周进度，专班交办任务按期完成")
        page.get_by_role("button", name="保存本月效率分").click()
        expect(page.locator(".notice.success")).to_contain_text("已保存")
        camera.shot(page, "organiser-19-efficiency")
    with step(camera, "the organiser publishes the last quarter's ranking"):
        quarter = Period.of("quarter", date.today()).previous
        page.goto(f"{kiosk.base}/organiser/scoreboard/{quarter.key}")
        page.get_by_role("button", name="发布本期排名").click()
        expect(page.locator(".notice.success")).to_contain_text("第1版")
        expect(page.locator(".board-head")).to_contain_text("已发布（第1版）")
        camera.shot(page, "organiser-20-published")
    with step(camera, "the organiser issues department accounts"):
        page.get_by_role("link", name="部门台账账号").click()
        expect(page.locator("table.accounts tbody tr").first).to_be_visible()
        camera.shot(page, "organiser-21-departments")


def company_after(kiosk, camera, phone, told):
    """The company's link, kept since the fair: the progress, the result, and its one verdict."""
    from playwright.sync_api import expect
    with step(camera, "the company reads the progress and the result"):
        phone.goto(told["land_url"])
        after = phone.locator("#after-fair")
        expect(after).to_contain_text("已完成现场踏勘")
        # The company's next step first (its confirmation or dispute), the history folded below it.
        expect(phone.locator("form.verdict")).to_contain_text("问题是否已经解决")
        camera.shot(phone, "company-10-after-fair", full_page=True, clip_height=1400)
    with step(camera, "the company reads who has its request after the close"):
        phone.goto(told["approval_url"])
        expect(phone.locator("#track-handover")).to_contain_text("会后办理")
        camera.shot(phone, "company-11-handed-over", full_page=True, clip_height=1300)
    with step(camera, "a company reads that its deadline was extended"):
        phone.goto(f"{kiosk.base}/t/{kiosk.query(lambda: _token_of(told['extend']))}")
        expect(phone.locator("main")).to_contain_text(told["extend_to"])
        camera.shot(phone, "company-12-extended", full_page=True, clip_height=1600)
    with step(camera, "a company reads that its request is on hold"):
        phone.goto(f"{kiosk.base}/t/{kiosk.query(lambda: _token_of(told['park']))}")
        expect(phone.locator("#track-parked")).to_contain_text("暂缓办理")
        camera.shot(phone, "company-13-parked", full_page=True, clip_height=1300)
    with step(camera, "the company confirms the result"):
        phone.goto(told["land_url"])
        verdict = phone.locator("form.verdict")
        verdict.get_by_text("确认已解决", exact=True).click()
        verdict.get_by_text("非常满意", exact=True).click()
        verdict.get_by_role("button", name="提交确认").click()
        expect(phone.locator("#track-verdict")).to_contain_text("您已确认问题已解决")


def department_sees_the_verdict(kiosk, camera, page, told):
    from playwright.sync_api import expect
    with step(camera, "department staff see the company's verdict"):
        page.goto(f"{kiosk.base}/ledger/items/{told['item']}")
        expect(page.locator("#verdict")).to_contain_text("企业确认已解决")
        camera.shot(page, "department-08-verdict")
    with step(camera, "department staff read the published rankings"):
        page.get_by_role("link", name="大比拼排名").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("已发布的排名")
        page.locator("table.queue tbody tr").first.get_by_role("link").first.click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        camera.shot(page, "department-09-ranking", full_page=True, clip_height=1500)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check the guides' links and pictures")
    args = parser.parse_args(argv)
    if not args.check:
        started = monotonic()
        try:
            shoot()
        except StepFailed as failed:
            print(f"make docs: {failed}", file=sys.stderr)
            print("The pictures in docs/images were left as they were.", file=sys.stderr)
            return 1
        print(f"screenshots taken in {monotonic() - started:.0f} s", flush=True)
    problems = check(ROOT)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} broken link(s) or picture(s) in the guides", file=sys.stderr)
        return 1
    print(f"guides checked: {len(pages(ROOT))} pages, {len(list(IMAGES.glob('*.png')))} pictures, nothing broken")
    return 0


def shoot():
    from playwright.sync_api import sync_playwright
    out = Path(tempfile.mkdtemp(prefix="kiosk-docs-images-"))
    try:
        with demo_kiosk() as kiosk, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            camera = Camera(browser, out)
            try:
                story(kiosk, camera)
            finally:
                browser.close()
        IMAGES.mkdir(parents=True, exist_ok=True)
        for old in IMAGES.glob("*.png"):
            if not (out / old.name).exists():
                old.unlink()
        for new in out.glob("*.png"):
            shutil.copyfile(new, IMAGES / new.name)
        total = sum(p.stat().st_size for p in IMAGES.glob("*.png"))
        print(f"{len(list(out.glob('*.png')))} pictures in docs/images ({total / 1e6:.1f} MB)", flush=True)
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
