"""Every PDF of the kiosk (posters, the tally) goes through render_pdf: WeasyPrint with the Chinese
font bundled here, and a URL fetcher that serves only this folder's own files.

Without a CJK font WeasyPrint prints an empty box for every Chinese character and says nothing; so
the font is given explicitly rather than left to whatever the server has installed.
"""
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from kiosk.core.formtools import CONTROL

HERE = Path(__file__).resolve().parent
SCHEME = "kiosk-asset:"
FONT_FAMILY = "Kiosk CJK"
FONT_CSS = f"""
@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{SCHEME}fonts/wqy-microhei.ttc"); }}
html {{ font-family: "{FONT_FAMILY}", sans-serif; }}
"""


class OwnFilesOnly(URLFetcher):
    """Resolves kiosk-asset: URLs to files beside this module and data: URLs; refuses the rest
    (file://, http(s)://), so that nothing a user typed can make the renderer read or fetch."""

    def fetch(self, url, headers=None):
        if url.startswith(SCHEME):
            path = (HERE / url.removeprefix(SCHEME)).resolve()
            if HERE not in path.parents or not path.is_file():
                raise ValueError(f"not a kiosk asset: {url}")
            return URLFetcherResponse(url, path.read_bytes())
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"refused: {url}")


def render_pdf(html: str, stylesheet: str = "") -> bytes:
    # A control character stored before the forms cleaned text (a name with \x1b) becomes a .notdef
    # glyph that garbled the text layer of the whole tally (copying and searching gave mojibake).
    html = CONTROL.sub("", html)
    fonts = FontConfiguration()
    fetcher = OwnFilesOnly()
    styles = [CSS(string=FONT_CSS + stylesheet, font_config=fonts, url_fetcher=fetcher)]
    return HTML(string=html, base_url=SCHEME, url_fetcher=fetcher).write_pdf(
        stylesheets=styles, font_config=fonts)
