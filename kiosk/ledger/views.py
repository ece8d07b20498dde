"""The ledger's pages, under /ledger: the list (its assembly and kept copies in list_page), an item's
page with its steps and timeline, and a company's file; the quarterly rounds' pages join the same
blueprint from round_views. Each view parses, calls and renders. Organisers see every item;
department staff their own department's, from every fair (kiosk.auth.access). (The company's
verdict is posted from its tracking page: kiosk.intake.verdict.)"""
from dataclasses import replace

from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from kiosk.auth.access import ledger_item_or_404, ledger_user_required, organiser_required, works_on
from kiosk.core import steps
from kiosk.core.bodylimits import larger_body
from kiosk.core.errors import error_page
from kiosk.core.extensions import db
from kiosk.core.formtools import clean_text
from kiosk.core.rendering import not_modified, render_block, tagged
from kiosk.core.steps import Step
from kiosk.core.timeutil import fair_today
from kiosk.ledger import evidence, extension_list, forms, list_page, moves
from kiosk.ledger.company_file import company_file, find_companies
from kiosk.ledger.listing import LedgerFilter
from kiosk.ledger.timeline import timeline
from kiosk.service_requests.models import ServiceRequest

bp = Blueprint("ledger", __name__, url_prefix="/ledger")


@bp.get("")
@ledger_user_required
def index():
    """The list; its poll is a 304 while what it shows stands still, else the list alone."""
    wanted = LedgerFilter.from_args(request.args)
    if current_user.is_department_staff:
        wanted = replace(wanted, department=current_user.department_id)  # their own, whatever was asked
    shown = list_page.Shown.now(wanted, organiser=current_user.is_organiser)
    if request.htmx and not request.htmx.boosted:
        if (cached := not_modified(shown.etag)) is not None:
            return cached
        return tagged(list_page.answer(list_page.live(shown)), shown.etag)
    # No ETag on the whole page: the browser would revalidate the poll with it, and a 304 would hand
    # the poll the whole page to swap in (a page inside the page).
    return list_page.answer(*list_page.page(shown))


@bp.get("/items/<int:item_id>")
@login_required  # (anyone else than its department and organisers: a 404, as for any request)
def item(item_id: int):
    found = ledger_item_or_404(item_id)
    etag = f"I{found.id}-{found.version}-{fair_today()}-{get_locale()}"
    if request.htmx and not request.htmx.boosted:
        # The item's facts and timeline, polled; the forms stay as the person typed them.
        if (cached := not_modified(etag)) is not None:
            return cached
        return tagged(make_response(render_block("ledger/item.html", "live", **_item_context(found))), etag)
    return render_template("ledger/item.html", **_item_context(found))


#: the steps on an item's page (kiosk.core.steps): what each asks and what it does
STEPS = {
    "progress": Step(forms.ProgressForm, moves.progress, lambda f, item: {"text": f.text.data, "files": f.checked},
                     _l("已记录办理进展，企业可在进度页看到。")),
    "ask_extension": Step(forms.ExtendForm, moves.ask_extension, lambda f, item: {
        "new_due": f.new_due.data, "reason": f.reason.data, "today": fair_today()},
        _l("已提交延期申请，等待组织方审批；批准前完成时限不变。")),
    "approve_extension": Step(forms.ApproveExtensionForm, moves.approve_extension,
                              lambda f, item: {"today": fair_today()}, _l("已批准延期，完成时限已更新。")),
    "refuse_extension": Step(forms.RefuseExtensionForm, moves.refuse_extension,
                             lambda f, item: {"reason": f.reason.data}, _l("已不予批准，部门会看到原因。")),
    "extend": Step(forms.ExtendForm, moves.extend, lambda f, item: {
        "new_due": f.new_due.data, "reason": f.reason.data, "today": fair_today()},
        _l("已延期，原定完成时限不变，延期次数已记录。")),
    "reassign": Step(forms.ReassignForm, moves.reassign, lambda f, item: {
        "unit": f.unit.data, "person": f.person.data, "reason": f.reason.data}, _l("已变更责任单位。"),
        initial=lambda item: {"unit": item.plan_unit, "person": item.plan_person}),
    "finish": Step(forms.FinishForm, moves.finish,
                   lambda f, item: {"result": f.result.data, "evidence": f.evidence.data, "files": f.checked},
                   _l("已申请销号，等待组织方确认。")),
    "confirm": Step(forms.ConfirmForm, moves.confirm, lambda f, item: {}, _l("已销号。")),
    "send_back": Step(forms.SendBackForm, moves.send_back, lambda f, item: {"reason": f.reason.data},
                      _l("已退回部门重办。")),
}
assert set(STEPS) <= set(moves.ALLOWED_FROM)


