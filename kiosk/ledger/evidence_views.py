"""An evidence file as its readers fetch it: the department's staff and organisers from the item's
page, by the ledger's own check (this module), the company by its tracking link
(kiosk.intake.evidence_views). Anyone else gets a 404, as for a request they may not see: a
stranger, a booth account, another department's account, another company's link, a token guessed.

The answer is the sniffed type and nothing else (nosniff), inline (WeChat's browser opens a PDF or
a photo, and cannot download a file), kept by the reader's browser alone, under a policy that lets
nothing in it run."""
import re
from urllib.parse import quote

from flask import abort, make_response
from flask_login import current_user

from kiosk.auth.access import ledger_item_or_404
from kiosk.ledger import evidence
from kiosk.ledger.evidence_models import EvidenceFile
from kiosk.ledger.views import bp

#: an image shown alone, sandboxed: no script, no plug-in, nothing fetched
IMAGE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
#: a PDF: Chrome's viewer is refused by a sandbox, so no sandbox; nothing else may load or run
PDF_POLICY = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
#: a file never changes under its token; only the reader's own browser keeps it
CACHE = "private, max-age=86400"


@bp.get("/items/<int:item_id>/evidence/<file_token>")
def evidence_file(item_id: int, file_token: str):
    """Not signed in is a 404 too, not the sign-in page: a file's address reveals nothing."""
    if not current_user.is_authenticated:
        abort(404)
    found = evidence.file_of(ledger_item_or_404(item_id), file_token)
    if found is None:
        abort(404)
    return answer(found)


def answer(row: EvidenceFile):
    response = make_response(row.data)
    headers = response.headers
    headers["Content-Type"] = row.type.value
    headers["Content-Disposition"] = inline(row.name)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cache-Control"] = CACHE
    headers["Content-Security-Policy"] = IMAGE_POLICY if row.type.is_image else PDF_POLICY
    return response


def inline(name: str) -> str:
    """Content-Disposition inline with the name: an ASCII one for old browsers, the UTF-8 one (RFC 6266)
    for the rest."""
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", name).strip("_") or "file"
    return f"inline; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
