"""A kept copy is made again when anything it depends on changes: the caller's key (a version, a
role), the language in force, the path the kiosk is served under; never shown for another key."""
from flask_babel import force_locale

from kiosk.core.kept import kept


def counting():
    made = []

    def make(value):
        def _make():
            made.append(value)
            return value
        return _make
    return made, make


def test_the_same_key_is_made_once_and_a_new_key_again(app):
    made, make = counting()
    with app.test_request_context("/"):
        assert kept("t", ("v1", "organiser"), make("a")) == "a"
        assert kept("t", ("v1", "organiser"), make("b")) == "a"  # kept
        assert kept("t", ("v2", "organiser"), make("c")) == "c"  # the version moved
        assert kept("t", ("v2", "booth"), make("d")) == "d"  # another role
    assert made == ["a", "c", "d"]


def test_the_language_in_force_is_part_of_every_key(app):
    made, make = counting()
    with app.test_request_context("/"):
        assert kept("t", ("v1",), make("中文")) == "中文"
        with force_locale("en"):
            assert kept("t", ("v1",), make("English")) == "English"
        assert kept("t", ("v1",), make("again")) == "中文"
    assert made == ["中文", "English"]


def test_the_path_served_under_is_part_of_every_key(app):
    made, make = counting()
    with app.test_request_context("/"):
        assert kept("t", ("v1",), make("/t/x")) == "/t/x"
    with app.test_request_context("/", base_url="http://localhost/kiosk/"):
        assert kept("t", ("v1",), make("/kiosk/t/x")) == "/kiosk/t/x"
    assert made == ["/t/x", "/kiosk/t/x"]


def test_a_full_store_lets_the_least_recently_used_go_and_stores_are_apart(app):
    made, make = counting()
    with app.test_request_context("/"):
        for n in range(3):
            kept("small", (n,), make(n), most=3)
        kept("small", (0,), make("unused"))  # used again: now the most recent
        kept("small", (3,), make(3), most=3)  # 1 goes
        assert kept("small", (0,), make("x")) == 0 and kept("small", (1,), make("y")) == "y"
        assert kept("other", (0,), make("z")) == "z"  # another store, another key space
    assert made == [0, 1, 2, 3, "y", "z"]
