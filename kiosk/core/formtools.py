"""Small pieces every form here uses."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

#: control characters (Unicode Cc: C0, DEL, C1): a NUL PostgreSQL refuses to store, \x1b or \x0b
#: openpyxl refuses to write (the fair's XLSX export answered 500), and none of them is text
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: what a line break or tab becomes in a one-line field
_BREAKS = re.compile(r"[\t\n\r]+")
#: str.strip() trims U+3000 too (it is whitespace); named here because a Chinese IME types it
IDEOGRAPHIC_SPACE = "\u3000"


def clean_text(value, multiline=False):
    """Text as it is stored: Unicode NFC (a decomposed é and a composed one are one name), without
    control characters, trimmed at both ends of ordinary and full-width spaces. Long text keeps its
    line breaks (as \\n) and tabs; a one-line field turns them into a space. Anything not a string
    (None, a number) passes unchanged."""
    if not isinstance(value, str):
        return value
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = CONTROL.sub("", value)
    if not multiline:
        value = _BREAKS.sub(" ", value)
    return value.strip().strip(IDEOGRAPHIC_SPACE)


def strip(value):
    """The filter of every one-line text field (see clean_text)."""
    return clean_text(value)


def strip_long(value):
    """The filter of every long text field: line breaks and tabs stay (see clean_text)."""
    return clean_text(value, multiline=True)


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


def ids_prefixed(form, prefix: str):
    """The form's fields with ids (and their labels' for=) of their own, their names as they were:
    for a page that shows two forms with a field of the same name (a fair's name and a new zone's
    name on the fair's page were both id="name"), so that every label finds its own input."""
    for f in form:
        f.id = f.label.field_id = f"{prefix}-{f.id}"
    return form
