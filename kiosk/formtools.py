"""Small pieces every form here uses."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice


def strip(value):
    """Trimmed, and without NUL characters: PostgreSQL refuses to store them (a 500 otherwise)."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


#: the largest id a table holds (PostgreSQL's integer); a larger number in a URL or form is no id
MAX_ID = 2**31 - 1


def int_or_none(value):
    """An id from a form; None for a placeholder or anything that is not an id."""
    return int(value) if str(value).isdigit() and int(value) <= MAX_ID else None


def booth_choices(booths, placeholder=True):
    """Booths (fairs.models.fair_booths rows) grouped by zone, as <optgroup>s. The placeholder keeps
    the browser from quietly choosing the first booth."""
    choices = [SelectChoice(b.id, f"{b.code} {b.name}", optgroup=b.zone) for b in booths]
    return ([SelectChoice("", _l("请选择摊位"))] if placeholder else []) + choices
