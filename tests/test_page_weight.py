import re

from bench.page_weight import form_page_weight


def test_the_form_page_with_htmx_fits_in_40_kb_gzipped(client, fair):
    rows = dict(form_page_weight(client, "/b/B07"))
    assert any("htmx" in path for path in rows), "htmx must be counted"
    assert "/static/app.css" in rows and "/static/app.js" in rows
    assert sum(rows.values()) <= 40 * 1024, rows


def test_static_files_are_gzipped_and_cached_for_a_year(client, fair):
    html = client.get("/b/B07").get_data(as_text=True)
    htmx_url = re.search(r'src="(/static/vendor/htmx[^"]+)"', html).group(1)
    response = client.get(htmx_url, headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert len(response.get_data()) < 25_000
    # A phone asking again whether its gzipped copy is current is told so, without the file.
    again = client.get(htmx_url, headers={"Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()
