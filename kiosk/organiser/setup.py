"""Setting a fair up: the fair itself, its zones and booths (by hand or from a spreadsheet), and
opening, closing and reopening it. (Its staff accounts: accounts.py.)

The rules are the domain's (organiser.fair_setup, organiser.fair_lifecycle, auth.accounts); these views turn their
refusals into form errors; the request's end commits (kiosk.core.database).
"""
import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectChoice

from kiosk.auth.accounts import locked_booths
from kiosk.core.downloads import download
from kiosk.core.errors import error_page
from kiosk.core.extensions import db
from kiosk.core.formtools import ids_prefixed
from kiosk.core.refusals import filled
from kiosk.fairs.address import AddressRefused, base_url, normalise_base_url, reach
from kiosk.fairs.models import Booth, DepartmentKind, Fair, FairStatus, Zone
from kiosk.organiser import bp, fair_setup
from kiosk.organiser.fair_lifecycle import FairMoveRefused, open_fair, overlap_warning, overlaps, reopen_fair
from kiosk.organiser.fair_setup import SetupRefused
from kiosk.organiser.forms import (
    AddressForm,
    ApplyImportForm,
    BoothEditForm,
    BoothForm,
    FairForm,
    ImportForm,
    ReasonForm,
    ZoneEditForm,
    ZoneForm,
)
from kiosk.organiser.importing import (
    SheetRefused,
    check_rows,
    opened_plan,
    read_rows,
    replan,
    sealed_plan,
    template_csv,
    template_xlsx,
)


@bp.route("/", methods=["GET", "POST"])
def fairs():
    form = FairForm()
    if form.validate_on_submit():
        fair = Fair(name=form.name.data, date=form.date.data, venue=form.venue.data, status=FairStatus.draft)
        db.session.add(fair)
        db.session.flush()  # for its id; the request's end commits
        flash(_l("大集已创建。请添加专区和摊位，或导入摊位表。"))
        return redirect(url_for(".fair", fair_id=fair.id))
    listing = db.session.scalars(sa.select(Fair).order_by(Fair.date.desc(), Fair.id.desc())).all()
    return render_template("organiser/fairs.html", fairs=listing, form=form), 422 if form.errors else 200


@bp.get("/fairs/<int:fair_id>")
def fair(fair_id: int):
    return _fair_page(db.get_or_404(Fair, fair_id))


def _fair_page(fair: Fair, status: int = 200, **forms):
    booth_form = forms.get("booth_form") or BoothForm(formdata=None)
    booth_form.zone.choices = zone_choices(fair)
    # The fair's own fields and the new zone's carry their form in their ids: both have a "name".
    context = {"fair": fair,
               "edit_form": ids_prefixed(forms.get("edit_form") or FairForm(formdata=None, obj=fair), "fair"),
               "zone_form": ids_prefixed(forms.get("zone_form") or ZoneForm(formdata=None), "new-zone"),
               "booth_form": booth_form,
               "import_form": forms.get("import_form") or ImportForm(formdata=None),
               "reason_form": forms.get("reason_form") or ReasonForm(formdata=None),
               "import_errors": forms.get("import_errors", []), "locked": locked_booths(fair),
               "address_form": forms.get("address_form") or AddressForm(formdata=None, obj=fair),
               "printed_base": base_url(fair), "reach": reach(base_url(fair)),
               "overlaps": overlaps(fair) if fair.is_open else [], "overlap_warning": overlap_warning,
               "preview": forms.get("preview"), "apply_form": forms.get("apply_form"),
               "booth_forms": {b.id: booth_edit_form(fair, b) for b in fair.booths},
               "zone_forms": {z.id: ZoneEditForm(formdata=None, prefix=f"z{z.id}", obj=z) for z in fair.zones}}
    if edited := forms.get("booth_edit"):
        context["booth_forms"][edited.booth_id] = edited
    if edited := forms.get("zone_edit"):
        context["zone_forms"][edited.zone_id] = edited
    return render_template("organiser/fair.html", **context), status


def booth_edit_form(fair: Fair, booth: Booth, formdata=None) -> BoothEditForm:
    """The booth's correction form, filled with the booth as it stands (or with what was sent)."""
    form = BoothEditForm(formdata=formdata, prefix=f"b{booth.id}", data={
        "code": booth.code, "department": booth.name, "kind": booth.department.kind.value, "zone": booth.zone_id})
    form.zone.choices = zone_choices(fair)
    form.booth_id = booth.id
    return form


@bp.post("/fairs/<int:fair_id>")
def edit(fair_id: int):
    fair = db.get_or_404(Fair, fair_id)
    form = FairForm()
    if not form.validate():
        return _fair_page(fair, 422, edit_form=form)
    fair.name, fair.date, fair.venue = form.name.data, form.date.data, form.venue.data
    flash(_l("已保存。"))
    return redirect(url_for(".fair", fair_id=fair.id))


