"""One shape for "you may not do that now": an exception with a code the views turn into a message."""
from flask_babel import LazyString
from markupsafe import escape


class Refused(Exception):
    #: code -> the message shown to the person who tried, in their language (lazy_gettext)
    MESSAGES: dict = {}

    def __init__(self, code: str, /, **params):  # (a blank may be called code too)
        super().__init__(code)
        self.code = code
        #: the message's blanks (a date, a ticket number), filled in the language of whoever is told
        self.params = params

    @property
    def message(self):
        message = self.MESSAGES[self.code]
        return filled(message, **self.params) if self.params else message


class _Filled(LazyString):
    # flask_babel's LazyString tells Jinja it is safe HTML as it stands (its __html__ returns it
    # unescaped), and lazy_gettext(..., name=...) fills the blanks inside it: a name typed into a form
    # or read from a sheet would reach the page as markup.
    def __html__(self):
        return escape(str(self))


def filled(message, **params) -> LazyString:
    """A lazy message with its blanks filled, read out in the language of whoever is shown it; the
    values are text, escaped on a page like any other."""
    return _Filled(lambda: message % params)
