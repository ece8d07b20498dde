"""Print the time and peak memory the booth import's reader takes for three hostile files against
a normal 25-row sheet. DESIGN.md: any upload bounded in memory (a worker under 300 MB) and time.

    PYTHONPATH=. .venv/bin/python bench/upload_bounds.py

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


if __name__ == "__main__":
    main()
