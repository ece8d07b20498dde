"""Irreversible actions (closing a reconciliation round, revoking an API token, deleting a booth, ...):
one pattern for all of them, which holds without JavaScript.

The page shows the action with macros.html's `irreversible`: its first button only opens a box (a
<details>, which needs no script) saying what will happen and what cannot be undone, with a tick
and the button that does it. The second step is held on the server: a POST without the tick
(`confirmed()` false) is refused before anything is changed: the view calls `refuse(box's id)` and
renders its page again with the status it returns (422), and the page's call of the macro passes
`refused=g.get("unconfirmed") == <its id>`, so that the same box is shown open with the refusal
beside the tick, whichever way the POST came (a stale page, a script, a browser without JavaScript)."""
from flask import g, request

#: the tick's name and value in the form (macros.html's irreversible writes them)
FIELD, VALUE = "confirmed", "yes"

#: the status of a refusal: a field to mend, as any form's
REFUSED_STATUS = 422


def confirmed() -> bool:
    """The second step was taken: the POST carries the tick."""
    return request.form.get(FIELD) == VALUE


def refuse(box: str) -> int:
    """The page about to be rendered shows the box `box` open, with the refusal beside its tick;
    returns the refusal's status."""
    g.unconfirmed = box
    return REFUSED_STATUS
