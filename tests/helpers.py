"""What tests do through the test client, or with what the app hands out: sign in, read a form's
hidden fields as a browser would, read a PDF's text, make a booth sheet to upload."""
import csv
import io
import re

import pypdfium2
import zxingcpp
from openpyxl import Workbook
from pypdf import PdfReader

from kiosk.core.extensions import db
from kiosk.service_requests.models import ServiceRequest
from tests.factories import CODE_A, PASSWORD


def login(client, username):
    response = client.post("/login", data={"username": username, "password": PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def csrf_token(client, url):
    """The CSRF token a page hands out, as a browser would read it from the form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def form_data(client, url, **overrides):
    """The form as the browser would send it: hidden fields from the page, then the company's input."""
    page = client.get(url).get_data(as_text=True)
    data = dict(re.findall(r'name="(csrf_token|submission_key)"[^>]*value="([^"]*)"', page))
    selected = re.search(r'<option selected value="(\d+)"', page)
    data.update(booth=selected.group(1) if selected else "", company_name="泰安新材料科技有限公司",
                credit_code=CODE_A, contact_name="王经理", mobile="13912345678", category="land",
                need="新建厂房需用地30亩，希望了解可供地块。", project_name="", amount_wan="")
    data.update(overrides)
    return data


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def sheet(rows, kind="csv") -> tuple[io.BytesIO, str]:
    """A booth sheet to upload, as CSV or XLSX."""
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        return io.BytesIO(out.getvalue().encode("utf-8")), "booths.csv"
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out, "booths.xlsx"


#: the booth sheet's header row, as the import templates have it
HEADER = ["摊位号", "部门或机构名称", "类型", "专区"]


def upload_sheet(client, fair_id, rows, kind="csv"):
    """An organiser uploads a booth sheet: the answer is its preview (or its errors)."""
    data, name = sheet(rows, kind)
    return client.post(f"/organiser/fairs/{fair_id}/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, f"/organiser/fairs/{fair_id}"), "file": (data, name)})


def apply_preview(client, fair_id, preview):
    """The organiser presses the preview's Apply button: its signed plan is posted back."""
    html = preview.get_data(as_text=True)
    plan = re.search(r'name="plan" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="plan"', html)
    return client.post(f"/organiser/fairs/{fair_id}/import/apply", data={
        "csrf_token": csrf_token(client, f"/organiser/fairs/{fair_id}"), "plan": plan.group(1) or plan.group(2)})


def page_version(client, request_id, action):
    """The version a request's page hands its form for this action, as the tablet would send it."""
    html = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    return re.search(rf'name="{action}-version" type="hidden" value="(\d+)"', html).group(1)


def act(client, request_id, action, **fields):
    """Post one of a request's actions from the tablet, its fields named as the form names them."""
    data = {"csrf_token": csrf_token(client, "/login"), **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(f"/staff/requests/{request_id}/{action}", data=data)


def fresh(request_id):
    """The request as the database holds it now."""
    db.session.expire_all()
    return db.session.get(ServiceRequest, request_id)


def scanned(pdf: bytes) -> list[str]:
    """What the QR code on each page of a PDF says, as a phone's camera would read it."""
    document = pypdfium2.PdfDocument(pdf)
    found = []
    for page in document:
        codes = zxingcpp.read_barcodes(page.render(scale=1.5).to_pil())
        page.close()
        assert len(codes) == 1
        found.append(codes[0].text)
    document.close()
    return found


def ticket_main(html: str) -> str:
    """A ticket page's main part, without the place in line: the answer to a submission reads
    nothing, and leaves the place (news that moves with the booth's line) to the page's first poll."""
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r'<div class="place" id="track-place">.*?</div>', "", main, flags=re.S)
