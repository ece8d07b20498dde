"""Print the time and peak memory the booth import's reader takes for three hostile files against
a normal 25-row sheet. DESIGN.md: any upload bounded in memory (a worker under 300 MB) and time.

    PYTHONPATH=. .venv/bin/python bench/upload_bounds.py
    KIOSK_PG_PORT=... scripts/with-postgres env PYTHONPATH=. .venv/bin/python bench/upload_bounds.py

The last line is a department's finish with 5 evidence files of 10 MB each, the worker's peak
memory (bench/RESULTS.md).

One run (2 cores, 27 Nov 2026, under tracemalloc, which slows it): normal 25 rows 60 ms / 0.2 MB;
declared A1:XFD1048576 29 ms / 0.1 MB (it was 2.65 GB and a 500); the 200 MB deflate bomb refused in
111 ms / 2.5 MB (it was 151 s; untraced and once the message catalogue is loaded, 0.3 ms); 1.6 MB of
cell formats 17 ms (2.5 s while the stylesheet was parsed); 100,000 rows refused in 41 ms / 1.3 MB
(it was 6 s). The whole process peaked at 117 MB RSS.
"""
import resource
import time
import tracemalloc

from kiosk import create_app
from kiosk.organiser.importing import SheetRefused, read_rows
from tests.helpers import HEADER, sheet
from tests.hostile_sheets import declared_huge, deflate_bomb, heavy_styles, long_csv


def normal_sheet() -> bytes:
    rows = [HEADER] + [[f"B{n:02d}", f"某市第{n}局", "部门", "要素保障部门专区"] for n in range(1, 26)]
    data, _ = sheet(rows, "xlsx")
    return data.getvalue()


def measure(name: str, filename: str, data: bytes) -> None:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome = f"{len(read_rows(filename, data))} rows"
    except SheetRefused as refused:
        outcome = f"refused: {refused.message}"
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{name:<34} {len(data):>9,} B  {took * 1000:>8.1f} ms  peak {peak / 2**20:>6.1f} MB  {outcome}")


def _rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak since the last reset) of this process, in MB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024


def evidence_post(files: int = 5, size: int = 10 * 1024 * 1024) -> None:
    """A department's finish with five files of 10 MB each (four PDFs and a 12-megapixel JPEG, each
    padded to the limit) through the app, on SQLite in a temporary file: the worker's memory while
    Werkzeug spools the files to disk, the form checks them (the JPEG decoded) and the move keeps
    them one at a time. The post's body is built on disk beforehand, so that the figure is the app's."""
    import os
    import tempfile
    from contextlib import ExitStack

    import sqlalchemy as sa
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import stream_encode_multipart

    from kiosk.core.extensions import db
    from kiosk.ledger.evidence_models import EvidenceFile
    from kiosk.ledger.evidence_samples import sample_jpeg, sample_pdf
    from kiosk.service_requests.models import Status
    from tests.factories import PASSWORD, booth, department_staff, make_fair, request_in

    folder = tempfile.mkdtemp()
    # (under scripts/with-postgres: its throwaway PostgreSQL)
    url = os.environ.get("KIOSK_TEST_DATABASE_URL") or f"sqlite:///{folder}/kiosk.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "b", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.create_all()
        fair = make_fair()
        item = request_in(fair, Status.planned)
        department_staff(booth(fair, "B07").department, username="dept-b07")
        db.session.commit()
        item_id, version = item.id, item.version
    names = []
    for n in range(files):
        head = sample_jpeg(4000, 3000) if n == files - 1 else sample_pdf()
        names.append(os.path.join(folder, f"file{n}" + (".jpg" if n == files - 1 else ".pdf")))
        with open(names[-1], "wb") as out:
            out.write(head + b"\0" * (size - len(head)))
    with ExitStack() as opened:
        parts = [("finish-files", FileStorage(opened.enter_context(open(name, "rb")), filename=os.path.basename(name)))
                 for name in names]
        fields = MultiDict([("finish-version", str(version)), ("finish-result", "已办结"),
                            ("finish-evidence", "确认书"), *parts])
        body, length, boundary = stream_encode_multipart(fields, use_tempfile=True, threshold=0)
    client = app.test_client()
    client.post("/login", data={"username": "dept-b07", "password": PASSWORD})
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM: the peak from here on is the post's
    before = _rss_mb("VmRSS")
    tracemalloc.start()
    started = time.perf_counter()
    answer = client.post(f"/ledger/items/{item_id}/finish", input_stream=body, content_length=length,
                         content_type=f'multipart/form-data; boundary="{boundary}"')
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    body.close()
    with app.app_context():
        kept = db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceFile))
    print(f"evidence finish on {url.partition(':')[0]}, {files} × {size / 2**20:.0f} MB "
          f"({length / 2**20:.1f} MB body): {answer.status_code}, "
          f"{kept} files kept, in "
          f"{took * 1000:.0f} ms; Python peak {peak / 2**20:.1f} MB; RSS {before:.0f} MB before, "
          f"peak {_rss_mb('VmHWM'):.0f} MB (ceiling 300 MB)")


def main():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "b"})
    cases = [("normal sheet, 25 rows (xlsx)", "booths.xlsx", normal_sheet()),
             ("declares A1:XFD1048576 (xlsx)", "booths.xlsx", declared_huge()),
             ("deflate bomb, 200 MB of zeros (xlsx)", "booths.xlsx", deflate_bomb(200)),
             ("1.6 MB of cell formats (xlsx)", "booths.xlsx", heavy_styles(1.6)),
             ("100,000 rows (csv)", "booths.csv", long_csv(100_000))]
    with app.test_request_context():
        for case in cases:
            measure(*case)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS, building the files included: {rss:.0f} MB (ceiling 300 MB)")
    evidence_post()


if __name__ == "__main__":
    main()