@bp.post("/fairs/<int:fair_id>/address")
def set_address(fair_id: int):
    """The address this fair's posters print; empty goes back to the server's PUBLIC_BASE_URL."""
    fair = db.get_or_404(Fair, fair_id)
    form = AddressForm()
    if form.validate():
        try:
            fair.public_base_url = normalise_base_url(form.public_base_url.data)
        except AddressRefused as refused:
            form.public_base_url.errors.append(refused.message)
    if form.errors:
        return _fair_page(fair, 422, address_form=form)
    flash(_l("已保存。海报将印上 %(url)s，请重新下载海报。", url=base_url(fair)))
    return redirect(url_for(".fair", fair_id=fair.id))


@bp.post("/fairs/<int:fair_id>/zones")
def add_zone(fair_id: int):
    fair = db.get_or_404(Fair, fair_id)
    form = ZoneForm()
    if form.validate():
        try:
            fair_setup.add_zone(fair, form.name.data)
        except SetupRefused as refused:
            form.name.errors.append(refused.message)
    if form.errors:
        return _fair_page(fair, 422, zone_form=form)
    return redirect(url_for(".fair", fair_id=fair.id))


@bp.post("/fairs/<int:fair_id>/booths")
def add_booth(fair_id: int):
    fair = db.get_or_404(Fair, fair_id)
    form = BoothForm()
    form.zone.choices = zone_choices(fair)
    form.validate()
    zone = fair_setup.fair_zone(fair, form.zone.data)
    # The fair's rules are asked even when a field is missing, so that one try shows every mistake;
    # a field keeps the form's own message if it has one (请填写摊位号 rather than the code's pattern).
    for problem in fair_setup.booth_problems(fair, form.code.data, form.department.data, zone):
        field = form[problem.field]
        if not field.errors:
            field.errors.append(problem.message)
    if form.errors:
        return _fair_page(fair, 422, booth_form=form)
    fair_setup.add_booth(fair, zone, form.code.data, form.department.data, DepartmentKind(form.kind.data))
    return redirect(url_for(".fair", fair_id=fair.id))


@bp.post("/fairs/<int:fair_id>/import")
def import_file(fair_id: int):
    """Read the sheet and show what importing it would change; nothing is written until Apply."""
    fair = db.get_or_404(Fair, fair_id)
    form = ImportForm()
    if not form.validate():
        return _fair_page(fair, 422, import_form=form)
    upload = form.file.data
    with upload.stream:  # a large upload is spooled to a temporary file: closed at once, not at collection
        data = upload.read()
    try:
        rows = read_rows(upload.filename, data)
    except SheetRefused as refused:
        form.file.errors.append(refused.message)
        return _fair_page(fair, 422, import_form=form)
    plan, errors = check_rows(fair, rows)
    if errors:
        return _fair_page(fair, 422, import_form=form, import_errors=errors)
    # The preview's Apply carries the previewed rows, signed, rather than asking for the file again:
    # nothing to pick a second time, and what is applied is exactly what was shown (the signature
    # holds the rows, and the set-up version they were planned against).
    apply_form = ApplyImportForm(formdata=None, plan=sealed_plan(fair, plan))
    return _fair_page(fair, import_form=form, preview=plan, apply_form=apply_form)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """A sheet over MAX_CONTENT_LENGTH is refused while the request is read, before any view and before
    the blueprint's sign-in check: the import's answer is the fair's page with the limit beside the
    file field, to an organiser; anything else, or anyone else, gets the plain 413 page."""
    fair_id = (request.view_args or {}).get("fair_id")
    if request.endpoint != "organiser.import_file" or not getattr(current_user, "is_organiser", False):
        return error_page(413)
    fair = db.session.get(Fair, fair_id)
    if fair is None:
        return error_page(413)
    form = ImportForm(formdata=None)
    form.file.errors = [filled(_l("文件过大：摊位表最大%(mb)d MB（1,000行的摊位表约60 KB），请检查是否选错了文件"),
                               mb=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))]
    return _fair_page(fair, 413, import_form=form)


@bp.post("/fairs/<int:fair_id>/import/apply")
def apply_import(fair_id: int):
    fair = db.get_or_404(Fair, fair_id)
    form = ApplyImportForm()
    rows = opened_plan(fair, form.plan.data) if form.validate() else "bad"
    if isinstance(rows, str):
        flash(_l("摊位设置在预览之后有了变动，请重新上传摊位表再预览。") if rows == "stale" else
              _l("这份预览已失效，请重新上传摊位表。"), "error")
        return _fair_page(fair, 409)
    plan, errors = replan(fair, rows)
    if errors:
        return _fair_page(fair, 422, import_errors=errors)
    added, changed = fair_setup.apply_plan(fair, plan)
    flash(_l("已新增%(added)d个摊位，更新%(changed)d个摊位。", added=added, changed=changed))
    return redirect(url_for(".fair", fair_id=fair.id))


