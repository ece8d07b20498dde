"""Evidence files on a finished item and a progress note: what is taken (sniffed from the bytes, at
most 5, each at most 10 MB, images that decode), what a refusal keeps, who can fetch a file (the
item's department, organisers, the company's own link: everyone else a 404), and the bytes as they
were sent."""
import hashlib
import io
import os
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import stream_encode_multipart

from kiosk.core.extensions import db
from kiosk.ledger import evidence
from kiosk.ledger.evidence_models import EvidenceFile, FileType
from kiosk.ledger.evidence_samples import sample_jpeg, sample_pdf, sample_png
from kiosk.service_requests.models import EventKind, ServiceRequest, Status
from tests.factories import booth, department_staff, request_in
from tests.helpers import csrf_token, login

DUE = date.today() + timedelta(days=10)
PNG, PDF, JPEG = sample_png(), sample_pdf(), sample_jpeg()


def fresh(item) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, item.id)


def post(client, item, step, files=(), **data):
    token = csrf_token(client, f"/ledger/items/{item.id}")
    fields = {"csrf_token": token, f"{step}-version": fresh(item).version,
              **{f"{step}-{k}": v for k, v in data.items()}}
    fields[f"{step}-files"] = [(io.BytesIO(content), name) for name, content in files]
    return multipart(client, f"/ledger/items/{item.id}/{step}", fields)


def multipart(client, url, fields):
    """A multipart post, its body built in memory (the test client spools a large one to a temporary
    file it never closes)."""
    body, length, boundary = stream_encode_multipart(MultiDict(list(_items(fields))), use_tempfile=False)
    return client.post(url, input_stream=body, content_length=length,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def _items(fields):
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            yield name, FileStorage(one[0], filename=one[1]) if isinstance(one, tuple) else str(one)


def finish(client, item, files, result="已完成供地，签订出让合同", evidence_text="合同编号 TA-2026-031"):
    return post(client, item, "finish", files, result=result, evidence=evidence_text)


def files_of(item) -> list[EvidenceFile]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.request_id == item.id)
                                   .order_by(EvidenceFile.id)))


def urls(html: str, prefix: str) -> list[str]:
    return sorted(set(re.findall(rf'(?:href|src)="({re.escape(prefix)}[^"]+)"', html)))


@pytest.fixture
def item(fair):
    return request_in(fair, Status.planned, due=DUE)


@pytest.fixture
def staff(app, fair):
    """B07's department's ledger account, signed in."""
    department_staff(booth(fair, "B07").department, username="dept-b07")
    db.session.commit()
    return login(app.test_client(), "dept-b07")


def test_a_finish_keeps_its_files_byte_for_byte_and_both_sides_can_fetch_them(app, fair, organiser, item, staff):
    answer = finish(staff, item, [("现场照片.png", PNG), ("批复.pdf", PDF)])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    done = fresh(item)
    assert done.status is Status.done
    kept = files_of(item)
    assert [(f.name, f.type, f.size) for f in kept] == [("现场照片.png", FileType.png, len(PNG)),
                                                        ("批复.pdf", FileType.pdf, len(PDF))]
    assert kept[0].sha256 == hashlib.sha256(PNG).hexdigest()
    assert {f.event.kind for f in kept} == {EventKind.done} and kept[0].uploaded_by.username == "dept-b07"
    # The item's page shows them, beside the result and on the trail, by name.
    page = staff.get(f"/ledger/items/{item.id}").get_data(as_text=True)
    assert "现场照片.png" in page and "批复.pdf" in page and 'class="evidence-image"' in page
    staff_urls = urls(page, f"/ledger/items/{item.id}/evidence/")
    assert len(staff_urls) == 2
    fetched = {staff.get(url).data for url in staff_urls}
    assert fetched == {PNG, PDF}
    # The company sees the same files through its own link.
    company = app.test_client()
    track = company.get(f"/t/{done.token}").get_data(as_text=True)
    company_urls = urls(track, f"/t/{done.token}/evidence/")
    assert len(company_urls) == 2 and "现场照片.png" in track
    assert {company.get(url).data for url in company_urls} == {PNG, PDF}
    # An organiser too.
    boss = login(app.test_client(), "organiser")
    assert {boss.get(url).status_code for url in staff_urls} == {200}


