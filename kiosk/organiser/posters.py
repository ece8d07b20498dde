"""QR posters, one PDF: an A4 page per booth, and one fair-wide poster where the company picks the booth."""
import io
import re

import qrcode
import qrcode.image.svg
from flask import render_template
from flask_babel import force_locale
from markupsafe import Markup

from kiosk.core.pdf import render_pdf
from kiosk.fairs.address import booth_url, fair_url
from kiosk.fairs.models import Fair

QR_SIZE = "110mm"
POSTER_CSS = """
@page { size: A4; margin: 0; }
.poster { page-break-after: always; height: 297mm; padding: 22mm 18mm; box-sizing: border-box; text-align: center; }
.poster:last-child { page-break-after: auto; }
.fair { font-size: 16pt; color: #444; margin: 0; }
.zone { font-size: 15pt; color: #b3261e; margin: 6mm 0 0; }
.code { font-size: 60pt; font-weight: bold; color: #b3261e; margin: 4mm 0 0; letter-spacing: 2pt; }
.name { font-size: 34pt; font-weight: bold; margin: 2mm 0 8mm; line-height: 1.2; }
.url { font-size: 24pt; font-weight: bold; margin: 6mm 0 8mm; letter-spacing: 1pt; }
.steps { font-size: 16pt; line-height: 1.7; text-align: left; display: inline-block; margin: 0; }
"""


def qr_svg(url: str) -> Markup:
    """The QR code as inline SVG (error correction M, as Indico prints its tickets)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(url)
    out = io.BytesIO()
    code.make_image().save(out)
    svg = out.getvalue().decode()
    svg = svg[svg.index("<svg"):].replace(' id="qr-path"', "")  # inline: no XML declaration, no shared id
    # Sized by the poster, not by qrcode's 1 mm per module.
    return Markup(re.sub(r'width="[^"]+" height="[^"]+"', f'width="{QR_SIZE}" height="{QR_SIZE}"', svg, count=1))


def poster_urls(fair: Fair) -> dict[str, str]:
    """What each poster's QR code says: the booth's link, naming its fair (another fair open on this
    server may use the same booth codes); "" for the fair-wide one. A hidden booth takes no
    requests, so it gets no poster."""
    return {"": fair_url(fair), **{booth.code: booth_url(booth) for booth in fair.booths if not booth.hidden}}


def posters_pdf(fair: Fair) -> tuple[str, str, bytes]:
    urls = poster_urls(fair)
    posters = [{"booth": booth, "url": urls[booth.code], "qr": qr_svg(urls[booth.code])}
               for booth in fair.booths if not booth.hidden]
    posters.append({"booth": None, "url": urls[""], "qr": qr_svg(urls[""])})
    with force_locale("zh_CN"):  # the posters hang in a Chinese hall, whatever the organiser reads
        html = render_template("posters/posters.html", fair=fair, posters=posters)
    return f"posters-{fair.id}.pdf", "application/pdf", render_pdf(html, POSTER_CSS)
