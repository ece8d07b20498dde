"""The company's evidence files (佐证文件) by its tracking link, /t/<token>/evidence/<file>: the files
the department attached when it finished the item or wrote a progress note, shown on the tracking
page. Only the request's own link reaches them: another company's link, or a token guessed, is a 404.
Registered by importing it in kiosk.create_app, before the blueprint is."""
from flask import abort

from kiosk.auth.access import request_by_token_or_404
from kiosk.intake.views import bp
from kiosk.ledger import evidence
from kiosk.ledger.evidence_views import answer


@bp.get("/t/<token>/evidence/<file_token>")
def evidence_file(token: str, file_token: str):
    found = evidence.file_of(request_by_token_or_404(token), file_token)
    if found is None:
        abort(404)
    return answer(found)
