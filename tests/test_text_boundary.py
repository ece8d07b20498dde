"""Text at the boundary: every field is stored as NFC text without control characters, trimmed of
ordinary and full-width spaces; long text keeps its line breaks and tabs; and every output survives
whatever an older version stored."""
import unicodedata

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from kiosk.core.extensions import db
from kiosk.core.formtools import clean_text, strip, strip_long
from kiosk.fairs.models import Department, Zone
from kiosk.organiser.importing import read_rows
from kiosk.organiser.posters import posters_pdf
from kiosk.service_requests.models import ServiceRequest, Status
from kiosk.tally.report import tally_pdf
from tests.factories import request_in
from tests.helpers import form_data, login, pdf_text


@pytest.mark.parametrize(("typed", "stored"), [
    ("甲\x1b公司", "甲公司"),
    ("用地\x0b需求", "用地需求"),
    ("\x00甲\x7f\x85公司", "甲公司"),
    ("　泰安公司　", "泰安公司"),
    (" \u3000 泰安 公司\u3000 ", "泰安 公司"),
    ("Cafe\u0301", "Café"),
    ("甲\t乙\r\n丙", "甲 乙 丙"),
    (None, None),
])
def test_a_one_line_field_is_clean_nfc_text(typed, stored):
    assert strip(typed) == stored


def test_long_text_keeps_its_line_breaks_and_tabs_as_typed():
    assert strip_long("　第一行\r\n\t第二行\x1b\r第三行\u3000") == "第一行\n\t第二行\n第三行"


@given(st.text())
def test_whatever_is_typed_comes_out_as_nfc_without_control_characters(text):
    for multiline in (False, True):
        out = clean_text(text, multiline=multiline)
        assert unicodedata.is_normalized("NFC", out)
        allowed = {"\n", "\t"} if multiline else set()
        assert not [c for c in out if unicodedata.category(c) == "Cc" and c not in allowed]
        assert out == out.strip() and clean_text(out, multiline=multiline) == out


def test_a_form_with_escape_vertical_tab_and_combining_characters_stores_clean_nfc_text(client, fair):
    response = client.post(f"/f/{fair.id}", data=form_data(
        client, "/b/B07", company_name="\u3000Cafe\u0301\x1b有限公司", contact_name="王\x0b经理",
        need="用地\x0b需求\r\n第二行"))
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.scalar(sa.select(ServiceRequest))
    assert (saved.company_name, saved.contact_name, saved.need) == ("Café有限公司", "王经理", "用地需求\n第二行")
    assert saved.company.name == "Café有限公司"


def test_an_imported_sheets_cells_are_clean_text():
    rows = read_rows("booths.csv", "摊位编号,部门\nB0\x1b1 ,\u3000自然资源局\x0b\u3000\n".encode())
    assert rows[1] == ["B01", "自然资源局"]


def test_the_tally_pdf_and_posters_render_what_an_older_version_stored(app, fair):
    item = request_in(fair, Status.planned, "B07", company_name="甲公司", plan_text="会后踏勘")
    db.session.execute(sa.update(ServiceRequest).where(ServiceRequest.id == item.id).values(
        company_name="甲\x1b公司", need="用地\x0b需求", plan_text="会后\x1b踏勘", plan_unit="自然\x0b资源局"))
    db.session.execute(sa.update(Department).values(name=Department.name + "\x1b"))
    db.session.execute(sa.update(Zone).where(Zone.fair_id == fair.id).values(name=Zone.name + "\x0b"))
    db.session.commit()
    db.session.expire_all()
    with app.test_request_context():
        _, mimetype, data = tally_pdf(fair)
        assert mimetype == "application/pdf" and "甲" in pdf_text(data)
        _, mimetype, data = posters_pdf(fair)
        assert mimetype == "application/pdf" and data.startswith(b"%PDF")


def test_the_exports_survive_a_stored_control_character(app, fair, organiser):
    item = request_in(fair, Status.resolved, "B07")
    db.session.execute(sa.update(ServiceRequest).where(ServiceRequest.id == item.id).values(
        company_name="甲\x1b公司", need="用地\x0b需求"))
    db.session.commit()
    boss = login(app.test_client(), "organiser")
    for kind in ("xlsx", "csv"):
        assert boss.get(f"/organiser/fairs/{fair.id}/requests.{kind}").status_code == 200


def every_text_field():
    """(form, field name, its filters) for every typed text field of every form in the kiosk."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm
    from wtforms import StringField, TextAreaField

    import kiosk
    for module in pkgutil.walk_packages(kiosk.__path__, "kiosk."):
        importlib.import_module(module.name)
    forms, todo = set(), list(FlaskForm.__subclasses__())
    while todo:
        form = todo.pop()
        forms.add(form)
        todo.extend(form.__subclasses__())
    for form in sorted(forms, key=lambda f: f.__qualname__):
        for name, unbound in vars(form).items():
            if getattr(unbound, "field_class", None) in (StringField, TextAreaField):
                yield form, name, unbound.field_class, unbound.kwargs.get("filters", [])


def test_every_text_field_of_every_form_goes_through_the_one_cleaner(app):
    fields = list(every_text_field())
    assert len(fields) > 15
    for form, name, kind, filters in fields:
        wanted = strip_long if kind.__name__ == "TextAreaField" else strip
        assert filters and filters[0] is wanted, f"{form.__qualname__}.{name}"
