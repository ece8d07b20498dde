"""The apps bench/burst_floor.py bursts against, each a step closer to a phone's real submission.

bare:   a Flask app of one POST route that reads the form and answers "ok"
kiosk:  the kiosk, with that route added (every hook of the kiosk's runs: CSRF check, session,
        language, security headers, gzip, the commit at the request's end)
        and a route that files the form's request as a phone's submission does
        (kiosk.intake.service.submit_request) and answers a fixed page the size of the ticket's
        page: everything but the form's checks (WTForms), the CSRF token's, the phone's cookies
        and the ticket's page itself.
"""
from decimal import Decimal

from flask import Flask, request

bare = Flask(__name__)


@bare.post("/bench/hello")
def hello_bare():
    return "ok " + request.form.get("need", "")


def _kiosk():
    from kiosk import create_app
    from kiosk.core.extensions import csrf
    from kiosk.intake.service import Intake, submit_request
    from kiosk.service_requests.models import Category

    kiosk = create_app()
    #: about the ticket page's size (2,300 characters, half of them Chinese)
    page = "<!doctype html><title>ticket</title>" + "<p>需求编号 B07-001 已提交。</p>" * 90

    @kiosk.post("/bench/hello")
    @csrf.exempt
    def hello():
        return "ok " + request.form.get("need", "")

    @kiosk.post("/bench/file/<int:fair_id>")
    @csrf.exempt
    def file(fair_id: int):
        form = request.form
        intake = Intake(booth_id=int(form["booth"]), company_name=form["company_name"],
                        credit_code=form["credit_code"], contact_name=form["contact_name"], mobile=form["mobile"],
                        category=Category(form["category"]), need=form["need"],
                        amount_wan=Decimal(form["amount_wan"]) if form.get("amount_wan") else None,
                        submission_key=form["submission_key"], device=form["submission_key"][:16])
        filed = submit_request(intake, fair_id=fair_id)
        return page, 200, {"HX-Push-Url": f"/t/{filed.token}"}

    return kiosk


kiosk = _kiosk()
