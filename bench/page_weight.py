"""Print what a phone downloads for a booth's form, gzipped: DESIGN.md's ceiling is 40 KB.

    .venv/bin/python bench/page_weight.py
"""
import tempfile
from pathlib import Path

from flask_migrate import upgrade

from kiosk import create_app
from kiosk.demo import build_demo_fair
from kiosk.page_weight import form_page_weight


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
