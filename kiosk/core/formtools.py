"""Small pieces every form here uses."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

#: control characters (Unicode Cc: C0, DEL, C1): a NUL PostgreSQL refuses to store, \x1b or \x0b
#: openpyxl refuses to write (the fair's XLSX export answered 500), and none of them is text
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: invisible characters that change how the text around them is shown, or hide that two texts
#: differ (Unicode Cf, "format"): the bidirectional controls (U+202A-U+202E embeddings and
#: overrides, U+2066-U+2069 isolates, U+200E/U+200F and U+061C marks), which can show a note
#: reversed to the staff reading it ("\u202e" before "txt.exe" shows "exe.txt"); the zero-width
#: ones (U+200B space, U+200C/U+200D non-joiner and joiner, U+2060 word joiner, U+FEFF byte order
#: mark), which make two names that look the same differ; and their like: U+00AD soft hyphen,
#: U+2061-U+2064 invisible operators, U+206A-U+206F deprecated format controls, U+FFF9-U+FFFB
#: interlinear annotation marks, U+E0001 and U+E0020-U+E007F tags (invisible letters that can
#: carry hidden text). Stripping them is safe here: the kiosk takes Chinese and English, which use
#: none of them. ZWJ and ZWNJ matter in Persian, Arabic and the Indic scripts (joining, conjuncts),
#: ZWJ and tags in emoji sequences: here such a sequence (man, ZWJ, laptop) falls apart into its
#: emoji, and nothing else changes. The Cf characters left are visible signs or joiners a script
#: needs (U+0600-U+0605 Arabic number signs, U+180E Mongolian vowel separator, Egyptian and
#: shorthand format controls, musical beams): none of them hides or turns text.
#: Names and codes lose them, and long text too: a name or a code never means one, and in a note
#: or a plan an override is the harm itself.
INVISIBLE = re.compile("[\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                       "\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f]")
#: what a line break or tab becomes in a one-line field
_BREAKS = re.compile(r"[\t\n\r]+")
#: str.strip() trims U+3000 too (it is whitespace); named here because a Chinese IME types it
IDEOGRAPHIC_SPACE = "\u3000"


def clean_text(value, multiline=False):
    """Text as it is stored: Unicode NFC (a decomposed é and a composed one are one name), without
    control characters or invisible ones (INVISIBLE: direction overrides, zero-width spaces),
    trimmed at both ends of ordinary and full-width spaces. Long text keeps its line breaks (as \\n)
    and tabs; a one-line field turns them into a space. Anything not a string (None, a number)
    passes unchanged. The characters go before the text is composed: "e\\u200b\\u0301" is é."""
    if not isinstance(value, str):
        return value
    value = INVISIBLE.sub("", CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")))
    value = unicodedata.normalize("NFC", value)
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
    """An id from a form; None for a placeholder or anything that is not an id (ASCII digits only:
    "²" and "٣" are digits to str.isdigit, and int() refuses the first)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and int(text) <= MAX_ID else None


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
