"""Links bound to their fair: two open fairs with the same booth codes each get their own posters'
requests; an old short link without its fair works while it is unambiguous and asks the company
otherwise; the address the posters print is shown, warned about when no phone can reach it, and can
be set per fair."""
import re

import pytest
import sqlalchemy as sa

from kiosk.core.extensions import db
from kiosk.fairs.address import AddressRefused, Reach, normalise_base_url, reach
from kiosk.fairs.models import FairStatus
from kiosk.organiser.fair_lifecycle import open_fair, overlap_warning
from kiosk.service_requests.models import ServiceRequest
from tests.factories import booth, make_fair
from tests.helpers import csrf_token, form_data, login, scanned

OTHER = "岱岳区要素保障大集"


@pytest.fixture
def boss(app, organiser):
    return login(app.test_client(), "organiser")


@pytest.fixture
def other(app, fair):
    """A second open fair on the same server with the same booth codes B01...F02."""
    second = make_fair(name=OTHER, prefix="dy-")
    second.venue = "岱岳区政务服务中心"
    db.session.commit()
    return second


def post(client, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client, "/login"), **(data or {})}, **kwargs)


def file_from(client, url):
    """Open a link as a phone would, and submit its form where the form says."""
    page = client.get(url).get_data(as_text=True)
    action = re.search(r'<form[^>]*action="(/f/\d+)"', page).group(1)
    response = client.post(action, data=form_data(client, url))
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(sa.select(ServiceRequest).filter_by(token=response.headers["Location"].rsplit("/", 1)[1]))


def test_two_open_fairs_with_the_same_booth_codes_each_file_their_posters_requests(app, client, fair, other):
    mine = file_from(client, f"/b/{fair.id}/B07")
    theirs = file_from(app.test_client(), f"/b/{other.id}/b07")
    assert (mine.fair_id, mine.booth_id) == (fair.id, booth(fair, "B07").id)
    assert (theirs.fair_id, theirs.booth_id) == (other.id, booth(other, "B07").id)


def test_a_fair_bound_link_to_a_booth_that_fair_lacks_is_not_found(client, fair):
    assert client.get(f"/b/{fair.id}/Z99").status_code == 404
    assert client.get(f"/b/{fair.id + 1000}/B07").status_code == 404
    assert client.get("/b/99999999999999999999/B07").status_code == 404  # beyond any id: no crash
    assert client.get("/b/x1/B07").status_code == 404


def test_a_fair_bound_link_to_a_closed_fair_says_it_is_closed(client, fair, other):
    other.status = FairStatus.closed
    db.session.commit()
    response = client.get(f"/b/{other.id}/B07")
    assert response.status_code == 410 and "已闭幕" in response.get_data(as_text=True)


def test_an_old_short_link_opens_the_booth_while_only_one_open_fair_has_it(client, fair, other):
    other.status = FairStatus.closed
    db.session.commit()
    assert client.get("/b/B07").status_code == 200
    item = file_from(client, "/b/B07")
    assert (item.fair_id, item.booth_id) == (fair.id, booth(fair, "B07").id)


def test_an_old_short_link_two_open_fairs_share_asks_the_company_to_choose(client, fair, other):
    response = client.get("/b/B07")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "请选择您所在的大集" in html
    assert 'name="submission_key"' not in html  # no form to file into a guessed fair
    for each in (fair, other):
        assert each.name in html and each.venue in html and str(each.date) in html
        assert f'href="/b/{each.id}/B07"' in html


