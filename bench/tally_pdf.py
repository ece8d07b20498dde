"""The closing tally PDF of a big fair (25 booths, 1,000 requests in every state), next to WeasyPrint
rendering the same HTML alone, in one run.

    .venv/bin/python bench/tally_pdf.py [--runs 3]

DESIGN.md's target: our own overhead within 1.2 x WeasyPrint alone on the same HTML (an absolute time
would measure the PDF's length, not the kiosk).
"""
import argparse
import io
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from flask import render_template
from flask_migrate import upgrade
from pypdf import PdfReader

from kiosk import create_app
from kiosk.companies.models import Company
from kiosk.core.extensions import db
from kiosk.core.pdf import render_pdf
from kiosk.demo import build_demo_fair, demo_credit_code
from kiosk.figures.tally import tally_of
from kiosk.service_requests.models import Category, EventKind, RequestEvent, ServiceRequest, Status
from kiosk.slips.models import SatisfactionSlip, SlipChannel
from kiosk.tally.report import PDF_CSS, tally_pdf

REQUESTS = 1000
STATES = [Status.resolved] * 40 + [Status.planned] * 35 + [Status.waiting] * 8 + [Status.in_progress] * 7 + [
    Status.closed_out] * 5 + [Status.withdrawn] * 5


def fill(fair, rng):
    """Top the demo fair up to REQUESTS requests, spread over its booths, in every state."""
    companies = [Company(name=f"泰安测试企业{n:03d}有限公司", credit_code=demo_credit_code(rng)) for n in range(300)]
    db.session.add_all(companies)
    have = db.session.query(ServiceRequest).filter_by(fair_id=fair.id).count()
    for n in range(REQUESTS - have):
        booth = fair.booths[n % len(fair.booths)]
        booth.last_seq += 1
        status = rng.choice(STATES)
        category = Category.funding if booth.code.startswith("F") else rng.choice(list(Category))
        item = ServiceRequest(
            fair=fair, booth=booth, company=companies[n % len(companies)],
            ticket_no=f"{booth.code}-{booth.last_seq:03d}", token=f"bench{n:06d}", category=category,
            need="企业扩大生产需要协调用地、用工和融资等要素保障，请相关部门帮助解决。",
            contact_name="王经理", contact_mobile="13912345678", status=status,
            amount_wan=Decimal(rng.choice([100, 500, 2000])) if category is Category.funding else None)
        if status in (Status.planned, Status.closed_out):
            item.plan_text, item.plan_unit, item.plan_person = (
                "会后十个工作日内组织现场踏勘并出具书面意见。", booth.name, "赵科长")
            item.plan_due = date.today() + timedelta(days=rng.randint(5, 60))
        if status is Status.resolved:
            item.resolution = "已现场办结。"
        item.events.append(RequestEvent(kind=EventKind.submitted, to_status=Status.waiting))
        db.session.add(item)
        if status.has_outcome and rng.random() < 0.6:
            db.session.flush()
            ratings = {k: rng.randint(3, 5) for k in ("professionalism", "attitude", "efficiency", "problem_solving",
                                                      "integrity", "overall")}
            db.session.add(SatisfactionSlip(request_id=item.id, channel=SlipChannel.phone, confirmed=True, **ratings))
    db.session.commit()


def timed(work, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'kiosk.db'}", "SECRET_KEY": "b"})
        with app.app_context():
            upgrade()
            fair = build_demo_fair(password="demo1234")
            fill(fair, random.Random(1000))
        with app.test_request_context():
            fair = db.session.merge(fair)
            requests = db.session.query(ServiceRequest).filter_by(fair_id=fair.id).count()
            booths = len(fair.booths)
            ours, (_, _, pdf) = timed(lambda: tally_pdf(fair), args.runs)
            tally, frozen = tally_of(fair)
            html = render_template("tally/pdf.html", t=tally, frozen=frozen)
            alone, _alone_pdf = timed(lambda: render_pdf(html, PDF_CSS), args.runs)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)  # (counting "/Type /Page" misses compressed objects)
    print(f"fair: {booths} booths, {requests} requests; tally PDF {len(pdf):,} bytes, {pages} pages")
    print(f"  closing tally PDF (query + HTML + WeasyPrint)   {ours:6.2f} s   (median of {args.runs})")
    print(f"  WeasyPrint alone, same HTML                      {alone:6.2f} s")
    print(f"  ratio {ours / alone:.2f} x; target: within 1.2 x ({'met' if ours / alone <= 1.2 else 'MISSED'})")


if __name__ == "__main__":
    main()
