"""The common-bottleneck analysis (共性堵点) for organisers, and leaders on organiser accounts: the page
under /supervision/analysis, its drill-down to the companies of a row, and its PDF and XLSX for the
monthly meeting. Every one is made from kiosk.supervision.analysis.analysis(), with the same
filters (a fair, or the fairs held between two days), so that they agree."""
from datetime import date

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l

from kiosk.auth.access import organiser_required
from kiosk.core.downloads import download
from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.core.kept import kept
from kiosk.core.timeutil import fair_today
from kiosk.fairs.models import Department, Fair
from kiosk.service_requests.after_fair import ParkCause
from kiosk.service_requests.models import Category
from kiosk.supervision import analysis_documents, bp
from kiosk.supervision.analysis import (
    DEFINITIONS,
    FLAGS,
    GROUPS_SHOWN,
    NOT_PARKED,
    Scope,
    analysis,
    stuck_companies,
)
from kiosk.supervision.analysis_charts import charts
from kiosk.versions import all_fairs_version, ledger_and_setup_versions

_BAD_DAY = _l("请按 年-月-日 填写日期")


def _scope() -> tuple[Scope, dict, dict]:
    """The filters as asked (a fair, the first and last fair day), what was typed, and what is wrong
    with it (field -> message): a filter that cannot be read is not applied, and said so."""
    typed = {name: (request.args.get(name) or "").strip()[:20] for name in ("fair", "since", "until")}
    errors, days = {}, {}
    for name in ("since", "until"):
        try:
            days[name] = date.fromisoformat(typed[name]) if typed[name] else None
        except ValueError:
            errors[name], days[name] = _BAD_DAY, None
    if days["since"] and days["until"] and days["since"] > days["until"]:
        errors["until"], days["until"] = _l("结束日期不能早于开始日期"), None
    fair_id = int_or_none(typed["fair"]) if typed["fair"] else None
    if typed["fair"] and (fair_id is None or db.session.get(Fair, fair_id) is None):
        errors["fair"], fair_id = _l("没有这场大集"), None
    return Scope(fair_id, days["since"], days["until"]), typed, errors


def _fairs():
    return db.session.execute(sa.select(Fair.id, Fair.name, Fair.date).order_by(Fair.date.desc(), Fair.id.desc())).all()


@bp.get("/analysis")
@organiser_required
def analysis_page():
    scope, typed, errors = _scope()
    found = figures(scope)
    return render_template("supervision/analysis.html", a=found, charts=charts(found), typed=typed, errors=errors,
                           fairs=_fairs(), definitions=DEFINITIONS, flags=FLAGS, query=_query(scope),
                           not_parked=NOT_PARKED, groups_shown=GROUPS_SHOWN), 400 if errors else 200


@bp.get("/analysis/companies")
@organiser_required
def analysis_companies():
    """The companies behind a row: by cause (a ParkCause value, or NOT_PARKED), category, department."""
    scope, typed, errors = _scope()
    cause_arg, category_arg = request.args.get("cause", ""), request.args.get("category", "")
    cause = ParkCause(cause_arg) if cause_arg in ParkCause._value2member_map_ else (
        NOT_PARKED if cause_arg == NOT_PARKED else None)
    category = Category(category_arg) if category_arg in Category._value2member_map_ else None
    department_id = int_or_none(request.args.get("department"))
    department = db.session.get(Department, department_id) if department_id is not None else None
    companies, total = stuck_companies(scope, fair_today(), cause=cause, category=category,
                                       department_id=department.id if department else None)
    return render_template("supervision/analysis_companies.html", companies=companies, total=total,
                           cause=cause, category=category, department=department, typed=typed, errors=errors,
                           query=_query(scope), not_parked=NOT_PARKED, flags=FLAGS, shown=sum(
                               len(c.items) for c in companies))


@bp.get("/analysis.<kind>")
@organiser_required
def analysis_document(kind: str):
    if kind not in ("pdf", "xlsx"):
        abort(404)
    scope, _typed, errors = _scope()
    if errors:  # nothing printed from filters that were not read: the page says what to mend
        return analysis_page()
    make = analysis_documents.analysis_pdf if kind == "pdf" else analysis_documents.analysis_xlsx
    return download(*make(figures(scope)))


def figures(scope: Scope):
    """The analysis, kept by each app server while nothing it counts has changed: the key holds the
    day (overdue and parked are judged on it), the filters, the ledger's versions (every item's
    state, extension, verdict and parking moves its department's) and every fair's (each request's
    filing and state, which the categories that recur are read from; each fair's set-up, which names
    its date and departments). The first view after a change computes it again (bench/analysis.py)."""
    today = fair_today()
    key = (scope, today, ledger_and_setup_versions()[0], all_fairs_version())
    return kept("bottleneck_analysis", key, lambda: analysis(scope, today), most=32)


def _query(scope: Scope) -> dict:
    """The filters as a query string's arguments, to carry to the drill-down and the downloads."""
    out = {}
    if scope.fair_id is not None:
        out["fair"] = scope.fair_id
    if scope.since is not None:
        out["since"] = scope.since.isoformat()
    if scope.until is not None:
        out["until"] = scope.until.isoformat()
    return out
