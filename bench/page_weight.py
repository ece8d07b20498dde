"""Print what a phone downloads for a booth's form, gzipped: DESIGN.md's ceiling is 40 KB.

    .venv/bin/python bench/page_weight.py
"""
import gzip
import re
import tempfile
from pathlib import Path

from flask_migrate import upgrade

from kiosk import create_app
from kiosk.demo import build_demo_fair

GZIP = {"Accept-Encoding": "gzip"}


def form_page_weight(client, url: str) -> list[tuple[str, int]]:
    """(path, bytes over the wire: body and headers) for the page and each asset it loads."""
    page = client.get(url, headers=GZIP)
    html = page.get_data(as_text=False)
    text = gzip.decompress(html).decode() if page.headers.get("Content-Encoding") == "gzip" else html.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', text)
    rows = [(url, _wire_size(page))]
    for asset in assets:
        rows.append((asset.split("?")[0], _wire_size(client.get(asset, headers=GZIP))))
    return rows


def _wire_size(response) -> int:
    headers = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + len("HTTP/1.1 200 OK\r\n\r\n")
    return headers + len(response.get_data())


def main():
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'kiosk.db'}", "SECRET_KEY": "b"})
        with app.app_context():
            upgrade()
            build_demo_fair(password="demo1234")
        rows = form_page_weight(app.test_client(), "/b/B07")
    for path, size in rows:
        print(f"{size:>8,} B  {path}")
    total = sum(size for _, size in rows)
    print(f"{total:>8,} B  total over the wire ({total / 1024:.1f} KB; ceiling 40 KB)")


if __name__ == "__main__":
    main()