def test_the_choice_of_fair_reads_in_english_too(client, fair, other):
    html = client.get("/b/B07", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Choose the fair you are at" in html


def test_posters_qr_codes_scan_to_links_naming_their_fair(app, boss, fair, other):
    app.config["PUBLIC_BASE_URL"] = "https://fair.example.gov.cn"
    for each in (fair, other):
        found = scanned(boss.get(f"/organiser/fairs/{each.id}/posters.pdf").data)
        assert found == [f"https://fair.example.gov.cn/b/{each.id}/{b.code}" for b in each.booths] + [
            f"https://fair.example.gov.cn/f/{each.id}"]


def test_a_fairs_own_address_overrides_the_servers_default_on_its_posters(app, boss, fair, other):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    response = post(boss, f"/organiser/fairs/{fair.id}/address", {"public_base_url": " https://JiZhi.Example.gov.cn/ "})
    assert response.status_code == 302
    db.session.expire_all()
    assert fair.public_base_url == "https://jizhi.example.gov.cn"
    assert scanned(boss.get(f"/organiser/fairs/{fair.id}/posters.pdf").data)[0] == \
        f"https://jizhi.example.gov.cn/b/{fair.id}/B01"
    assert scanned(boss.get(f"/organiser/fairs/{other.id}/posters.pdf").data)[0] == \
        f"http://127.0.0.1:5000/b/{other.id}/B01"  # the other fair keeps the server's default


def test_an_empty_address_goes_back_to_the_servers_default(app, boss, fair):
    fair.public_base_url = "https://jizhi.example.gov.cn"
    db.session.commit()
    assert post(boss, f"/organiser/fairs/{fair.id}/address", {"public_base_url": ""}).status_code == 302
    db.session.expire_all()
    assert fair.public_base_url is None


def test_a_bad_address_is_refused_with_a_message_and_kept_as_typed(boss, fair):
    response = post(boss, f"/organiser/fairs/{fair.id}/address", {"public_base_url": "https://fair.example.gov.cn/b?x=1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "不要带路径或参数" in html
    assert 'value="https://fair.example.gov.cn/b?x=1"' in html
    db.session.expire_all()
    assert fair.public_base_url is None


def test_the_fair_page_warns_when_posters_would_print_a_loopback_address(app, boss, fair):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    html = boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    assert "http://127.0.0.1:5000" in html and "address-warning" in html


def test_the_fair_page_warns_about_the_listening_address_0000(app, boss, fair):
    fair.public_base_url = "http://0.0.0.0:8000"
    db.session.commit()
    assert "address-warning" in boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)


def test_the_fair_page_gives_no_warning_for_a_real_host(app, boss, fair):
    app.config["PUBLIC_BASE_URL"] = "https://fair.example.gov.cn"
    html = boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    assert "https://fair.example.gov.cn" in html
    assert "address-warning" not in html and "address-lan" not in html


def test_the_fair_page_says_a_lan_address_reaches_only_phones_on_that_network(app, boss, fair):
    fair.public_base_url = "http://192.168.1.20:8000"
    db.session.commit()
    html = boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    assert "address-lan" in html and "address-warning" not in html


def test_opening_a_fair_whose_booth_codes_another_open_fair_uses_warns_but_opens(boss, fair):
    second = make_fair(status=FairStatus.draft, name=OTHER, prefix="dy-")
    response = post(boss, f"/organiser/fairs/{second.id}/open", follow_redirects=True)
    html = response.get_data(as_text=True)
    db.session.expire_all()
    assert second.status is FairStatus.open
    assert "旧短链接" in html and fair.name in html and "B01、B02、B07、F01、F02" in html
    # Shown as a warning, not as the green note that says something was done.
    assert re.search(r'<p class="notice error" role="alert">[^<]*旧短链接', html)


def test_opening_a_fair_no_other_open_fair_overlaps_gives_no_warning(boss, fair):
    fair.status = FairStatus.closed
    db.session.commit()
    second = make_fair(status=FairStatus.draft, name=OTHER, prefix="dy-")
    html = post(boss, f"/organiser/fairs/{second.id}/open", follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert second.status is FairStatus.open and "旧短链接" not in html


def test_reopening_a_fair_whose_codes_another_open_fair_uses_warns_too(boss, fair, other):
    other.status = FairStatus.closed
    db.session.commit()
    html = post(boss, f"/organiser/fairs/{other.id}/reopen", {"reason": "补录两项需求"},
                follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert other.status is FairStatus.open and "旧短链接" in html and fair.name in html


def test_the_fair_page_keeps_the_overlap_warning_while_both_fairs_are_open(boss, fair, other):
    html = boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)
    assert "overlap-warning" in html and OTHER in html
    other.status = FairStatus.closed
    db.session.commit()
    assert "overlap-warning" not in boss.get(f"/organiser/fairs/{fair.id}").get_data(as_text=True)


def test_overlaps_name_each_other_open_fair_with_the_codes_it_shares(app, fair):
    second = make_fair(status=FairStatus.draft, name=OTHER, prefix="dy-")
    second.booths[0].code = "K01"  # B01 becomes K01: only four codes shared
    db.session.commit()
    found = open_fair(second, None)
    db.session.commit()
    assert [(o.fair.id, o.codes) for o in found] == [(fair.id, ("B02", "B07", "F01", "F02"))]
    with app.test_request_context():
        assert "B02、B07、F01、F02" in str(overlap_warning(found[0]))


@pytest.mark.parametrize("typed, kept", [
    ("http://192.168.1.20:8000", "http://192.168.1.20:8000"),
    ("HTTPS://Fair.Example.gov.cn/", "https://fair.example.gov.cn"),
    ("http://[::1]:5000", "http://[::1]:5000"),
    ("http://要素.中国", "http://要素.中国"),
    ("", None),
])
def test_an_address_is_kept_as_scheme_host_and_port(typed, kept):
    assert normalise_base_url(typed) == kept


@pytest.mark.parametrize("typed, code", [
    ("fair.example.gov.cn", "scheme"), ("ftp://fair.example.gov.cn", "scheme"),
    ("https://fair.example.gov.cn/kiosk", "path"), ("https://fair.example.gov.cn?x=1", "path"),
    ("https://fair.example.gov.cn#top", "path"), ("http://<script>", "host"), ("http://a b", "host"),
    ("http://user:pw@fair.example.gov.cn", "host"), ("http://fair.example.gov.cn:99999", "port"),
    ("https://" + "a" * 200 + ".cn", "too_long"),
])
def test_an_address_that_is_not_scheme_host_and_port_is_refused(typed, code):
    with pytest.raises(AddressRefused) as refused:
        normalise_base_url(typed)
    assert refused.value.code == code


@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:5000", Reach.loopback), ("http://127.8.0.1", Reach.loopback),
    ("http://localhost:5000", Reach.loopback), ("http://[::1]", Reach.loopback),
    ("http://0.0.0.0:5000", Reach.unspecified), ("http://[::]", Reach.unspecified),
    ("http://192.168.1.20", Reach.lan), ("http://10.1.2.3", Reach.lan), ("http://169.254.3.4", Reach.lan),
    ("http://kiosk.local", Reach.lan),
    ("https://fair.example.gov.cn", Reach.public), ("http://8.8.8.8", Reach.public),
])
def test_an_address_is_told_how_far_it_reaches(url, expected):
    assert reach(url) is expected


def test_a_hidden_booth_gets_no_poster(app, boss, fair):
    app.config["PUBLIC_BASE_URL"] = "https://fair.example.gov.cn"
    booth(fair, "B02").hidden = True
    db.session.commit()
    found = scanned(boss.get(f"/organiser/fairs/{fair.id}/posters.pdf").data)
    assert f"https://fair.example.gov.cn/b/{fair.id}/B02" not in found
    assert f"https://fair.example.gov.cn/b/{fair.id}/B07" in found


def test_the_sign_in_slips_print_the_fairs_own_address(app, boss, fair):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    fair.public_base_url = "https://jizhi.example.gov.cn"
    db.session.commit()
    sheet = post(boss, f"/organiser/fairs/{fair.id}/accounts",
                 {"reset": "all", "confirm": "yes"}).get_data(as_text=True)
    slip = post(boss, f"/organiser/fairs/{fair.id}/booths/{booth(fair, 'B07').id}/reset").get_data(as_text=True)
    for page in (sheet, slip):
        assert "https://jizhi.example.gov.cn/login" in page and "127.0.0.1" not in page