def test_a_file_is_answered_inline_as_its_sniffed_type_that_nothing_runs_in(app, fair, item, staff):
    finish(staff, item, [("scan.png", PDF), ("photo.jpg", JPEG)])  # a PDF named as a picture
    pdf, jpeg = files_of(item)
    assert (pdf.type, jpeg.type) == (FileType.pdf, FileType.jpeg)
    answer = staff.get(f"/ledger/items/{item.id}/evidence/{pdf.token}")
    headers = answer.headers
    assert answer.status_code == 200 and answer.data == PDF
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("inline;") and "scan.png" in headers["Content-Disposition"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"].startswith("private")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    picture = app.test_client().get(f"/t/{fresh(item).token}/evidence/{jpeg.token}")
    assert picture.headers["Content-Type"] == "image/jpeg" and picture.data == JPEG
    assert "sandbox" in picture.headers["Content-Security-Policy"]


def test_a_chinese_name_reaches_the_disposition_header_encoded(app, fair, item, staff):
    finish(staff, item, [("扫描件/批复 (1).pdf", PDF)])
    (kept,) = files_of(item)
    assert kept.name == "批复 (1).pdf"  # no path
    disposition = staff.get(f"/ledger/items/{item.id}/evidence/{kept.token}").headers["Content-Disposition"]
    assert "filename*=UTF-8''%E6%89%B9%E5%A4%8D%20%281%29.pdf" in disposition


def refused(answer, *texts):
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422, html
    for text in texts:
        assert text in html, text
    # beside the field, and the note to choose the files again
    assert 'id="finish-files-error"' in html and 'id="finish-files-again"' in html
    # what was typed stays
    assert "已完成供地，签订出让合同" in html and "合同编号 TA-2026-031" in html
    return html


@pytest.mark.parametrize(("name", "content", "message"), [
    ("批复.pdf", b"this is plain text, renamed", "不是PDF、JPG或PNG文件"),
    ("photo.jpg", b"GIF89a" + b"\x00" * 100, "不是PDF、JPG或PNG文件"),
    ("空.pdf", b"", "是空文件"),
    ("cut.png", PNG[: len(PNG) // 2], "无法作为图片打开"),
    ("junk.jpg", b"\xff\xd8\xff\xe0" + os.urandom(2000), "无法作为图片打开"),
    ("cut.jpg", JPEG[: len(JPEG) * 2 // 3], "无法作为图片打开"),
])
def test_a_bad_file_is_refused_beside_the_field_and_nothing_is_written(app, fair, item, staff, name, content,
                                                                       message):
    version = fresh(item).version
    refused(finish(staff, item, [("好的.png", PNG), (name, content)]), message)
    after = fresh(item)
    assert after.status is Status.planned and after.version == version and files_of(item) == []


def test_more_than_five_files_are_refused(app, fair, item, staff):
    refused(finish(staff, item, [(f"{n}.png", PNG) for n in range(6)]), "最多上传5个文件，您选择了6个")
    assert files_of(item) == [] and fresh(item).status is Status.planned
    assert finish(staff, item, [(f"{n}.png", PNG) for n in range(5)]).status_code == 200
    assert len(files_of(item)) == 5


def test_a_file_over_10_mb_is_refused_and_one_of_10_mb_is_taken(app, fair, item, staff):
    big = PDF + b"%" * (evidence.MAX_FILE_BYTES - len(PDF) + 1)
    refused(finish(staff, item, [("大.pdf", big)]), "“大.pdf”超过10MB")
    assert files_of(item) == []
    assert finish(staff, item, [("刚好.pdf", big[:-1])]).status_code == 200
    (kept,) = files_of(item)
    assert kept.size == evidence.MAX_FILE_BYTES
    assert staff.get(f"/ledger/items/{item.id}/evidence/{kept.token}").data == big[:-1]


def test_a_finish_without_files_still_works(app, fair, item, staff):
    assert finish(staff, item, []).status_code == 200
    assert fresh(item).status is Status.done and files_of(item) == []


def test_a_progress_note_takes_files_the_company_sees_beside_it(app, fair, item, staff):
    answer = post(staff, item, "progress", [("踏勘.jpg", JPEG)], text="已完成现场踏勘")
    assert answer.status_code == 200
    (kept,) = files_of(item)
    assert kept.event.kind is EventKind.progress
    track = app.test_client().get(f"/t/{fresh(item).token}").get_data(as_text=True)
    notes = track[track.index('class="progress-notes"'):]
    assert f"/evidence/{kept.token}" in notes[:notes.index("</ul>") + 2000] and "踏勘.jpg" in track
    # a bad file on a progress note: refused beside its field, the note's words kept
    bad = post(staff, item, "progress", [("x.pdf", b"nope")], text="第二次进展")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="progress-files-error"' in html and "第二次进展" in html


def test_nobody_else_can_fetch_a_file(app, fair, organiser, item, staff):
    finish(staff, item, [("照片.png", PNG), ("批复.pdf", PDF)])
    done = fresh(item)
    other = request_in(fair, Status.planned, "F01", due=DUE)  # another company's request, another department
    department_staff(booth(fair, "F01").department, username="dept-f01")
    db.session.commit()
    strangers = {"anonymous": app.test_client(), "booth B07": login(app.test_client(), "b07"),
                 "booth F01": login(app.test_client(), "f01"), "department F01": login(app.test_client(), "dept-f01")}
    for kept in files_of(item):
        paths = [f"/ledger/items/{item.id}/evidence/{kept.token}",
                 f"/ledger/items/{other.id}/evidence/{kept.token}",
                 f"/t/{other.token}/evidence/{kept.token}",
                 f"/t/{done.token}x/evidence/{kept.token}",
                 f"/t/{done.token}/evidence/{kept.token[:-1]}",
                 f"/t/{done.token}/evidence/{kept.id}"]
        for who, client in strangers.items():
            for path in paths:
                assert client.get(path).status_code == 404, (who, path)
        # Those who may see it: not by another item's address, nor by a token cut short, nor by its id.
        for path in paths[1:]:
            if not path.startswith(f"/t/{done.token}x"):
                assert staff.get(path).status_code == 404, path
        assert staff.get(f"/ledger/items/{item.id}/evidence/{kept.id}").status_code == 404


def test_a_body_over_the_evidence_limit_is_answered_beside_the_field(app, fair, item, staff, monkeypatch):
    monkeypatch.setattr(evidence, "BODY_LIMIT", 3 * 1024 * 1024)
    answer = finish(staff, item, [("a.pdf", PDF + b"%" * (2 * 1024 * 1024)), ("b.pdf", PDF + b"%" * (2 * 1024 * 1024))])
    html = answer.get_data(as_text=True)
    assert answer.status_code == 413
    assert "上传的文件合计过大：最多5个文件，每个不超过10MB。" in html and 'id="finish-files-error"' in html
    assert fresh(item).status is Status.planned and files_of(item) == []


def test_the_larger_body_is_for_the_two_steps_that_take_files_only(app, fair, item, staff):
    three_mb = PDF + b"%" * (3 * 1024 * 1024)
    assert finish(staff, item, [("三兆.pdf", three_mb)]).status_code == 200  # over the 2 MB elsewhere
    token = csrf_token(staff, f"/ledger/items/{item.id}")
    answer = multipart(staff, f"/ledger/items/{item.id}/reassign", {
        "csrf_token": token, "reassign-version": fresh(item).version, "reassign-unit": "x", "reassign-person": "y",
        "reassign-reason": "z", "file": (io.BytesIO(three_mb), "x.pdf")})
    assert answer.status_code == 413 and "上传的文件太大" in answer.get_data(as_text=True)
    assert fresh(item).plan_unit == "规划科"


def test_the_larger_body_is_for_the_staff_who_may_take_those_steps(app, fair, item):
    three_mb = PDF + b"%" * (3 * 1024 * 1024)
    # (a booth account is told the item is not there, as for anything of the ledger)
    for client, status in ((app.test_client(), 413), (login(app.test_client(), "b07"), 404)):
        token = csrf_token(client, "/login")
        answer = multipart(client, f"/ledger/items/{item.id}/finish", {
            "csrf_token": token, "finish-version": 1, "finish-result": "x", "finish-evidence": "y",
            "finish-files": [(io.BytesIO(three_mb), "x.pdf")]})
        assert answer.status_code == status
    assert files_of(item) == []


def test_a_version_conflict_keeps_the_words_and_asks_for_the_files_again(app, fair, organiser, item, staff):
    token = csrf_token(staff, f"/ledger/items/{item.id}")
    stale = fresh(item).version
    from kiosk.ledger import moves
    moves.progress(fresh(item), organiser, stale, text="组织方记录")
    db.session.commit()
    answer = multipart(staff, f"/ledger/items/{item.id}/finish", {
        "csrf_token": token, "finish-version": stale, "finish-result": "已办结了", "finish-evidence": "合同",
        "finish-files": [(io.BytesIO(PNG), "a.png")]})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "已办结了" in html and 'id="finish-files-again"' in html
    assert files_of(item) == []


def test_sniffing_reads_the_bytes_not_the_name():
    assert evidence.sniff(PDF[:16]) is FileType.pdf
    assert evidence.sniff(PNG[:16]) is FileType.png
    assert evidence.sniff(JPEG[:16]) is FileType.jpeg
    assert evidence.sniff(b"<html><script>") is None
    assert evidence.clean_name("../../etc/passwd") == "passwd"
    assert evidence.clean_name("a\u202egpj.exe") == "agpj.exe"
    long_name = evidence.clean_name("长" * 300 + ".pdf")
    assert len(long_name) == 200 and long_name.endswith(".pdf")


def test_nginx_takes_the_evidence_steps_bodies_up_to_the_apps_limit_and_no_other(app):
    """deploy/nginx/kiosk.conf: the two steps' location has the app's limit for them; the server's
    stays the app's 2 MB (tests/test_cluster.py posts through it)."""
    from pathlib import Path
    conf = (Path(__file__).parent.parent / "deploy" / "nginx" / "kiosk.conf").read_text()
    location = re.search(r"location ~ \^/ledger/items/\[0-9\]\+/\(finish\|progress\)\$ \{(.*?)\}", conf, re.S)
    assert location is not None
    size = int(re.search(r"client_max_body_size (\d+)m;", location.group(1)).group(1))
    assert size * 1024 * 1024 == evidence.BODY_LIMIT
    assert set(evidence.STEPS_WITH_FILES) == {"finish", "progress"}
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


def test_the_polls_of_the_tracking_page_and_the_item_page_bring_a_new_file(app, fair, item, staff):
    company = app.test_client()
    token = fresh(item).token
    polls = {company: f"/t/{token}", staff: f"/ledger/items/{item.id}"}
    tags = {}
    for client, url in polls.items():
        first = client.get(url, headers={"HX-Request": "true"})
        tags[client] = first.headers["ETag"]
        assert client.get(url, headers={"HX-Request": "true", "If-None-Match": tags[client]}).status_code == 304
    assert post(staff, item, "progress", [("新照片.png", PNG)], text="已开工").status_code == 200
    for client, url in polls.items():
        polled = client.get(url, headers={"HX-Request": "true", "If-None-Match": tags[client]})
        # (286: the tracking page's poll of a settled request, news and all, and then no more)
        assert polled.status_code in (200, 286) and "新照片.png" in polled.get_data(as_text=True), url


def test_the_demos_item_awaiting_close_out_shows_a_photo_and_a_pdf_to_its_company(app):
    from kiosk.demo import build_demo_fair, build_demo_history
    build_demo_history(build_demo_fair(password="demo-evidence-25"))
    kept = list(db.session.scalars(sa.select(EvidenceFile).order_by(EvidenceFile.id)))
    assert [f.type for f in kept] == [FileType.png, FileType.pdf]
    item = db.session.get(ServiceRequest, kept[0].request_id)
    assert item.status is Status.done
    company = app.test_client()
    track = company.get(f"/t/{item.token}").get_data(as_text=True)
    assert {company.get(url).data for url in urls(track, f"/t/{item.token}/evidence/")} == {
        f.data for f in kept}


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded():
    from PIL import Image
    huge = io.BytesIO()
    Image.new("1", (8000, 8000)).save(huge, "PNG")  # 64 megapixels in a few KB
    assert huge.tell() < 100_000
    huge.seek(0)
    with pytest.raises(evidence.EvidenceRefused) as refused:
        evidence.check_one("大图.png", huge)
    assert refused.value.code == "too_many_pixels"
