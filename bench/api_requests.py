"""The API's request list at province scale (100,000 requests), as another system reads it: the first
page, a sync with modified_since that finds the last few changes, a page deep in the list, and a
poll that finds nothing new (304); with a bare hello-world route on the same app for scale.

    PYTHONPATH=. .venv/bin/python bench/api_requests.py [--requests 100000] [--runs 20]

In-process (Flask's test client): it times the app and the database, not a network.
"""
import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from kiosk import create_app
from kiosk.api.models import ApiScope
from kiosk.api.tokens import issue_token
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.core.timeutil import utcnow
from kiosk.demo import build_demo_fair
from kiosk.service_requests.models import Category, ServiceRequest, Status

STATES = [Status.resolved, Status.planned, Status.closed_out, Status.waiting, Status.withdrawn]


def fill(fair, count):
    """count requests spread over the fair's booths, filed over the past year, the last 10 just now."""
    company_id = db.session.scalar(sa.select(Company.id).limit(1))  # one of the demo's
    start, booths = utcnow() - timedelta(days=365), fair.booths
    rows = []
    for n in range(count):
        booth, status = booths[n % len(booths)], STATES[n % len(STATES)]
        at = utcnow() if n >= count - 10 else start + timedelta(seconds=n * 300)
        rows.append({
            "fair_id": fair.id, "booth_id": booth.id, "company_id": company_id, "company_name": "泰安测试企业有限公司",
            "ticket_no": f"{booth.code}-{n:06d}", "token": f"bench{n:08d}", "channel": "phone",
            "category": list(Category)[n % len(Category)].value, "need": "扩大生产需要协调用地。", "contact_name": "王",
            "contact_mobile": "13912345678", "status": status.value, "created_at": at, "updated_at": at, "version": 1,
            "plan_unit": "规划科" if status.has_plan else None,
            "plan_due": date.today() + timedelta(days=30) if status.has_plan else None})
    db.session.execute(sa.insert(ServiceRequest.__table__), rows)
    db.session.commit()


def timed(client, url, headers, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - start)
        assert response.status_code in (200, 304), (url, response.status_code)
    return statistics.median(times) * 1000, response


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'kiosk.db'}", "SECRET_KEY": "b"})
        app.add_url_rule("/hello", "hello", lambda: "hello")
        with app.app_context():
            upgrade()
            fair = build_demo_fair(password="demo1234")
            fill(fair, args.requests)
            fair_id = fair.id
            _, secret = issue_token("bench", ApiScope.personal, None)
            db.session.commit()
        client, auth = app.test_client(), {"Authorization": f"Bearer {secret}"}
        since = (utcnow() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        hello, _ = timed(client, "/hello", {}, args.runs)
        print(f"{args.requests:,} requests; medians of {args.runs}, in-process, SQLite")
        print(f"  hello-world                                   {hello:7.1f} ms")
        for label, url in [("first page (50)", "/api/v1/requests"),
                           ("modified_since: the last 10", f"/api/v1/requests?modified_since={since}"),
                           ("page 1000 (50)", "/api/v1/requests?page=1000"),
                           ("one fair, open only", f"/api/v1/requests?fair={fair_id}&status=open")]:
            ms, response = timed(client, url, auth, args.runs)
            etag = response.headers["ETag"]
            again, held = timed(client, url, {**auth, "If-None-Match": etag}, args.runs)
            assert held.status_code == 304
            print(f"  {label:<32} {ms:7.1f} ms   304: {again:5.1f} ms   ({response.json['count']:,} matched)")


if __name__ == "__main__":
    main()
