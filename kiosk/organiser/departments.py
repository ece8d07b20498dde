"""Department accounts for the demand ledger, managed by organisers as booth accounts are: one per
department, lasting across fairs; a new password printed on its own slip, switched off and on,
unlocked. (The rules are auth.accounts'.)"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from kiosk.auth import accounts as rules
from kiosk.core.extensions import db
from kiosk.core.refusals import filled
from kiosk.fairs.models import Department
from kiosk.organiser import bp


@bp.get("/departments")
def departments():
    return render_template("organiser/departments.html", rows=rules.department_accounts())


@bp.post("/departments/<int:department_id>/reset")
def reset_department(department_id: int):
    """The department's account, made now or with a new password: its slip, to print."""
    department = db.get_or_404(Department, department_id)
    return render_template("organiser/department_slip.html", department=department,
                           row=rules.reset_department(department))


@bp.post("/departments/<int:department_id>/switch")
def switch_department(department_id: int):
    department = db.get_or_404(Department, department_id)
    user = rules.department_account(department)
    to = request.form.get("to")
    if user is None:
        abort(404)
    if to not in ("on", "off"):
        abort(400)
    rules.switch(user, to == "on")
    flash(filled(_l("已启用%(name)s的台账账号。") if to == "on" else _l("已停用%(name)s的台账账号，它的登录已退出。"),
                 name=department.name))
    return redirect(url_for(".departments"))


@bp.post("/departments/<int:department_id>/unlock")
def unlock_department(department_id: int):
    department = db.get_or_404(Department, department_id)
    user = rules.department_account(department)
    if user is None:
        abort(404)
    rules.unlock(user)
    flash(filled(_l("已解除%(name)s台账账号的登录锁定。"), name=department.name))
    return redirect(url_for(".departments"))
