"""One shape for "you may not do that now": an exception with a code the views turn into a message."""


class Refused(Exception):
    #: code -> the message shown to the person who tried, in their language (lazy_gettext)
    MESSAGES: dict = {}

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self):
        return self.MESSAGES[self.code]
