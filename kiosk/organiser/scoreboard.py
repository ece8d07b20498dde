"""The organisers' scoreboard (大比拼) pages: a period's live ranking with its PDF and XLSX, the
weights, a month's efficiency points, publishing a ranking, and the half-yearly disclosure's
preview and publication. The rules are kiosk.scoreboard.service's; the figures kiosk.figures'."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from kiosk.core.extensions import db
from kiosk.core.refusals import filled
from kiosk.core.timeutil import fair_today
from kiosk.fairs.models import Booth, Department, Fair
from kiosk.figures.periods import KIND_LABELS, NoSuchPeriod, Period, choices_around
from kiosk.organiser import bp
from kiosk.organiser.setup import download
from kiosk.scoreboard import service
from kiosk.scoreboard.disclosure import disclosure_figures, half_to_open
from kiosk.scoreboard.documents import definitions, ranking_pdf, ranking_xlsx
from kiosk.scoreboard.figures import scoreboard, weights_in_force
from kiosk.scoreboard.forms import PointsForm, PublishForm, WeightsForm
from kiosk.scoreboard.models import Disclosure, EfficiencyPoints, PublishedRanking, ScoreWeights
from kiosk.scoreboard.service import ScoreboardRefused
from kiosk.scoreboard.waits import department_waits

#: what the page shown instead says when a picker's period (?period=, ?half=, ?month=) cannot be read
_UNREAD = {None: _l("无法识别所选期间，已显示上个月的排名。期间应写作月（2026-06）、季度（2026-Q2）、半年（2026-H1）"
                    "或年（2026），年份在2000至2999之间。"),
           "month": _l("无法识别所选月份，仍显示本页的月份。月份应写作2026-06，年份在2000至2999之间。"),
           "half": _l("无法识别所选半年，已显示最近结束的半年。半年应写作2026-H1（上半年）或2026-H2（下半年），"
                      "年份在2000至2999之间。")}


def _picked(key: str | None, kind: str | None = None) -> Period | None:
    """The period a picker asked for; None when it asked for none, or for one that cannot be read
    or is of another kind, which is then told (flashed) over the page shown instead. (A period in
    the path is the page's own address: one that cannot be read is a 404.)"""
    if not key:
        return None
    try:
        period = Period.parse(key)
    except NoSuchPeriod:
        period = None
    if period is None or (kind is not None and period.kind != kind):
        flash(_UNREAD[kind], "error")
        return None
    return period


def period_or_404(key: str, kind: str | None = None) -> Period:
    try:
        period = Period.parse(key)
    except NoSuchPeriod:
        abort(404)
    if kind is not None and period.kind != kind:
        abort(404)
    return period


@bp.get("/scoreboard")
def scoreboard_home():
    """The period the picker asked for (?period=2026-Q2), else last month's: the ranking being
    prepared for publication."""
    period = _picked(request.args.get("period")) or Period.of("month", fair_today()).previous
    return redirect(url_for(".scoreboard_page", period=period.key))


@bp.get("/scoreboard/<period>")
def scoreboard_page(period: str):
    return _board_page(period_or_404(period))


def _board_page(period: Period, form: PublishForm | None = None, status: int = 200):
    today = fair_today()
    board = scoreboard(period, as_of=today)
    revisions = db.session.scalars(sa.select(PublishedRanking).where(PublishedRanking.period == period.key)
                                   .order_by(PublishedRanking.revision.desc())).all()
    pickers = {kind: choices_around(kind, today) for kind in KIND_LABELS}
    return render_template("scoreboard/board.html", board=board, period=period, frozen=None, revisions=revisions,
                           pickers=pickers, kind_labels=KIND_LABELS, form=form or PublishForm(formdata=None),
                           can_publish=period.end < today, definitions=definitions(),
                           waits=department_waits(period)), status


@bp.get("/scoreboard/<period>/ranking.<kind>")
def scoreboard_document(period: str, kind: str):
    board = scoreboard(period_or_404(period), as_of=fair_today())
    if kind == "pdf":
        return download(*ranking_pdf(board))
    if kind == "xlsx":
        return download(*ranking_xlsx(board))
    abort(404)


@bp.post("/scoreboard/<period>/publish")
def publish_ranking(period: str):
    wanted = period_or_404(period)
    form = PublishForm()
    if form.validate():
        try:
            ranking = service.publish_ranking(wanted, current_user, today=fair_today(), reason=form.reason.data)
        except ScoreboardRefused as refused:
            form.reason.errors.append(refused.message)
        else:
            flash(filled(_l("已发布%(period)s的排名（第%(revision)d版）。此后的数据变动不会改变这份排名。"),
                         period=wanted.label, revision=ranking.revision))
            return redirect(url_for("scoreboard.published", ranking_id=ranking.id))
    return _board_page(wanted, form, 422)


@bp.route("/scoreboard/weights", methods=["GET", "POST"])
def scoreboard_weights():
    effect, service_weight, efficiency = weights_in_force()
    form = WeightsForm(data={"effect": effect, "service": service_weight, "efficiency": efficiency})
    if form.validate_on_submit():
        service.set_weights(form.effect.data, form.service.data, form.efficiency.data, current_user)
        flash(_l("权重已保存，此后计算和发布的排名按新权重；已发布的排名保留发布时的权重。"))
        return redirect(url_for(".scoreboard_weights"))
    history = db.session.scalars(sa.select(ScoreWeights).order_by(ScoreWeights.id.desc()).limit(20)).all()
    return render_template("scoreboard/weights.html", form=form, history=history), 422 if form.errors else 200


@bp.route("/scoreboard/efficiency/<month>", methods=["GET", "POST"])
def scoreboard_efficiency(month: str):
    """One month's efficiency points, a row per department and bank, each with its note."""
    period = period_or_404(month, "month")
    if (wanted := request.args.get("month")) and request.method == "GET":  # the month picker
        return redirect(url_for(".scoreboard_efficiency", month=(_picked(wanted, "month") or period).key))
    departments = _departments_around(period)
    entries = {entry.department_id: entry for entry in db.session.scalars(
        sa.select(EfficiencyPoints).where(EfficiencyPoints.month == period.start))}
    forms = {}
    for department in departments:
        entry = entries.get(department.id)
        forms[department.id] = PointsForm(prefix=f"d{department.id}", data={
            "points": entry.points if entry else None, "note": entry.note if entry else ""})
    # (CSRFProtect checked the page's token: the rows' forms have none.) Every row is checked, so
    # that each shows its own error, and nothing is saved unless all are right.
    if request.method == "POST" and all([form.validate() for form in forms.values()]):  # noqa: C419
        for department in departments:
            form = forms[department.id]
            service.enter_points(department, period.start, form.points.data, form.note.data, current_user)
        flash(filled(_l("已保存%(month)s的效率分。"), month=period.label))
        return redirect(url_for(".scoreboard_efficiency", month=period.key))
    status = 422 if any(form.errors for form in forms.values()) else 200
    return render_template("scoreboard/efficiency.html", period=period, departments=departments, forms=forms,
                           entries=entries, months=choices_around("month", fair_today(), back=12)), status


def _departments_around(period: Period) -> list[Department]:
    """The departments with a booth at any fair of the year so far, and any with points already:
    whom a month's points are entered for. Departments first, then banks, by name."""
    year = Period(period.year, "year")
    at_fairs = (sa.select(Booth.department_id).join(Fair, Booth.fair_id == Fair.id)
                .where(Fair.date.between(year.start, year.end)))
    with_points = sa.select(EfficiencyPoints.department_id).where(EfficiencyPoints.month == period.start)
    departments = db.session.scalars(sa.select(Department).where(
        sa.or_(Department.id.in_(at_fairs), Department.id.in_(with_points)))).all()
    return sorted(departments, key=lambda d: (d.kind.value != "department", d.name))


@bp.get("/disclosures")
def disclosure_home():
    """The half year the picker asked for (?half=2026-H1), else the latest with requests to publish
    (kiosk.scoreboard.disclosure.half_to_open): the last to have ended might have had no fair."""
    period = _picked(request.args.get("half"), "half") or half_to_open(fair_today())
    return redirect(url_for(".disclosure_preview", period=period.key))


@bp.get("/disclosures/<period>")
def disclosure_preview(period: str):
    return _disclosure_page(period_or_404(period, "half"))


def _disclosure_page(period: Period, form: PublishForm | None = None, status: int = 200):
    today = fair_today()
    revisions = db.session.scalars(sa.select(Disclosure).where(Disclosure.period == period.key)
                                   .order_by(Disclosure.revision.desc())).all()
    return render_template("disclosure/preview.html", d=disclosure_figures(period, as_of=today), period=period,
                           revisions=revisions, form=form or PublishForm(formdata=None),
                           halves=choices_around("half", today), can_publish=period.end < today), status


@bp.post("/disclosures/<period>/publish")
def publish_disclosure(period: str):
    wanted = period_or_404(period, "half")
    form = PublishForm()
    if form.validate():
        try:
            service.publish_disclosure(wanted, current_user, today=fair_today(), reason=form.reason.data)
        except ScoreboardRefused as refused:
            form.reason.errors.append(refused.message)
        else:
            flash(filled(_l("已公开%(period)s的办理情况，公众可在公开页面查看。"), period=wanted.label))
            return redirect(url_for(".disclosure_preview", period=wanted.key))
    return _disclosure_page(wanted, form, 422)