def _body_limit(view_args: dict) -> int | None:
    """Finishing and progress take files (kiosk.ledger.evidence), from the staff who may take them:
    anyone else's body stays within the app's 2 MB, before any check of who they are."""
    if current_user.is_authenticated and (current_user.is_organiser or current_user.is_department_staff):
        return evidence.body_limit(view_args)
    return None


@bp.post("/items/<int:item_id>/<step>")
@larger_body(_body_limit)
@login_required
def act(item_id: int, step: str):
    if step not in STEPS:
        abort(404)
    found = ledger_item_or_404(item_id)
    if step in moves.ORGANISERS_ONLY and not current_user.is_organiser:
        # only organisers confirm or send back, and approve or make extensions: the department does
        # not close its own work, nor grant itself more time
        abort(403)
    form = STEPS[step].form(prefix=step)
    taken = steps.take(step, STEPS[step], form, found, current_user, again=lambda: ledger_item_or_404(item_id))
    return steps.answer("ledger/item.html", _item_context(taken.thing, taken), taken)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A post of files over the body's limit (the app's, or nginx's answered here: @too_large in
    deploy/nginx/kiosk.conf): the item's page with the step's form open and the limit beside its
    file field. What was typed is lost with the body, which nobody read; anything else is the
    plain 413 page."""
    step = (request.view_args or {}).get("step")
    if request.endpoint != "ledger.act" or step not in evidence.STEPS_WITH_FILES or not current_user.is_authenticated:
        return error_page(413)
    found = db.session.get(ServiceRequest, request.view_args["item_id"])
    if found is None or not works_on(current_user, found):
        return error_page(404)  # (an error handler answers; it does not abort)
    form = STEPS[step].form(prefix=step, formdata=None, version=found.version)
    form.files.errors = [evidence.EvidenceRefused("body_too_large", max=evidence.MAX_FILES,
                                                  mb=evidence.MAX_FILE_BYTES // 2**20).message]
    taken = steps.Taken(step, found, form, None, 413)
    return render_template("ledger/item.html", **_item_context(found, taken)), 413


def _item_context(found, taken: steps.Taken | None = None) -> dict:
    return {**steps.panel(STEPS, found, taken), "item": found, "today": fair_today(),
            "allowed": moves.allowed_moves(found, current_user),
            "steps": timeline(found, organiser=current_user.is_organiser)}


@bp.get("/extensions")
@ledger_user_required
def extensions():
    """延期审批: the requests for more time waiting for an organiser (every department's for
    organisers, their own for a department's staff), and those decided in the last days."""
    department = None if current_user.is_organiser else current_user.department_id
    return render_template("ledger/extensions.html", waiting=extension_list.waiting(department),
                           decided=extension_list.decided_lately(department),
                           within_days=extension_list.DECIDED_WITHIN_DAYS, today=fair_today())


# --- a company's file (一企一档) ---------------------------------------------------------------------

@bp.get("/companies")
@organiser_required
def companies():
    text = clean_text(request.args.get("q", ""))[:200]
    return render_template("ledger/companies.html", q=text, found=find_companies(text))


@bp.get("/companies/<code>")
@organiser_required
def company(code: str):
    found = company_file(code[:18])
    if found is None:
        abort(404)
    return render_template("ledger/company.html", file=found, today=fair_today())

