"""A kept copy is made again when anything it depends on changes: the caller's key (a version, a
role), the language in force, the path the kiosk is served under; never shown for another key."""
from flask_babel import force_locale

from kiosk.core.kept import kept, kept_each


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


def test_many_at_once_makes_only_the_missing_in_the_same_key_space(app):
    made = []

    def make(item):
        made.append(item)
        return f"row {item}"
    with app.test_request_context("/"):
        assert kept("rows", (1, "booth 7"), lambda: "row one") == "row one"
        assert kept_each("rows", [1, 2, 3], make, key=("booth 7",)) == ["row one", "row 2", "row 3"]
        assert kept_each("rows", [3, 2], make, key=("booth 7",)) == ["row 3", "row 2"]
        assert kept_each("rows", [2], make, key=("booth 8",)) == ["row 2"]  # another key, another copy
        with force_locale("en"):
            assert kept_each("rows", [2], make, key=("booth 7",)) == ["row 2"]  # another language
    assert made == [2, 3, 2, 2]


def test_outside_a_request_a_copy_has_no_path_and_a_language_only_when_forced(app):
    made, make = counting()
    with app.app_context():
        assert kept("t", ("v1",), make("none")) == "none"
        assert kept("t", ("v1",), make("again")) == "none"
        with force_locale("en"):
            assert kept("t", ("v1",), make("en")) == "en"
    with app.test_request_context("/"):
        assert kept("t", ("v1",), make("in a request")) == "in a request"
    assert made == ["none", "en", "in a request"]
