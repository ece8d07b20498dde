"""A step a person takes on a page: made, or refused with nothing of it kept.

The staff's pages of steps (a request's on the booth tablet, kiosk.booth.actions; an item's on the
ledger, kiosk.ledger.views) show a form per step, each carrying the version the person saw, and a
step posts one of them. The moves refuse by raising (kiosk.core.refusals.Refused: a stale version,
a state that does not allow it); this module is the one place that turns a refusal into what the
person sees: the session rolled back, the thing read again as it now stands, the refusal's words
above the form, which keeps what was typed, and the status (200 done, 422 a field to mend, 409
refused). Pages whose moves have no such form (a round's marks, the company's verdict) catch the
refusal the same way, with Attempt. Nothing here knows a domain: the steps, the thing and how to
read it again are given.
"""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired

from kiosk.core.extensions import db
from kiosk.core.formtools import int_or_none
from kiosk.core.refusals import Refused
from kiosk.core.rendering import render_block


class ActionForm(FlaskForm):
    """A step's form: it carries the version of the thing when the page was shown."""
    #: a stale one is a conflict, never an overwrite
    version = HiddenField("", filters=[int_or_none], validators=[InputRequired()])


class Attempt:
    """`with Attempt() as tried:` around a move: a refusal is caught, rolled back and kept in
    `tried.refused` (None when the move was made). The rollback is not left to the request's end:
    an answer to htmx is a 200 (htmx swaps nothing else in), which the request's end would commit."""
    refused: Refused | None = None

    def __enter__(self) -> "Attempt":
        return self

    def __exit__(self, _kind, error, _traceback) -> bool:
        if isinstance(error, Refused):
            db.session.rollback()
            self.refused = error
            return True
        return False


def _nothing(_thing) -> dict:
    return {}


class Step(NamedTuple):
    """One step a page offers."""
    form: type[FlaskForm]
    #: move(thing, actor, version, **arguments): changes and flushes, or raises a Refused
    move: Callable[..., Any]
    #: what the move needs from the form: (form, thing) -> keyword arguments
    arguments: Callable[[FlaskForm, Any], dict]
    #: what the person is told once it is done
    done: str
    #: what the form shows before anything is typed: thing -> field values
    initial: Callable[[Any], dict] = _nothing


@dataclass
class Taken:
    """A step as it went: the thing as it now stands, the form as it was sent, what to tell."""
    name: str
    thing: Any
    form: FlaskForm
    message: str | None
    #: 200 done, 422 the form has a field to mend, 409 the move refused
    status: int

    @property
    def failed(self) -> bool:
        return self.status != 200


def take(name: str, step: Step, form: FlaskForm, thing, actor, again: Callable[[], Any]) -> Taken:
    """The step, from its form as posted (its choices already filled in). again() reads the thing
    anew after a refusal, with the same access check that found it."""
    if not form.validate():
        return Taken(name, thing, form, None, 422)
    with Attempt() as tried:
        step.move(thing, actor, form.version.data, **step.arguments(form, thing))
    if tried.refused is not None:
        return Taken(name, again(), form, tried.refused.message, 409)
    return Taken(name, thing, form, step.done, 200)


def panel(steps: dict[str, Step], thing, taken: Taken | None = None) -> dict:
    """What a page's panel shows of its steps: each step's form at the thing's version now (the one
    that failed keeps what was typed, its version moved on too: after a conflict the page shows the
    new state, and the next save may go on), which one is open, and what to tell."""
    failed = taken is not None and taken.failed
    forms = {}
    for name, step in steps.items():
        if failed and name == taken.name:
            form = taken.form
            form.version.data = thing.version
        else:
            form = step.form(prefix=name, formdata=None, version=thing.version, **step.initial(thing))
        forms[name] = form
    return {"forms": forms, "open_action": taken.name if failed else None,
            "message": taken.message if taken is not None else None, "message_is_error": failed}


def answer(template: str, context: dict, taken: Taken):
    """The page after a step, or its panel alone for htmx. Errors are answered 200 to htmx so that it
    swaps the panel in; the message says what went wrong."""
    if request.htmx:
        return render_block(template, "panel", **context)
    return render_template(template, **context), taken.status
