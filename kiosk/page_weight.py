"""What a phone downloads to show the company's form: the page and everything it links, gzipped."""
import gzip
import re

GZIP = {"Accept-Encoding": "gzip"}


def form_page_weight(client, url: str) -> list[tuple[str, int]]:
    """(path, bytes over the wire: body and headers) for the page and each asset it loads."""
    page = client.get(url, headers=GZIP)
    html = page.get_data(as_text=False)
    text = gzip.decompress(html).decode() if page.headers.get("Content-Encoding") == "gzip" else html.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', text)
    rows = [(url, _wire_size(page))]
    for asset in assets:
        rows.append((asset.split("?")[0], _wire_size(client.get(asset, headers=GZIP))))
    return rows


def _wire_size(response) -> int:
    headers = sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + len("HTTP/1.1 200 OK\r\n\r\n")
    return headers + len(response.get_data())