@bp.post("/fairs/<int:fair_id>/booths/<int:booth_id>")
def edit_booth(fair_id: int, booth_id: int):
    """Correct a booth: its code, its department's name and kind, its zone."""
    fair, booth = _fair_booth_or_404(fair_id, booth_id)
    form = booth_edit_form(fair, booth, formdata=request.form)
    if form.validate():
        try:
            fair_setup.rename_booth(booth, form.code.data)
            fair_setup.edit_department(booth.department, form.department.data, DepartmentKind(form.kind.data))
            fair_setup.move_booth(booth, fair_setup.fair_zone(fair, form.zone.data))
        except SetupRefused as refused:
            db.session.rollback()  # an earlier part may have been written: the page shows the booth as it was
            form[refused.field].errors.append(refused.message)
    if form.errors:
        return _fair_page(fair, 422, booth_edit=form)
    flash(_l("摊位 %(code)s 已保存。", code=booth.code))
    # Back where the organiser was in a long list of booths, not at the top of the page.
    return redirect(url_for(".fair", fair_id=fair.id, _anchor=f"booth-{booth.id}"))


@bp.post("/fairs/<int:fair_id>/booths/<int:booth_id>/delete")
def delete_booth(fair_id: int, booth_id: int):
    """Irreversible (a booth no request reached goes, with its account): only with the tick of the
    second step (kiosk.core.confirmations); without it, nothing is done and the fair's page shows the
    booth's box open with why."""
    from kiosk.core import confirmations  # (here: the module's imports are another change's)

    fair, booth = _fair_booth_or_404(fair_id, booth_id)
    if not confirmations.confirmed():
        return _fair_page(fair, confirmations.refuse(f"booth-delete-{booth.id}"))
    code = booth.code
    if fair_setup.delete_or_hide_booth(booth) == "deleted":
        flash(_l("摊位 %(code)s 已删除。", code=code))
    else:
        flash(_l("摊位 %(code)s 已有需求，不能删除：已停止受理，企业表单中不再列出它；它的需求仍在看板和统计中。",
                 code=code))
    return redirect(url_for(".fair", fair_id=fair.id))


@bp.post("/fairs/<int:fair_id>/booths/<int:booth_id>/show")
def show_booth(fair_id: int, booth_id: int):
    fair, booth = _fair_booth_or_404(fair_id, booth_id)
    fair_setup.show_booth(booth)
    flash(_l("摊位 %(code)s 恢复受理。", code=booth.code))
    return redirect(url_for(".fair", fair_id=fair.id, _anchor=f"booth-{booth.id}"))


@bp.post("/fairs/<int:fair_id>/zones/<int:zone_id>")
def rename_zone(fair_id: int, zone_id: int):
    fair, zone = _fair_zone_or_404(fair_id, zone_id)
    form = ZoneEditForm(prefix=f"z{zone.id}")
    form.zone_id = zone.id
    if form.validate():
        try:
            fair_setup.rename_zone(zone, form.name.data)
        except SetupRefused as refused:
            form.name.errors.append(refused.message)
    if form.errors:
        return _fair_page(fair, 422, zone_edit=form)
    return redirect(url_for(".fair", fair_id=fair.id, _anchor=f"zone-{zone.id}"))


@bp.post("/fairs/<int:fair_id>/zones/<int:zone_id>/delete")
def delete_zone(fair_id: int, zone_id: int):
    fair, zone = _fair_zone_or_404(fair_id, zone_id)
    try:
        fair_setup.delete_zone(zone)
    except SetupRefused as refused:
        flash(refused.message, "error")
        return _fair_page(fair, 409)
    return redirect(url_for(".fair", fair_id=fair.id))


def _fair_booth_or_404(fair_id: int, booth_id: int) -> tuple[Fair, Booth]:
    booth = db.session.scalar(sa.select(Booth).filter_by(id=booth_id, fair_id=fair_id))
    if booth is None:
        abort(404)
    return booth.fair, booth


def _fair_zone_or_404(fair_id: int, zone_id: int) -> tuple[Fair, Zone]:
    zone = db.session.scalar(sa.select(Zone).filter_by(id=zone_id, fair_id=fair_id))
    if zone is None:
        abort(404)
    return zone.fair, zone


@bp.get("/import-template.<kind>")
def import_template(kind: str):
    if kind not in ("csv", "xlsx"):
        return redirect(url_for(".fairs"))
    data, mimetype = ((template_csv(), "text/csv; charset=utf-8") if kind == "csv" else
                      (template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    return download(f"booths-template.{kind}", mimetype, data)


@bp.post("/fairs/<int:fair_id>/<move>")
def move(fair_id: int, move: str):
    fair = db.get_or_404(Fair, fair_id)
    form = ReasonForm()
    shared = []
    try:
        if move == "open":
            shared = open_fair(fair, current_user)
        elif move == "reopen":
            if not form.validate():
                return _fair_page(fair, 422, reason_form=form)
            shared = reopen_fair(fair, current_user, form.reason.data)
        else:
            return redirect(url_for(".fair", fair_id=fair.id))
    except FairMoveRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
    for overlap in shared:
        flash(str(overlap_warning(overlap)), "error")  # as text: the session keeps it, the page escapes it once
    return redirect(url_for(".fair", fair_id=fair.id))


def zone_choices(fair: Fair) -> list[SelectChoice]:
    return [SelectChoice(zone.id, zone.name) for zone in fair.zones]
