"""Company names in doubt: credit codes filed under more than one name, and the organiser's choice of
the record's name (the rules are service_requests.company_names)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from kiosk.core.formtools import clean_text, int_or_none
from kiosk.core.refusals import filled
from kiosk.organiser import bp
from kiosk.service_requests.company_names import NameRefused, choose_name, names_in_doubt


@bp.route("/companies", methods=["GET", "POST"])
def company_names():
    if request.method == "GET":
        return render_template("organiser/companies.html", rows=names_in_doubt())
    try:
        company = choose_name(int_or_none(request.form.get("company", "")), clean_text(request.form.get("name")))
    except NameRefused as refused:
        flash(refused.message, "error")
        return render_template("organiser/companies.html", rows=names_in_doubt()), 422
    flash(filled(_l("企业 %(code)s 的名称已定为“%(name)s”。"), code=company.credit_code, name=company.name))
    return redirect(url_for(".company_names"))
